import { isRecord, records, type Json } from './fake-discord-limits.ts';

/**
 * The state a fake Discord keeps (guilds, channels, members, messages) and the JSON shapes Discord's API
 * uses for them (API v10), as discord.js 14 reads them.
 */

export const discordEpoch = 1420070400000;

/** Discord permission names (SCREAMING_CASE like the docs) the fake understands. */
export const permissionBits = {
  ADMINISTRATOR: 1n << 3n,
  MANAGE_CHANNELS: 1n << 4n,
  MANAGE_GUILD: 1n << 5n,
  ADD_REACTIONS: 1n << 6n,
  VIEW_CHANNEL: 1n << 10n,
  SEND_MESSAGES: 1n << 11n,
  MANAGE_MESSAGES: 1n << 13n,
  EMBED_LINKS: 1n << 14n,
  ATTACH_FILES: 1n << 15n,
  READ_MESSAGE_HISTORY: 1n << 16n,
  MENTION_EVERYONE: 1n << 17n,
  MANAGE_ROLES: 1n << 28n,
  USE_APPLICATION_COMMANDS: 1n << 31n,
  MANAGE_THREADS: 1n << 34n,
  CREATE_PUBLIC_THREADS: 1n << 35n,
  CREATE_PRIVATE_THREADS: 1n << 36n,
  SEND_MESSAGES_IN_THREADS: 1n << 38n,
} as const;

export type PermissionName = keyof typeof permissionBits;

/** Permissions `denyChannel` can take away from the bot in one channel (and that channel's threads). */
export type DeniablePermission =
  | 'VIEW_CHANNEL'
  | 'SEND_MESSAGES'
  | 'SEND_MESSAGES_IN_THREADS'
  | 'CREATE_PUBLIC_THREADS'
  | 'CREATE_PRIVATE_THREADS'
  | 'ATTACH_FILES'
  | 'EMBED_LINKS';

export const allPermissions = Object.values(permissionBits).reduce((all, bit) => all | bit, 0n);

export function bitsOf(names: readonly PermissionName[]): bigint {
  return names.reduce((bits, name) => bits | permissionBits[name], 0n);
}

export const defaultEveryonePermissions: PermissionName[] = [
  'VIEW_CHANNEL',
  'SEND_MESSAGES',
  'SEND_MESSAGES_IN_THREADS',
  'CREATE_PUBLIC_THREADS',
  'EMBED_LINKS',
  'ATTACH_FILES',
  'READ_MESSAGE_HISTORY',
  'ADD_REACTIONS',
  'USE_APPLICATION_COMMANDS',
];

export const defaultBotPermissions: PermissionName[] = [...defaultEveryonePermissions, 'MANAGE_THREADS'];

export const ChannelKind = { text: 0, voice: 2, category: 4, announcement: 5, forum: 15 } as const;
export const ThreadType = { announcement: 10, public: 11, private: 12 } as const;

export type FakeRoleInit = { id?: string; name: string; permissions?: PermissionName[] };
export type FakeMemberInit = {
  id?: string;
  username: string;
  /** Role ids or role names from the guild's `roles`. */
  roles?: string[];
  nick?: string;
};
export type FakeChannelInit = { id?: string; name: string; type?: keyof typeof ChannelKind; topic?: string };
export type FakeGuildInit = {
  id?: string;
  name?: string;
  /** Default: one text channel `design`. */
  channels?: FakeChannelInit[];
  /** Extra roles besides @everyone and the bot's managed role. */
  roles?: FakeRoleInit[];
  /** Human members besides the bot. Default: `ada`. */
  members?: FakeMemberInit[];
  /** What @everyone may do. Default: defaultEveryonePermissions. */
  everyonePermissions?: PermissionName[];
  /** Reported member_count. Default: members + bot. */
  memberCount?: number;
  /** The owning member's id. Default: the first human member. */
  ownerId?: string;
  /**
   * The bot is not in this server (its members use the app as a user install): the gateway never
   * lists it, bot-token calls on its channels answer 403 50001, and interactions there are authorised
   * by the invoking user (`authorizing_integration_owners: { "1": user }`).
   */
  botAbsent?: boolean;
};

export type FakeUser = { id: string; username: string; bot: boolean };
export type FakeRole = { id: string; name: string; permissions: bigint; position: number; managed: boolean };
export type FakeMember = { user: FakeUser; roleIds: string[]; nick: string | null; joinedAt: string };

export type ThreadState = {
  ownerId: string;
  archived: boolean;
  locked: boolean;
  autoArchiveDuration: number;
  archivedAt: string;
  createdAt: string;
  messageCount: number;
  /** The message the thread was started from (same id as the thread), if any. */
  starterMessageId: string | null;
};

export type FakeChannel = {
  id: string;
  /** Discord channel type: 0 text, 5 announcement, 11 public thread, 12 private thread, ... */
  type: number;
  name: string;
  guildId: string;
  parentId: string | null;
  position: number;
  topic: string | null;
  lastMessageId: string | null;
  /** Set for threads. */
  thread: ThreadState | null;
};

export type FakeGuild = {
  id: string;
  name: string;
  ownerId: string;
  /** roles[0] is @everyone (id = guild id); roles[1] is the bot's managed role. */
  roles: FakeRole[];
  /** members[0] is the bot. */
  members: FakeMember[];
  /** Channels and threads, live (threads are added when created). */
  channels: FakeChannel[];
  memberCount: number;
  joinedAt: string;
  botAbsent: boolean;
};

/** A file as the fake holds it: bytes plus the URL the fake serves it at. */
export type FakeAttachment = {
  id: string;
  filename: string;
  description: string | null;
  contentType: string;
  size: number;
  bytes: Buffer;
  url: string;
  width: number | null;
  height: number | null;
};

/** The latest state of a message (mutated in place by edits; `deleted` once deleted). */
export type FakeMessage = {
  id: string;
  channelId: string;
  guildId: string;
  content: string;
  embeds: Json[];
  components: Json[];
  attachments: FakeAttachment[];
  /**
   * The ids of the attachments an embed shows (`attachment://name`). Discord leaves these out of the
   * message's `attachments` in its JSON and shows every other attachment as a loose file under the
   * message: see `looseAttachments`.
   */
  embedded: string[];
  /** Message flags: 64 ephemeral, 128 loading (a deferred reply not edited yet), 32768 components v2. */
  flags: number;
  /** Message type: 0 default, 19 reply, 20 slash command response, ... */
  type: number;
  authorId: string;
  /** The application id for interaction responses and follow-ups. */
  webhookId: string | null;
  /** The interaction this message answers (reply, deferred reply, follow-up). */
  interactionId: string | null;
  threadId: string | null;
  messageReference: Json | null;
  allowedMentions: Json | null;
  createdAt: string;
  editedAt: string | null;
  /** How many times the message was edited. */
  edits: number;
  deleted: boolean;
};

export function isEphemeral(message: FakeMessage): boolean {
  return (message.flags & 64) !== 0;
}

/**
 * The files Discord shows under a message as files of their own, apart from any embed: an image that is
 * also an embed's image and shows here is shown twice.
 */
export function looseAttachments(message: FakeMessage): FakeAttachment[] {
  return message.attachments.filter((attachment) => !message.embedded.includes(attachment.id));
}

/** Monotonic snowflakes whose timestamp follows the fake's clock. */
export function snowflakes(now: () => number): () => string {
  let last = 0n;
  return () => {
    let next = BigInt(Math.max(0, now() - discordEpoch)) << 22n;
    if (next <= last) next = last + 1n;
    last = next;
    return next.toString();
  };
}

export function userJson(user: FakeUser): Json {
  return {
    id: user.id,
    username: user.username,
    discriminator: '0',
    global_name: user.bot ? null : user.username,
    avatar: null,
    bot: user.bot,
    system: false,
    public_flags: 0,
    flags: 0,
  };
}

export function roleJson(role: FakeRole, botId: string): Json {
  return {
    id: role.id,
    name: role.name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position: role.position,
    permissions: role.permissions.toString(),
    managed: role.managed,
    mentionable: false,
    flags: 0,
    ...(role.managed ? { tags: { bot_id: botId } } : {}),
  };
}

export function memberJson(member: FakeMember): Json {
  return {
    user: userJson(member.user),
    nick: member.nick,
    avatar: null,
    banner: null,
    roles: member.roleIds,
    joined_at: member.joinedAt,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    communication_disabled_until: null,
  };
}

export function channelJson(channel: FakeChannel, overwrites: Json[]): Json {
  const base: Json = {
    id: channel.id,
    type: channel.type,
    guild_id: channel.guildId,
    name: channel.name,
    parent_id: channel.parentId,
    last_message_id: channel.lastMessageId,
    rate_limit_per_user: 0,
    flags: 0,
    nsfw: false,
  };
  if (!channel.thread) {
    return { ...base, position: channel.position, topic: channel.topic, permission_overwrites: overwrites };
  }
  const thread = channel.thread;
  return {
    ...base,
    owner_id: thread.ownerId,
    message_count: thread.messageCount,
    total_message_sent: thread.messageCount,
    member_count: 1,
    thread_metadata: {
      archived: thread.archived,
      locked: thread.locked,
      auto_archive_duration: thread.autoArchiveDuration,
      archive_timestamp: thread.archivedAt,
      create_timestamp: thread.createdAt,
    },
  };
}

export function attachmentJson(attachment: FakeAttachment): Json {
  return {
    id: attachment.id,
    filename: attachment.filename,
    ...(attachment.description === null ? {} : { description: attachment.description }),
    content_type: attachment.contentType,
    size: attachment.size,
    url: attachment.url,
    proxy_url: attachment.url,
    ...(attachment.width === null ? {} : { width: attachment.width, height: attachment.height }),
  };
}

/** Reads width/height from a PNG's IHDR chunk (null for anything else). */
export function pngSize(bytes: Buffer): { width: number; height: number } | null {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(signature)) return null;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

const contentTypes: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  txt: 'text/plain; charset=utf-8',
  json: 'application/json; charset=utf-8',
  pdf: 'application/pdf',
};

export function contentTypeFor(filename: string, declared: string): string {
  if (declared && declared !== 'application/octet-stream') return declared;
  const extension = /\.([a-z0-9]+)$/i.exec(filename)?.[1]?.toLowerCase() ?? '';
  return contentTypes[extension] ?? 'application/octet-stream';
}

/** The names embeds refer to as `attachment://name` (image, thumbnail, author and footer icons). */
export function attachmentNamesIn(embeds: Json[]): string[] {
  const named = (media: unknown, key: 'url' | 'icon_url'): string[] => {
    const url = isRecord(media) ? media[key] : undefined;
    return typeof url === 'string' && url.startsWith('attachment://')
      ? [url.slice('attachment://'.length)]
      : [];
  };
  return embeds.flatMap((embed) => [
    ...named(embed.image, 'url'),
    ...named(embed.thumbnail, 'url'),
    ...named(embed.author, 'icon_url'),
    ...named(embed.footer, 'icon_url'),
  ]);
}

/** Replaces `attachment://name` in embed image/thumbnail/author/footer URLs with the attachment's URL, like Discord. */
export function resolveAttachmentUrls(embeds: Json[], attachments: FakeAttachment[]): Json[] {
  const byName = new Map(attachments.map((attachment) => [attachment.filename, attachment]));
  const resolve = (media: unknown, key: 'url' | 'icon_url'): unknown => {
    if (!isRecord(media)) return media;
    const url = media[key];
    if (typeof url !== 'string' || !url.startsWith('attachment://')) return media;
    const attachment = byName.get(url.slice('attachment://'.length));
    if (!attachment) return media;
    return {
      ...media,
      [key]: attachment.url,
      proxy_url: attachment.url,
      ...(attachment.width === null ? {} : { width: attachment.width, height: attachment.height }),
    };
  };
  return embeds.map((embed) => ({
    ...embed,
    ...(embed.image === undefined ? {} : { image: resolve(embed.image, 'url') }),
    ...(embed.thumbnail === undefined ? {} : { thumbnail: resolve(embed.thumbnail, 'url') }),
    ...(embed.author === undefined ? {} : { author: resolve(embed.author, 'icon_url') }),
    ...(embed.footer === undefined ? {} : { footer: resolve(embed.footer, 'icon_url') }),
  }));
}

/** Finds a component by custom_id anywhere in a message's components (rows, sections, containers, labels). */
export function findComponent(components: Json[], customId: string): Json | undefined {
  for (const component of components) {
    if (component.custom_id === customId) return component;
    const nested = [
      ...records(component.components),
      ...(isRecord(component.accessory) ? [component.accessory] : []),
      ...(isRecord(component.component) ? [component.component] : []),
    ];
    const found = findComponent(nested, customId);
    if (found) return found;
  }
  return undefined;
}

/** Every custom_id in a message's components, in order (handy in failure messages). */
export function customIds(components: Json[]): string[] {
  const ids: string[] = [];
  const walk = (list: Json[]) => {
    for (const component of list) {
      if (typeof component.custom_id === 'string') ids.push(component.custom_id);
      walk([
        ...records(component.components),
        ...(isRecord(component.accessory) ? [component.accessory] : []),
        ...(isRecord(component.component) ? [component.component] : []),
      ]);
    }
  };
  walk(components);
  return ids;
}

/** The unfurled media items of a V2 tree: gallery items' and thumbnails' `media`, files' `file`. */
function mediaHolders(components: Json[]): { owner: Json; key: 'media' | 'file' }[] {
  const found: { owner: Json; key: 'media' | 'file' }[] = [];
  const walk = (list: Json[]) => {
    for (const component of list) {
      if (isRecord(component.media)) found.push({ owner: component, key: 'media' });
      if (component.type === 13 && isRecord(component.file)) found.push({ owner: component, key: 'file' });
      walk([
        ...records(component.components),
        ...records(component.items),
        ...(isRecord(component.accessory) ? [component.accessory] : []),
      ]);
    }
  };
  walk(components);
  return found;
}

/** The names Components V2 media refer to as `attachment://name`. */
export function attachmentNamesInComponents(components: Json[]): string[] {
  return mediaHolders(components).flatMap(({ owner, key }) => {
    const url = (owner[key] as Json).url;
    return typeof url === 'string' && url.startsWith('attachment://')
      ? [url.slice('attachment://'.length)]
      : [];
  });
}

/**
 * Components V2 as Discord answers them: each `attachment://name` becomes the attachment's URL, with its
 * id (`attachment_id`), size and content type, like Discord's unfurled media items.
 */
export function resolveComponentAttachments(components: Json[], attachments: FakeAttachment[]): Json[] {
  const copy = structuredClone(components);
  const byName = new Map(attachments.map((attachment) => [attachment.filename, attachment]));
  for (const { owner, key } of mediaHolders(copy)) {
    const media = owner[key] as Json;
    const url = media.url;
    if (typeof url !== 'string' || !url.startsWith('attachment://')) continue;
    const attachment = byName.get(url.slice('attachment://'.length));
    if (!attachment) continue;
    owner[key] = {
      ...media,
      url: attachment.url,
      proxy_url: attachment.url,
      attachment_id: attachment.id,
      content_type: attachment.contentType,
      ...(attachment.width === null ? {} : { width: attachment.width, height: attachment.height }),
    };
  }
  return copy;
}
