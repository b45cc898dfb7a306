import { randomBytes } from 'node:crypto';
import {
  FakeInteractionsEndpoint,
  type EndpointAnswer,
  type SignedPostOptions,
} from './fake-discord-http.ts';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  checkAutocompleteChoices,
  checkCommand,
  checkCommands,
  checkMessage,
  checkModal,
  errorTree,
  isRecord,
  length,
  MessageFlag,
  records,
  type FieldError,
  type Json,
} from './fake-discord-limits.ts';
import {
  allPermissions,
  attachmentJson,
  attachmentNamesIn,
  attachmentNamesInComponents,
  bitsOf,
  ChannelKind,
  channelJson,
  contentTypeFor,
  customIds,
  defaultBotPermissions,
  defaultEveryonePermissions,
  findComponent,
  isEphemeral,
  looseAttachments,
  memberJson,
  permissionBits,
  pngSize,
  resolveAttachmentUrls,
  resolveComponentAttachments,
  roleJson,
  snowflakes,
  ThreadType,
  userJson,
  type DeniablePermission,
  type FakeAttachment,
  type FakeChannel,
  type FakeGuild,
  type FakeGuildInit,
  type FakeMember,
  type FakeMessage,
  type FakeRole,
  type FakeUser,
  type PermissionName,
} from './fake-discord-model.ts';
import {
  acceptWebSocket,
  isWebSocketUpgrade,
  rejectUpgrade,
  type WebSocketPeer,
} from './fake-discord-websocket.ts';

export type {
  DeniablePermission,
  FakeAttachment,
  FakeChannel,
  FakeGuild,
  FakeGuildInit,
  FakeMember,
  FakeMessage,
  FakeRole,
  FakeUser,
  Json,
  PermissionName,
};
export { isEphemeral, looseAttachments } from './fake-discord-model.ts';
export type { EndpointAnswer, SignedPostOptions } from './fake-discord-http.ts';

/**
 * A fake Discord for the REAL discord.js 14 Client, entirely on 127.0.0.1 (one port for REST, the gateway
 * and attachment downloads):
 *
 *   const fake = await startFakeDiscord({ token: 'bot-token' });
 *   const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl } });
 *   await client.login('bot-token'); // clientReady follows within milliseconds
 *
 * - Gateway (API v10, JSON, no compression): HELLO, IDENTIFY → READY + one GUILD_CREATE per guild, heartbeat
 *   acks, RESUME (replays missed dispatches, RESUMED) or INVALID_SESSION, RECONNECT on request, member chunks.
 * - REST under `${apiUrl}/v10`: interaction callbacks (3 s deadline, one per interaction), the interaction
 *   webhook (@original, follow-ups; 15 min token), channel messages, threads, application commands, a few
 *   guild reads. JSON and multipart (`payload_json` + `files[n]`). Discord's limits are enforced with
 *   Discord's error bodies (50035 Invalid Form Body, 50006, 40060, 10062, 50027, 50013, 160004, 50083 ...).
 * - Every REST call is recorded (`calls`); every message keeps its latest state (`message`, `messagesIn`);
 *   attachments are served at their `url`. An embed shows an `attachment://name` it was sent with; every
 *   other file is loose (`looseAttachments`), and an edit with embeds but no `attachments` list makes the
 *   files the message keeps loose, as Discord does (the image then shows twice).
 * - Faults: `denyChannel` (403 50013 / 50001), `rateLimit` (429 with the headers @discordjs/rest reads, which
 *   waits and retries), `failNext` (any status), `advanceTime` (expire interactions and tokens).
 *
 * - HTTP interactions: after `deliverInteractionsTo(urls)` every interaction is POSTed, signed with the
 *   application's Ed25519 key (`publicKey`), to those URLs in turn instead of the gateway; the HTTP response
 *   is the interaction's first response (recorded like a callback, `via: 'http'`), and its webhook calls
 *   wait until that response has been read, as Discord processes it before them.
 *
 * Destroy the client before `close()`: a connected client would keep trying to resume.
 */

export type FakeDiscordOptions = {
  /** The bot token the gateway and REST accept. Default `fake-bot-token`. */
  token?: string;
  /** Also the bot user's id (as for any app created since 2021). Default `1100000000000000001`. */
  applicationId?: string;
  /** Default `Facet`. */
  botUsername?: string;
  /** Default: one guild with a text channel `design` and a member `ada`. */
  guilds?: FakeGuildInit[];
  /** What the bot's managed role allows. Default: defaultBotPermissions. */
  botPermissions?: PermissionName[];
  /** Sent in HELLO. Default 41 250 ms like Discord; lower it to see heartbeats in a short test. */
  heartbeatIntervalMs?: number;
  /** The initial response deadline. Default 3000 ms. */
  interactionDeadlineMs?: number;
  /** How long an interaction token works for the webhook routes. Default 15 min. */
  interactionTokenTtlMs?: number;
  /** Largest accepted upload per file (HTTP 413, code 40005, above it). Default 10 MiB. */
  attachmentSizeLimit?: number;
  /** The fake's clock (timestamps, snowflakes, deadlines). Default Date.now; `advanceTime` adds to it. */
  now?: () => number;
};

/** A file in a multipart request (`files[n]`), as received. */
export type FakeUpload = { field: string; name: string; contentType: string; bytes: Buffer };

/** Discord's error body (`errors` only for 50035 Invalid Form Body). */
export type DiscordErrorBody = { code: number; message: string; errors?: Json };

/** One REST request as the fake received and answered it. */
export type DiscordCall = {
  method: string;
  /** Relative to `/api/v10`, percent-decoded, without the query: `/webhooks/1/abc/messages/@original`. */
  path: string;
  query: Record<string, string>;
  /** The JSON body, or the parsed `payload_json` of a multipart body; undefined without a body. */
  body: unknown;
  files: FakeUpload[];
  /** `bot`: a valid `Authorization: Bot <token>`; `none`: no header; `invalid`: another token. */
  auth: 'bot' | 'none' | 'invalid';
  /** X-Audit-Log-Reason, decoded. */
  reason: string | undefined;
  at: number;
  /** The status the fake answered with (0 while the request is being handled). */
  status: number;
  error: DiscordErrorBody | undefined;
};

/** One POST /interactions/{id}/{token}/callback, accepted or not. */
export type InteractionCallback = {
  interactionId: string;
  /** 4 reply, 5 deferred reply, 6 deferred update, 7 update message, 9 modal (8 autocomplete, 12 activity). */
  type: number;
  data: Json | undefined;
  files: FakeUpload[];
  at: number;
  accepted: boolean;
  status: number;
  error: DiscordErrorBody | undefined;
  /** `http`: the body of the interactions endpoint's response (HTTP mode); otherwise a REST callback. */
  via?: 'http';
};

/** What `dispatchInteraction` sends; everything but type and data has a default. */
export type InteractionInput = {
  /** 2 application command, 3 message component, 4 autocomplete, 5 modal submit. */
  type: 2 | 3 | 4 | 5;
  data: Json;
  /** Default: the first text channel of the first guild (`fake.channelId`). Threads work too. */
  channelId?: string;
  /** Default: the first human member of the channel's guild. */
  userId?: string;
  /** The message a component (or a modal opened from a component) belongs to; sent with its latest state. */
  message?: FakeMessage;
  /** Default `en-US`. */
  locale?: string;
  /** InteractionContextType. Default: 0 in a server, 1 in a bot DM, 2 in another DM. */
  context?: 0 | 1 | 2;
  /** authorizing_integration_owners. Default: the source message's, else by where it is used. */
  owners?: Json;
  /** Used through the user's own install although the server has the app too. */
  userInstall?: boolean;
};

/** A dispatched INTERACTION_CREATE and what the bot did with it. */
export type FakeInteraction = {
  id: string;
  token: string;
  type: 2 | 3 | 4 | 5;
  /** The `d` of the INTERACTION_CREATE dispatch. */
  payload: Json;
  dispatchedAt: number;
  channelId: string;
  userId: string;
  /** Every callback attempt for this interaction, in order (rejected ones too). */
  readonly callbacks: InteractionCallback[];
  /**
   * Resolves with the first accepted callback (immediately if there is one); rejects after timeoutMs
   * (default: the response deadline + 1 s).
   */
  response(timeoutMs?: number): Promise<InteractionCallback>;
  /** The @original message (reply, deferred reply, or the component's message after type 6/7), latest state. */
  original(): FakeMessage | undefined;
  /** Follow-up messages (a follow-up that replaced a deferred reply is `original()` instead). */
  followUps(): FakeMessage[];
  /** The modal data of an accepted type-9 callback. */
  modal(): Json | undefined;
  /** HTTP mode: the endpoint's answer to the signed POST, once it came (undefined before, or on the gateway). */
  http(): EndpointAnswer | undefined;
};

export type SlashCommandInput = {
  subcommand?: string;
  group?: string;
  /** Option values; types come from the registered command (PUT .../commands), else from the JS type. */
  options?: Record<string, string | number | boolean>;
  channelId?: string;
  userId?: string;
  locale?: string;
};

export type ActorInput = { userId?: string; locale?: string };

export type RateLimitOptions = {
  /** Default 250 ms (real Discord: usually a second or more; kept short for tests). */
  retryAfterMs?: number;
  /** A global rate limit (X-RateLimit-Global) instead of a per-route one. */
  global?: boolean;
};

export type FakeDiscord = {
  /** Pass as `rest: { api }`: `http://127.0.0.1:PORT/api` (discord.js appends `/v10`). */
  apiUrl: string;
  /** What GET /gateway/bot returns: `ws://127.0.0.1:PORT`. */
  gatewayUrl: string;
  /** `http://127.0.0.1:PORT` (attachments are served under `/attachments/`). */
  url: string;
  token: string;
  applicationId: string;
  botUser: FakeUser;
  guilds: FakeGuild[];
  /** The first guild. */
  guild: FakeGuild;
  /** The first text channel of the first guild: the default for interactions. */
  channelId: string;
  /** The first human member of the first guild: the default user for interactions. */
  userId: string;

  /** Every REST call so far (live array). */
  calls: DiscordCall[];
  /** Calls with this method (`*` for any) whose path matches (a string must match exactly). */
  callsTo(method: string, path: RegExp | string): DiscordCall[];
  /**
   * Things the fake noticed that are not Discord errors: gateway protocol errors, compression requests, REST
   * calls with a token that is not the fake's, crashes of the fake itself. A clean test ends with `[]`.
   */
  problems: string[];

  /** WebSocket connections opened so far. */
  readonly connections: number;
  readonly identifies: number;
  readonly resumes: number;
  /** Heartbeats (op 1) received and acked. */
  readonly heartbeats: number;
  /** Whether a client has an identified, open gateway connection. */
  readonly connected: boolean;
  /** Resolves once a client has identified and received its guilds. */
  waitForSession(timeoutMs?: number): Promise<void>;
  /** Sends a raw dispatch (op 0, `t`, `d`) to the connected client (replayed on resume if disconnected). */
  dispatchEvent(t: string, d: unknown): void;
  /** The gateway intents of the newest IDENTIFY (undefined before one). */
  readonly intents: number | undefined;
  /**
   * A member writes a message in a channel or thread (stored like any message). As Discord does, the
   * client hears of it (MESSAGE_CREATE) only with the GuildMessages intent, and sees its text only with
   * the Message Content intent.
   */
  userMessage(channelId: string, userId: string, content: string): FakeMessage;
  /** The reactions the bot added to a message, by emoji (as sent, URL-decoded). */
  reactionsOn(messageId: string): string[];
  /** Sends op 7 RECONNECT and resolves once the client has resumed. */
  requestReconnect(timeoutMs?: number): Promise<void>;
  /** Drops the TCP connection without a close frame (the client resumes on its own). */
  dropConnection(): void;

  /**
   * Sends INTERACTION_CREATE with a fresh id and token to the connected client, or, after
   * deliverInteractionsTo, POSTs it signed to the interactions endpoint.
   */
  dispatchInteraction(input: InteractionInput): FakeInteraction;
  /** The application's Ed25519 public key, 64 hex characters (the Developer Portal's "Public Key"). */
  publicKey: string;
  /**
   * HTTP interactions: every interaction from now on is POSTed to these URLs in turn (the Interactions
   * Endpoint URL behind a round-robin balancer); an empty list goes back to the gateway.
   */
  deliverInteractionsTo(urls: string[]): void;
  /** The application's signature (hex) over timestamp + body, as Discord sends it. */
  signInteraction(timestamp: string, body: string): string;
  /** One raw POST to the interactions endpoint, signed unless `signature` is given (forgeries, PING). */
  postInteraction(body: string, options?: SignedPostOptions): Promise<EndpointAnswer>;
  /**
   * A DM channel of a user: with the bot (`bot`, context 1) or with other people or a group (`private`,
   * context 2; the bot is not in it). Only interaction webhooks reach it; returns its id.
   */
  openDm(userId: string, kind?: 'bot' | 'private'): string;
  /** A chat-input command as a user would invoke it: `slashCommand('design', { subcommand: 'create', options: { prompt } })`. */
  slashCommand(name: string, input?: SlashCommandInput): FakeInteraction;
  /**
   * A file a user attaches to a command (an Attachment option takes the returned id). It is served on
   * the fake's CDN path unless `url` puts it elsewhere; `size` overrides what Discord reports of it.
   */
  addUserAttachment(input: {
    filename: string;
    contentType: string;
    bytes: Buffer;
    url?: string;
    size?: number;
  }): string;
  /** The ids of attachments downloaded from the fake's CDN path, in order. */
  attachmentDownloads: string[];
  /** Clicks a button on a message (its latest state); throws if there is no such enabled button. */
  clickButton(message: FakeMessage, customId: string, actor?: ActorInput): FakeInteraction;
  /** Picks values in a select menu on a message; throws for unknown values or a wrong count. */
  selectMenu(message: FakeMessage, customId: string, values: string[], actor?: ActorInput): FakeInteraction;
  /**
   * Submits the modal that `opened` answered with (callback type 9), filling text inputs from `values` by
   * custom_id (prefilled values and '' otherwise); throws when a required input is empty or a length is off.
   */
  submitModal(
    opened: FakeInteraction,
    values: Record<string, string | string[]>,
    actor?: ActorInput,
  ): FakeInteraction;
  interaction(interactionId: string): FakeInteraction | undefined;
  interactionResponses(interactionId: string): InteractionCallback[];

  /** The latest state of a message (deleted ones too, with `deleted: true`). */
  message(channelId: string, messageId: string): FakeMessage | undefined;
  /** Messages in a channel or thread, oldest first, without deleted ones (ephemeral ones included). */
  messagesIn(channelId: string): FakeMessage[];
  channel(channelId: string): FakeChannel | undefined;
  /** Registered commands: global without guildId. */
  commands(guildId?: string): Json[];

  /**
   * Takes a permission from the bot in a channel (threads inherit it from their parent) and tells the client
   * with CHANNEL_UPDATE. SEND_MESSAGES / SEND_MESSAGES_IN_THREADS / CREATE_*_THREADS / ATTACH_FILES make the
   * matching calls answer 403 50013; VIEW_CHANNEL makes every call on the channel answer 403 50001;
   * EMBED_LINKS silently drops embeds like Discord. Interaction responses are webhooks: never affected.
   */
  denyChannel(channelId: string, permission: DeniablePermission): void;
  /** Gives back one denied permission, or all of them. */
  allowChannel(channelId: string, permission?: DeniablePermission): void;
  /** The next `count` calls matching method (`*` for any) and path answer 429. */
  rateLimit(method: string, path: RegExp | string, count?: number, options?: RateLimitOptions): void;
  /** The next `count` calls matching answer `status` with `body` (default: Discord's body for the status). */
  failNext(method: string, path: RegExp | string, status: number, body?: Json, count?: number): void;
  /** Archives (and optionally locks) a thread, as Discord's auto-archive would. */
  archiveThread(threadId: string, locked?: boolean): void;

  /** The fake's clock. */
  now(): number;
  /** Moves the fake's clock forward (expires interaction deadlines and tokens). */
  advanceTime(ms: number): void;
  /**
   * Resolves with check()'s first truthy result, re-checked after every request, gateway message and every
   * 20 ms; rejects after timeoutMs (default 3000).
   */
  waitFor<T>(check: () => T | undefined | null | false, timeoutMs?: number, what?: string): Promise<T>;
  /** Closes gateway connections (1001) and the server. Destroy the client first. */
  close(): Promise<void>;
};

/** An HTTP answer; a class so handlers can return `FakeMessage | Reply` and callers tell them apart. */
class Reply {
  constructor(
    readonly status: number,
    readonly body?: unknown,
    readonly headers?: Record<string, string>,
  ) {}
}

function isReply(value: unknown): value is Reply {
  return value instanceof Reply;
}

type RouteContext = {
  params: string[];
  body: Json;
  rawBody: unknown;
  uploads: FakeUpload[];
  query: URLSearchParams;
};

type Route = {
  method: string;
  pattern: RegExp;
  auth: boolean;
  handle: (context: RouteContext) => Reply | Promise<Reply>;
};

type InteractionState = {
  id: string;
  token: string;
  type: 2 | 3 | 4 | 5;
  payload: Json;
  guildId: string;
  channelId: string;
  userId: string;
  dispatchedAt: number;
  commandName: string | undefined;
  callbacks: InteractionCallback[];
  /** The accepted callback type, once acknowledged. */
  acknowledged: number | undefined;
  /** HTTP mode: the signed POST in flight (webhook calls wait for it), then its answer. */
  httpPending: Promise<void> | undefined;
  httpAnswer: EndpointAnswer | undefined;
  originalId: string | undefined;
  followUpIds: string[];
  /** The component's message (type 3, or type 5 opened from a component). */
  sourceMessageId: string | undefined;
  /** authorizing_integration_owners as sent. */
  owners: Json;
};

type DispatchFrame = { op: 0; s: number; t: string; d: unknown };

type Session = {
  id: string;
  /** The IDENTIFY's intents bit field. */
  intents: number;
  seq: number;
  events: DispatchFrame[];
  peer: WebSocketPeer | undefined;
  ready: boolean;
};

type Connection = { peer: WebSocketPeer; session: Session | undefined };

type Fault = {
  method: string;
  path: RegExp | string;
  remaining: number;
  reply: (now: number) => Reply;
};

function matches(method: string, path: RegExp | string, call: { method: string; path: string }): boolean {
  if (method !== '*' && method.toUpperCase() !== call.method) return false;
  return typeof path === 'string' ? path === call.path : path.test(call.path);
}

type Waiter = { poll: () => void; fail: (error: Error) => void };

const maxReplayEvents = 1000;
const requestSizeLimit = 25 * 1024 * 1024;

export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const token = options.token ?? 'fake-bot-token';
  if (/^(bot|bearer)/i.test(token))
    throw new Error(
      `fake Discord: discord.js strips a leading "Bot"/"Bearer" from tokens; ${token} would never match`,
    );
  const applicationId = options.applicationId ?? '1100000000000000001';
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 41250;
  const deadlineMs = options.interactionDeadlineMs ?? 3000;
  const tokenTtlMs = options.interactionTokenTtlMs ?? 15 * 60 * 1000;
  const attachmentSizeLimit = options.attachmentSizeLimit ?? 10 * 1024 * 1024;
  const baseClock = options.now ?? Date.now;
  let clockOffset = 0;
  const now = () => baseClock() + clockOffset;
  const iso = (ms = now()) => new Date(ms).toISOString();
  const nextId = snowflakes(now);

  const botUser: FakeUser = { id: applicationId, username: options.botUsername ?? 'Facet', bot: true };
  const users = new Map<string, FakeUser>([[botUser.id, botUser]]);
  /** Reactions the bot added, by message id. */
  const reactions = new Map<string, string[]>();
  let lastIntents: number | undefined;
  const guilds = (options.guilds ?? [{}]).map(buildGuild);
  const channels = new Map<string, FakeChannel>();
  for (const guild of guilds) for (const channel of guild.channels) channels.set(channel.id, channel);
  const firstGuild = guilds[0];
  if (!firstGuild) throw new Error('fake Discord: at least one guild is needed');
  const firstText = firstGuild.channels.find((channel) => channel.type === ChannelKind.text);
  const firstHuman = firstGuild.members.find((member) => !member.user.bot);
  if (!firstText || !firstHuman)
    throw new Error('fake Discord: the first guild needs a text channel and a member');

  const calls: DiscordCall[] = [];
  const problems: string[] = [];
  const messages = new Map<string, FakeMessage>();
  const channelMessages = new Map<string, string[]>();
  const attachments = new Map<string, FakeAttachment>();
  const attachmentDownloads: string[] = [];
  const interactions = new Map<string, InteractionState>();
  const interactionsByToken = new Map<string, InteractionState>();
  const handles = new Map<string, FakeInteraction>();
  const globalCommands: Json[] = [];
  const guildCommands = new Map<string, Json[]>();
  const denials = new Map<string, Set<DeniablePermission>>();
  /** DM channels (guildId ''): whose, and whether with the bot or between users (group DMs too). */
  const dms = new Map<string, { userId: string; kind: 'bot' | 'private' }>();
  const faults: Fault[] = [];
  const waiters = new Set<Waiter>();
  const sessions = new Map<string, Session>();
  const liveConnections = new Set<Connection>();
  let current: Session | undefined;
  let connectionCount = 0;
  let identifies = 0;
  let resumes = 0;
  let heartbeats = 0;
  let closing = false;
  const endpoint = new FakeInteractionsEndpoint();

  function buildGuild(init: FakeGuildInit): FakeGuild {
    const id = init.id ?? nextId();
    const joinedAt = iso();
    const everyone: FakeRole = {
      id,
      name: '@everyone',
      permissions: bitsOf(init.everyonePermissions ?? defaultEveryonePermissions),
      position: 0,
      managed: false,
    };
    const botRole: FakeRole = {
      id: nextId(),
      name: botUser.username,
      permissions: bitsOf(options.botPermissions ?? defaultBotPermissions),
      position: 1,
      managed: true,
    };
    const roles = [
      everyone,
      botRole,
      ...(init.roles ?? []).map((role, index) => ({
        id: role.id ?? nextId(),
        name: role.name,
        permissions: bitsOf(role.permissions ?? []),
        position: index + 2,
        managed: false,
      })),
    ];
    const roleId = (ref: string) => {
      const role = roles.find((candidate) => candidate.id === ref || candidate.name === ref);
      if (!role) throw new Error(`fake Discord: guild ${id} has no role ${ref}`);
      return role.id;
    };
    const humans = (init.members ?? [{ username: 'ada' }]).map((member): FakeMember => {
      const user = users.get(member.id ?? '') ?? {
        id: member.id ?? nextId(),
        username: member.username,
        bot: false,
      };
      users.set(user.id, user);
      return { user, roleIds: (member.roles ?? []).map(roleId), nick: member.nick ?? null, joinedAt };
    });
    const members = [{ user: botUser, roleIds: [botRole.id], nick: null, joinedAt }, ...humans];
    const guildChannels = (init.channels ?? [{ name: 'design' }]).map((channel, index): FakeChannel => ({
      id: channel.id ?? nextId(),
      type: ChannelKind[channel.type ?? 'text'],
      name: channel.name,
      guildId: id,
      parentId: null,
      position: index,
      topic: channel.topic ?? null,
      lastMessageId: null,
      thread: null,
    }));
    return {
      id,
      name: init.name ?? 'Facet Test',
      ownerId: init.ownerId ?? humans[0]?.user.id ?? botUser.id,
      roles,
      members,
      channels: guildChannels,
      memberCount: init.memberCount ?? members.length,
      joinedAt,
      botAbsent: init.botAbsent ?? false,
    };
  }

  // ---------------------------------------------------------------- state helpers

  /** The guilds the bot is a member of (the gateway's and the bot token's world). */
  function botGuilds(): FakeGuild[] {
    return guilds.filter((guild) => !guild.botAbsent);
  }

  /** A DM (guildId '') or a channel of a server without the bot: the bot token cannot reach it. */
  function beyondBot(channel: FakeChannel): boolean {
    return channel.guildId === '' || (guildById(channel.guildId)?.botAbsent ?? false);
  }

  function guildById(id: string): FakeGuild | undefined {
    return guilds.find((guild) => guild.id === id);
  }

  function guildOf(channel: FakeChannel): FakeGuild {
    const guild = guildById(channel.guildId);
    if (!guild) throw new Error(`fake Discord: channel ${channel.id} has no guild`);
    return guild;
  }

  function isDenied(channel: FakeChannel, permission: DeniablePermission, inherit = true): boolean {
    if (denials.get(channel.id)?.has(permission)) return true;
    return inherit && channel.thread !== null && channel.parentId !== null
      ? (denials.get(channel.parentId)?.has(permission) ?? false)
      : false;
  }

  function deniedBits(channel: FakeChannel): bigint {
    const own = [...(denials.get(channel.id) ?? [])];
    const inherited = channel.thread && channel.parentId ? [...(denials.get(channel.parentId) ?? [])] : [];
    return bitsOf([...own, ...inherited]);
  }

  function permissionsOf(guild: FakeGuild, member: FakeMember, channel: FakeChannel | undefined): bigint {
    let bits = 0n;
    for (const role of guild.roles)
      if (role.id === guild.id || member.roleIds.includes(role.id)) bits |= role.permissions;
    if ((bits & permissionBits.ADMINISTRATOR) !== 0n) return allPermissions;
    if (member.user.id === botUser.id && channel) bits &= ~deniedBits(channel);
    return bits;
  }

  function overwritesOf(channel: FakeChannel): Json[] {
    const denied = denials.get(channel.id);
    if (!denied || denied.size === 0) return [];
    return [{ id: botUser.id, type: 1, allow: '0', deny: bitsOf([...denied]).toString() }];
  }

  function channelBody(channel: FakeChannel): Json {
    return channelJson(channel, overwritesOf(channel));
  }

  function guildJson(guild: FakeGuild, full: boolean): Json {
    const system = guild.channels.find((channel) => channel.type === ChannelKind.text);
    const base: Json = {
      id: guild.id,
      name: guild.name,
      icon: null,
      splash: null,
      discovery_splash: null,
      banner: null,
      description: null,
      owner_id: guild.ownerId,
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      roles: guild.roles.map((role) => roleJson(role, botUser.id)),
      emojis: [],
      stickers: [],
      features: [],
      mfa_level: 0,
      application_id: null,
      system_channel_id: system?.id ?? null,
      system_channel_flags: 0,
      rules_channel_id: null,
      public_updates_channel_id: null,
      safety_alerts_channel_id: null,
      vanity_url_code: null,
      premium_tier: 0,
      premium_subscription_count: 0,
      premium_progress_bar_enabled: false,
      preferred_locale: 'en-US',
      nsfw_level: 0,
      max_members: 500000,
      max_video_channel_users: 25,
    };
    if (!full) return base;
    return {
      ...base,
      joined_at: guild.joinedAt,
      large: false,
      unavailable: false,
      member_count: guild.memberCount,
      voice_states: [],
      members: guild.members.map(memberJson),
      channels: guild.channels.filter((channel) => !channel.thread).map(channelBody),
      threads: guild.channels
        .filter((channel) => channel.thread && !channel.thread.archived)
        .map(channelBody),
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  function messageJson(message: FakeMessage): Json {
    const interaction = message.interactionId ? interactions.get(message.interactionId) : undefined;
    const thread = message.threadId ? channels.get(message.threadId) : undefined;
    const user = interaction ? users.get(interaction.userId) : undefined;
    return {
      id: message.id,
      channel_id: message.channelId,
      ...(message.guildId === '' ? {} : { guild_id: message.guildId }),
      author: userJson(botUser),
      content: message.content,
      timestamp: message.createdAt,
      edited_timestamp: message.editedAt,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      // Discord lists only the loose files: an attachment an embed shows is left out. A V2 message
      // lists them all (its components show only those they name; the rest are not shown at all).
      attachments: ((message.flags & MessageFlag.componentsV2) !== 0
        ? message.attachments
        : looseAttachments(message)
      ).map(attachmentJson),
      embeds: message.embeds,
      pinned: false,
      type: message.type,
      flags: message.flags,
      components: message.components,
      ...(message.webhookId ? { webhook_id: message.webhookId, application_id: applicationId } : {}),
      ...(interaction && user
        ? {
            interaction_metadata: {
              id: interaction.id,
              type: interaction.type,
              user: userJson(user),
              authorizing_integration_owners: interaction.owners,
              ...(interaction.commandName ? { name: interaction.commandName } : {}),
            },
          }
        : {}),
      ...(thread ? { thread: channelBody(thread) } : {}),
      ...(message.messageReference ? { message_reference: message.messageReference } : {}),
    };
  }

  function storeMessage(message: FakeMessage) {
    messages.set(message.id, message);
    const list = channelMessages.get(message.channelId) ?? [];
    list.push(message.id);
    channelMessages.set(message.channelId, list);
    const channel = channels.get(message.channelId);
    if (channel && !isEphemeral(message)) {
      channel.lastMessageId = message.id;
      if (channel.thread) channel.thread.messageCount += 1;
    }
  }

  // ---------------------------------------------------------------- replies

  function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
    return new Reply(status, body, headers);
  }

  function fail(status: number, code: number, message: string, errors?: Json): Reply {
    return json(status, { code, message, ...(errors ? { errors } : {}) });
  }

  function legacyField(path: (string | number)[]): FieldError {
    return {
      path,
      code: 'MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2',
      message: `The ${String(path.at(-1))} field must be emptied to use MessageFlags.IS_COMPONENTS_V2`,
    };
  }

  function invalidForm(errors: FieldError[]): Reply {
    return fail(400, 50035, 'Invalid Form Body', errorTree(errors));
  }

  const unknownChannel = () => fail(404, 10003, 'Unknown Channel');
  const unknownMessage = () => fail(404, 10008, 'Unknown Message');
  const missingPermissions = () => fail(403, 50013, 'Missing Permissions');
  const missingAccess = () => fail(403, 50001, 'Missing Access');

  /** A channel the bot can see, or the reply explaining why not. */
  function visibleChannel(id: string | undefined): FakeChannel | Reply {
    const channel = id === undefined ? undefined : channels.get(id);
    if (!channel) return unknownChannel();
    if (beyondBot(channel) || isDenied(channel, 'VIEW_CHANNEL')) return missingAccess();
    return channel;
  }

  // ---------------------------------------------------------------- message bodies and attachments

  function uploadsProblem(uploads: FakeUpload[]): Reply | undefined {
    const total = uploads.reduce((sum, upload) => sum + upload.bytes.length, 0);
    if (uploads.some((upload) => upload.bytes.length > attachmentSizeLimit) || total > requestSizeLimit)
      return fail(413, 40005, 'Request entity too large');
    return undefined;
  }

  function addUserAttachment(input: {
    filename: string;
    contentType: string;
    bytes: Buffer;
    url?: string;
    size?: number;
  }): string {
    const id = nextId();
    const size = pngSize(input.bytes);
    attachments.set(id, {
      id,
      filename: input.filename,
      description: null,
      contentType: input.contentType,
      size: input.size ?? input.bytes.length,
      bytes: input.bytes,
      // Ephemeral attachments of a command live under no channel of the guild.
      url:
        input.url ?? `${base}/attachments/ephemeral-attachments/${id}/${encodeURIComponent(input.filename)}`,
      width: size?.width ?? null,
      height: size?.height ?? null,
    });
    return id;
  }

  /** New attachments from `files[n]` uploads, with filename/description overrides from `attachments: [{ id: n }]`. */
  function newAttachments(channelId: string, body: Json, uploads: FakeUpload[]): FakeAttachment[] {
    const described = records(body.attachments);
    return uploads.map((upload, position) => {
      const index = /^files\[(\d+)\]$/.exec(upload.field)?.[1] ?? String(position);
      const meta = described.find((entry) => String(entry.id) === index) ?? {};
      const filename = typeof meta.filename === 'string' ? meta.filename : upload.name;
      const id = nextId();
      const size = pngSize(upload.bytes);
      const attachment: FakeAttachment = {
        id,
        filename,
        description: typeof meta.description === 'string' ? meta.description : null,
        contentType: contentTypeFor(filename, upload.contentType),
        size: upload.bytes.length,
        bytes: upload.bytes,
        url: `${base}/attachments/${channelId}/${id}/${encodeURIComponent(filename)}`,
        width: size?.width ?? null,
        height: size?.height ?? null,
      };
      attachments.set(id, attachment);
      return attachment;
    });
  }

  /** The file names a create or edit uploads (`files[n]`, renamed by `attachments: [{ id: n, filename }]`). */
  function uploadNames(body: Json, uploads: FakeUpload[]): string[] {
    const described = records(body.attachments);
    return uploads.map((upload, position) => {
      const index = /^files\[(\d+)\]$/.exec(upload.field)?.[1] ?? String(position);
      const meta = described.find((entry) => String(entry.id) === index) ?? {};
      return typeof meta.filename === 'string' ? meta.filename : upload.name;
    });
  }

  /** The ids of the files V2 components (as sent) show, among `files`. */
  function shownByComponents(components: Json[], files: FakeAttachment[]): string[] {
    const names = attachmentNamesInComponents(components);
    return files.filter((file) => names.includes(file.filename)).map((file) => file.id);
  }

  /** The ids of the files `embeds` (as sent) show, among `files`. */
  function embeddedIn(embeds: Json[], files: FakeAttachment[]): string[] {
    const names = attachmentNamesIn(embeds);
    return files.filter((file) => names.includes(file.filename)).map((file) => file.id);
  }

  function embedsFor(channel: FakeChannel, embeds: unknown, files: FakeAttachment[]): Json[] {
    if (isDenied(channel, 'EMBED_LINKS')) return [];
    return resolveAttachmentUrls(embeds === null ? [] : records(embeds), files);
  }

  type NewMessage = {
    channel: FakeChannel;
    body: Json;
    uploads: FakeUpload[];
    type: number;
    webhookId: string | null;
    interactionId: string | null;
    extraFlags?: number;
    /** Callback bodies sit under `data`. */
    prefix?: string[];
    /** Interaction responses ignore channel permissions (they are webhooks). */
    asWebhook: boolean;
  };

  /** Validates and stores a new message; returns it or the error reply. */
  function createMessage(spec: NewMessage): FakeMessage | Reply {
    const { channel, body, uploads } = spec;
    const tooLarge = uploadsProblem(uploads);
    if (tooLarge) return tooLarge;
    const { errors, empty } = checkMessage(body, {
      prefix: spec.prefix ?? [],
      attachmentCount: uploads.length,
      fileNames: uploadNames(body, uploads),
      creating: true,
    });
    if (errors.length > 0) return invalidForm(errors);
    if (empty) return fail(400, 50006, 'Cannot send an empty message');
    if (!spec.asWebhook && uploads.length > 0 && isDenied(channel, 'ATTACH_FILES'))
      return missingPermissions();
    const files = newAttachments(channel.id, body, uploads);
    const embeds = spec.asWebhook
      ? resolveAttachmentUrls(records(body.embeds), files)
      : embedsFor(channel, body.embeds, files);
    const bodyFlags = typeof body.flags === 'number' ? body.flags : 0;
    const flags =
      (bodyFlags & (MessageFlag.ephemeral | MessageFlag.suppressEmbeds | MessageFlag.componentsV2)) |
      (spec.extraFlags ?? 0);
    const reference = isRecord(body.message_reference) ? body.message_reference : null;
    const v2 = (flags & MessageFlag.componentsV2) !== 0;
    const components = records(body.components);
    const message: FakeMessage = {
      id: nextId(),
      channelId: channel.id,
      guildId: channel.guildId,
      content: typeof body.content === 'string' ? body.content : '',
      embeds,
      components: v2 ? resolveComponentAttachments(components, files) : components,
      attachments: files,
      embedded: v2
        ? shownByComponents(components, files)
        : embeddedIn(embeds.length > 0 ? records(body.embeds) : [], files),
      flags,
      type: reference && spec.type === 0 ? 19 : spec.type,
      authorId: botUser.id,
      webhookId: spec.webhookId,
      interactionId: spec.interactionId,
      threadId: null,
      messageReference: reference,
      allowedMentions: isRecord(body.allowed_mentions) ? body.allowed_mentions : null,
      createdAt: iso(),
      editedAt: null,
      edits: 0,
      deleted: false,
    };
    storeMessage(message);
    return message;
  }

  /** Validates and applies an edit (PATCH semantics: absent fields stay); returns the error reply if any. */
  function editMessage(
    message: FakeMessage,
    body: Json,
    uploads: FakeUpload[],
    prefix: string[] = [],
  ): Reply | undefined {
    const tooLarge = uploadsProblem(uploads);
    if (tooLarge) return tooLarge;
    const keepIds = Array.isArray(body.attachments)
      ? new Set(records(body.attachments).map((entry) => String(entry.id)))
      : undefined;
    const kept = keepIds
      ? message.attachments.filter((attachment) => keepIds.has(attachment.id))
      : message.attachments;
    const bodyFlags = typeof body.flags === 'number' ? body.flags : undefined;
    const flags =
      bodyFlags === undefined
        ? message.flags
        : (message.flags & ~MessageFlag.suppressEmbeds) |
          (bodyFlags & (MessageFlag.suppressEmbeds | MessageFlag.componentsV2));
    const v2 = (flags & MessageFlag.componentsV2) !== 0;
    const { errors } = checkMessage(
      { ...body, flags },
      {
        prefix,
        attachmentCount: kept.length + uploads.length,
        fileNames: [...kept.map((file) => file.filename), ...uploadNames(body, uploads)],
        creating: false,
      },
    );
    // A message turned V2 by this edit must empty its legacy fields: `content` to null (or ''), `embeds`
    // to an empty list (Discord refuses a null list there, discord/discord-api-docs#7787).
    if (v2 && (message.flags & MessageFlag.componentsV2) === 0) {
      if (message.content !== '' && !('content' in body && (body.content === null || body.content === '')))
        errors.push(legacyField([...prefix, 'content']));
      if (message.embeds.length > 0 && !(Array.isArray(body.embeds) && body.embeds.length === 0))
        errors.push(legacyField([...prefix, 'embeds']));
    }
    if (errors.length > 0) return invalidForm(errors);
    const channel = channels.get(message.channelId);
    const added = newAttachments(message.channelId, body, uploads);
    const files = [...kept, ...added];
    const next = {
      content: 'content' in body ? (typeof body.content === 'string' ? body.content : '') : message.content,
      embeds:
        'embeds' in body
          ? message.webhookId || !channel
            ? resolveAttachmentUrls(records(body.embeds), files)
            : embedsFor(channel, body.embeds, files)
          : resolveAttachmentUrls(message.embeds, files),
      components:
        'components' in body
          ? v2
            ? resolveComponentAttachments(records(body.components), files)
            : records(body.components)
          : message.components,
    };
    if (
      next.content.trim() === '' &&
      next.embeds.length === 0 &&
      next.components.length === 0 &&
      files.length === 0
    )
      return fail(400, 50006, 'Cannot send an empty message');
    const embedded = v2
      ? 'components' in body
        ? shownByComponents(records(body.components), files)
        : message.embedded.filter((id) => files.some((file) => file.id === id))
      : 'embeds' in body
        ? embeddedIn(
            next.embeds.length > 0 ? records(body.embeds) : [],
            // Without an attachments list Discord keeps the files it had but no longer counts them as the
            // embed's, even when the new embed names them: they show in the embed and again under it
            // (discord/discord-api-docs#5675). Files uploaded with the edit are the embed's as usual.
            Array.isArray(body.attachments) ? files : added,
          )
        : message.embedded.filter((id) => files.some((file) => file.id === id));
    const wasLoading = (message.flags & MessageFlag.loading) !== 0;
    message.content = next.content;
    message.embeds = next.embeds;
    message.components = next.components;
    message.attachments = files;
    message.embedded = embedded;
    message.flags = flags & ~MessageFlag.loading;
    if ('allowed_mentions' in body && isRecord(body.allowed_mentions))
      message.allowedMentions = body.allowed_mentions;
    if (!wasLoading) {
      message.editedAt = iso();
      message.edits += 1;
    }
    return undefined;
  }

  // ---------------------------------------------------------------- interactions

  function interactionByToken(appId: string, interactionToken: string): InteractionState | Reply {
    if (appId !== applicationId) return fail(404, 10015, 'Unknown Webhook');
    const state = interactionsByToken.get(interactionToken);
    if (!state || now() - state.dispatchedAt > tokenTtlMs) return fail(401, 50027, 'Invalid Webhook Token');
    return state;
  }

  const allowedCallbacks: Record<number, number[]> = {
    2: [4, 5, 9, 12],
    3: [4, 5, 6, 7, 9, 12],
    4: [8],
    5: [4, 5, 6, 7],
  };

  function handleCallback(context: RouteContext, via?: 'http'): Reply {
    const [interactionId = '', interactionToken = ''] = context.params;
    const state = interactions.get(interactionId);
    if (!state || state.token !== interactionToken) return fail(404, 10062, 'Unknown interaction');
    const type = typeof context.body.type === 'number' ? context.body.type : -1;
    const data = isRecord(context.body.data) ? context.body.data : undefined;
    const record: InteractionCallback = {
      interactionId,
      type,
      data,
      files: context.uploads,
      at: now(),
      accepted: false,
      status: 0,
      error: undefined,
      ...(via ? { via } : {}),
    };
    state.callbacks.push(record);
    const reply = callbackReply(state, type, data ?? {}, context);
    record.status = reply.status;
    if (reply.status >= 400) record.error = reply.body as DiscordErrorBody;
    else record.accepted = true;
    return reply;
  }

  function callbackReply(state: InteractionState, type: number, data: Json, context: RouteContext): Reply {
    if (now() - state.dispatchedAt > deadlineMs) return fail(404, 10062, 'Unknown interaction');
    if (state.acknowledged !== undefined)
      return fail(400, 40060, 'Interaction has already been acknowledged.');
    const allowed = [...(allowedCallbacks[state.type] ?? [])].filter(
      (candidate) => !((candidate === 6 || candidate === 7) && state.sourceMessageId === undefined),
    );
    if (!allowed.includes(type))
      return invalidForm([
        {
          path: ['type'],
          code: 'INTERACTION_RESPONSE_TYPE_INVALID',
          message: `Interaction response type ${type} is not valid for an interaction of type ${state.type}`,
        },
      ]);
    const channel = channels.get(state.channelId);
    if (!channel) return unknownChannel();
    const source = state.sourceMessageId ? messages.get(state.sourceMessageId) : undefined;
    switch (type) {
      case 4: {
        const created = createMessage({
          channel,
          body: data,
          uploads: context.uploads,
          type: state.type === 2 ? 20 : 0,
          webhookId: applicationId,
          interactionId: state.id,
          prefix: ['data'],
          asWebhook: true,
        });
        if (isReply(created)) return created;
        state.originalId = created.id;
        break;
      }
      case 5: {
        const flags = typeof data.flags === 'number' ? data.flags & MessageFlag.ephemeral : 0;
        const message: FakeMessage = {
          id: nextId(),
          channelId: channel.id,
          guildId: channel.guildId,
          content: '',
          embeds: [],
          components: [],
          attachments: [],
          embedded: [],
          flags: flags | MessageFlag.loading,
          type: state.type === 2 ? 20 : 0,
          authorId: botUser.id,
          webhookId: applicationId,
          interactionId: state.id,
          threadId: null,
          messageReference: null,
          allowedMentions: null,
          createdAt: iso(),
          editedAt: null,
          edits: 0,
          deleted: false,
        };
        storeMessage(message);
        state.originalId = message.id;
        break;
      }
      case 6:
        state.originalId = source?.id;
        break;
      case 7: {
        if (!source || source.deleted) return unknownMessage();
        const problem = editMessage(source, data, context.uploads, ['data']);
        if (problem) return problem;
        state.originalId = source.id;
        break;
      }
      case 9: {
        const errors = checkModal(data);
        if (errors.length > 0) return invalidForm(errors);
        break;
      }
      case 8: {
        const errors = checkAutocompleteChoices(data);
        if (errors.length > 0) return invalidForm(errors);
        break;
      }
      default:
        break;
    }
    state.acknowledged = type;
    if (context.query.get('with_response') !== 'true') return new Reply(204);
    const original = state.originalId ? messages.get(state.originalId) : undefined;
    return json(200, {
      interaction: {
        id: state.id,
        type: state.type,
        activity_instance_id: null,
        response_message_id: original?.id ?? null,
        response_message_loading: original ? (original.flags & MessageFlag.loading) !== 0 : null,
        response_message_ephemeral: original ? isEphemeral(original) : null,
      },
      resource: {
        type,
        ...(original && (type === 4 || type === 7) ? { message: messageJson(original) } : {}),
      },
    });
  }

  function webhookMessage(state: InteractionState, messageId: string): FakeMessage | Reply {
    const id = messageId === '@original' ? state.originalId : messageId;
    const message = id === undefined ? undefined : messages.get(id);
    const belongs = message && (id === state.originalId || state.followUpIds.includes(message.id));
    if (!message || message.deleted || !belongs) return unknownMessage();
    return message;
  }

  function handleFollowUp(context: RouteContext): Reply {
    const [appId = '', interactionToken = ''] = context.params;
    const state = interactionByToken(appId, interactionToken);
    if (isReply(state)) return state;
    if (state.acknowledged === undefined) return fail(404, 10015, 'Unknown Webhook');
    if (context.query.has('thread_id'))
      return invalidForm([
        {
          path: ['thread_id'],
          code: 'INTERACTION_WEBHOOK_THREAD_UNSUPPORTED',
          message: 'Follow-up messages cannot be posted into threads (fake Discord)',
        },
      ]);
    const channel = channels.get(state.channelId);
    if (!channel) return unknownChannel();
    const original = state.originalId ? messages.get(state.originalId) : undefined;
    let message: FakeMessage;
    if (original && !original.deleted && (original.flags & MessageFlag.loading) !== 0) {
      // Discord: the first follow-up after a deferred reply edits the "thinking" message.
      const { errors, empty } = checkMessage(context.body, {
        attachmentCount: context.uploads.length,
        creating: true,
      });
      if (errors.length > 0) return invalidForm(errors);
      if (empty) return fail(400, 50006, 'Cannot send an empty message');
      const problem = editMessage(original, context.body, context.uploads);
      if (problem) return problem;
      message = original;
    } else {
      const created = createMessage({
        channel,
        body: context.body,
        uploads: context.uploads,
        type: 0,
        webhookId: applicationId,
        interactionId: state.id,
        asWebhook: true,
      });
      if (isReply(created)) return created;
      state.followUpIds.push(created.id);
      message = created;
    }
    // Interaction follow-ups behave as if ?wait=true were always set (Discord's docs).
    return json(200, messageJson(message));
  }

  function handleWebhookMessage(method: string, context: RouteContext): Reply {
    const [appId = '', interactionToken = '', messageId = ''] = context.params;
    const state = interactionByToken(appId, interactionToken);
    if (isReply(state)) return state;
    const message = webhookMessage(state, messageId);
    if (isReply(message)) return message;
    if (method === 'GET') return json(200, messageJson(message));
    if (method === 'DELETE') {
      message.deleted = true;
      return new Reply(204);
    }
    const thread = channels.get(message.channelId)?.thread;
    if (thread?.archived) return fail(400, 50083, 'Thread is archived');
    const problem = editMessage(message, context.body, context.uploads);
    return problem ?? json(200, messageJson(message));
  }

  function openedModal(state: InteractionState): Json | undefined {
    return state.callbacks.find((callback) => callback.accepted && callback.type === 9)?.data;
  }

  function readySession(): Session {
    if (!current?.ready)
      throw new Error('fake Discord: no gateway session (log the client in and wait for ready)');
    return current;
  }

  function dispatchInteraction(input: InteractionInput): FakeInteraction {
    const session = endpoint.active ? undefined : readySession();
    const channel = channels.get(input.channelId ?? firstText!.id);
    if (!channel) throw new Error(`fake Discord: unknown channel ${String(input.channelId)}`);
    const source = input.message ? messages.get(input.message.id) : undefined;
    if (input.message && !source)
      throw new Error(`fake Discord: message ${input.message.id} is not in the store`);
    const id = nextId();
    const interactionToken = `fake-interaction.${randomBytes(32).toString('base64url')}`;
    const dm = dms.get(channel.id);
    const guild = dm ? undefined : guildOf(channel);
    const userId = input.userId ?? dm?.userId ?? guild?.members.find((member) => !member.user.bot)?.user.id;
    const user = userId === undefined ? undefined : users.get(userId);
    const member = guild?.members.find((candidate) => candidate.user.id === userId);
    if (!user || (guild && !member))
      throw new Error(`fake Discord: ${String(userId)} cannot use channel ${channel.id}`);
    // A component keeps the owners of the command that made its message (Discord: the authorising
    // installation, not the clicker's).
    const madeBy = source?.interactionId ? interactions.get(source.interactionId) : undefined;
    const owners: Json =
      input.owners ??
      madeBy?.owners ??
      (dm
        ? dm.kind === 'bot' && !input.userInstall
          ? { '0': '0' }
          : { '1': user.id }
        : guild?.botAbsent || input.userInstall
          ? { '1': user.id }
          : { '0': guild!.id });
    const where: Json = guild
      ? {
          guild: { id: guild.id, locale: 'en-US', features: [] },
          guild_id: guild.id,
          member: {
            ...memberJson(member!),
            permissions: permissionsOf(guild, member!, channel).toString(),
          },
          // A user install's app may only send webhook messages, whose permissions Discord lists.
          app_permissions: guild.botAbsent
            ? bitsOf(['ATTACH_FILES', 'EMBED_LINKS', 'MENTION_EVERYONE']).toString()
            : permissionsOf(guild, guild.members[0]!, channel).toString(),
          guild_locale: 'en-US',
          context: input.context ?? 0,
        }
      : {
          user: userJson(user),
          app_permissions: bitsOf(['ATTACH_FILES', 'EMBED_LINKS', 'MENTION_EVERYONE']).toString(),
          context: input.context ?? (dm?.kind === 'bot' ? 1 : 2),
        };
    const payload: Json = {
      id,
      application_id: applicationId,
      type: input.type,
      data: input.data,
      channel: channelBody(channel),
      channel_id: channel.id,
      token: interactionToken,
      version: 1,
      locale: input.locale ?? 'en-US',
      entitlements: [],
      authorizing_integration_owners: owners,
      attachment_size_limit: attachmentSizeLimit,
      ...where,
      ...(source ? { message: messageJson(source) } : {}),
    };
    const state: InteractionState = {
      id,
      token: interactionToken,
      type: input.type,
      payload,
      guildId: guild?.id ?? '',
      channelId: channel.id,
      userId: user.id,
      dispatchedAt: now(),
      commandName: input.type === 2 && typeof input.data.name === 'string' ? input.data.name : undefined,
      callbacks: [],
      acknowledged: undefined,
      httpPending: undefined,
      httpAnswer: undefined,
      originalId: undefined,
      followUpIds: [],
      sourceMessageId: source?.id,
      owners,
    };
    const handle: FakeInteraction = {
      id,
      token: interactionToken,
      type: input.type,
      payload,
      dispatchedAt: state.dispatchedAt,
      channelId: channel.id,
      userId: user.id,
      get callbacks() {
        return state.callbacks;
      },
      response: (timeoutMs = deadlineMs + 1000) =>
        waitFor(
          () => state.callbacks.find((callback) => callback.accepted),
          timeoutMs,
          `an accepted response to interaction ${id}`,
        ),
      original: () => (state.originalId ? messages.get(state.originalId) : undefined),
      followUps: () =>
        state.followUpIds
          .map((followUp) => messages.get(followUp))
          .filter((m): m is FakeMessage => m !== undefined),
      modal: () => openedModal(state),
      http: () => state.httpAnswer,
    };
    interactions.set(id, state);
    interactionsByToken.set(interactionToken, state);
    handles.set(id, handle);
    if (session) dispatch(session, 'INTERACTION_CREATE', payload);
    else state.httpPending = deliverOverHttp(state);
    return handle;
  }

  /** POSTs the interaction to the endpoint; its response body is the first response (a callback). */
  async function deliverOverHttp(state: InteractionState): Promise<void> {
    try {
      const answer = await endpoint.post(JSON.stringify(state.payload));
      state.httpAnswer = answer;
      if (answer.status !== 200) {
        problems.push(`interactions endpoint: ${answer.status} for interaction ${state.id}: ${answer.body}`);
        return;
      }
      let body: unknown;
      try {
        body = JSON.parse(answer.body);
      } catch {
        problems.push(`interactions endpoint: a response that is not JSON for ${state.id}: ${answer.body}`);
        return;
      }
      handleCallback(
        {
          params: [state.id, state.token],
          body: isRecord(body) ? body : {},
          rawBody: body,
          uploads: [],
          query: new URLSearchParams(),
        },
        'http',
      );
    } catch (error) {
      if (!closing) problems.push(`interactions endpoint: ${String(error)} for interaction ${state.id}`);
    } finally {
      state.httpPending = undefined;
      notify();
    }
  }

  /** Discord reads an interaction's HTTP response before it takes the calls on its webhook. */
  async function afterHttpResponse(interactionToken: string): Promise<void> {
    await interactionsByToken.get(interactionToken)?.httpPending;
  }

  function slashCommand(name: string, input: SlashCommandInput = {}): FakeInteraction {
    const channel = channels.get(input.channelId ?? firstText!.id);
    if (!channel) throw new Error(`fake Discord: unknown channel ${String(input.channelId)}`);
    const guild = dms.has(channel.id) ? undefined : guildOf(channel);
    const isChatInput = (command: Json) => command.name === name && (command.type ?? 1) === 1;
    // A server without the bot, or a DM, sees only global commands (guild ones are the bot's server's).
    const local = guild && !guild.botAbsent ? guildCommands.get(guild.id)?.find(isChatInput) : undefined;
    const registered = local ?? globalCommands.find(isChatInput);
    let definitions = records(registered?.options);
    if (input.group)
      definitions = records(definitions.find((o) => o.name === input.group && o.type === 2)?.options);
    if (input.subcommand)
      definitions = records(definitions.find((o) => o.name === input.subcommand && o.type === 1)?.options);
    const resolved: Record<string, Json> = {};
    const resolve = (kind: string, id: string, value: Json) => {
      const bucket = resolved[kind] ?? {};
      bucket[id] = value;
      resolved[kind] = bucket;
    };
    const values = input.options ?? {};
    for (const definition of definitions) {
      if (definition.required === true && !(String(definition.name) in values))
        throw new Error(`fake Discord: /${name} needs option ${String(definition.name)}`);
    }
    let options: Json[] = Object.entries(values).map(([optionName, value]) => {
      const definition = definitions.find((candidate) => candidate.name === optionName);
      if (registered && !definition) throw new Error(`fake Discord: /${name} has no option ${optionName}`);
      const type =
        typeof definition?.type === 'number'
          ? definition.type
          : typeof value === 'string'
            ? 3
            : typeof value === 'boolean'
              ? 5
              : Number.isInteger(value)
                ? 4
                : 10;
      const id = String(value);
      if (!guild && (type === 6 || type === 9)) {
        // In a DM only the user is resolved: there are no members.
        const user = users.get(id);
        if (user) resolve('users', id, userJson(user));
      } else if (guild && (type === 6 || type === 9)) {
        const member = guild.members.find((candidate) => candidate.user.id === id);
        if (member) {
          resolve('users', id, userJson(member.user));
          // Resolved members come without their user (that is in resolved.users).
          resolve('members', id, {
            ...memberJson(member),
            user: undefined,
            permissions: permissionsOf(guild, member, channel).toString(),
          });
        }
      } else if (type === 7) {
        const target = channels.get(id);
        if (target)
          resolve('channels', id, { ...channelBody(target), permissions: allPermissions.toString() });
      } else if (guild && type === 8) {
        const role = guild.roles.find((candidate) => candidate.id === id);
        if (role) resolve('roles', id, roleJson(role, botUser.id));
      } else if (type === 11) {
        const attachment = attachments.get(id);
        if (!attachment) throw new Error(`fake Discord: no attachment ${id} (addUserAttachment first)`);
        resolve('attachments', id, attachmentJson(attachment));
      }
      return { name: optionName, type, value };
    });
    if (input.subcommand) options = [{ type: 1, name: input.subcommand, options }];
    if (input.group) options = [{ type: 2, name: input.group, options }];
    return dispatchInteraction({
      type: 2,
      data: {
        id: typeof registered?.id === 'string' ? registered.id : nextId(),
        name,
        type: 1,
        ...(typeof registered?.guild_id === 'string' ? { guild_id: registered.guild_id } : {}),
        options,
        ...(Object.keys(resolved).length > 0 ? { resolved } : {}),
      },
      channelId: channel.id,
      ...(input.userId ? { userId: input.userId } : {}),
      ...(input.locale ? { locale: input.locale } : {}),
    });
  }

  function openDm(userId: string, kind: 'bot' | 'private' = 'bot'): string {
    if (!users.has(userId)) throw new Error(`fake Discord: unknown user ${userId}`);
    const channel: FakeChannel = {
      id: nextId(),
      type: kind === 'bot' ? 1 : 3,
      name: '',
      guildId: '',
      parentId: null,
      position: 0,
      topic: null,
      lastMessageId: null,
      thread: null,
    };
    channels.set(channel.id, channel);
    dms.set(channel.id, { userId, kind });
    return channel.id;
  }

  function componentOn(message: FakeMessage, customId: string): { latest: FakeMessage; component: Json } {
    const latest = messages.get(message.id);
    if (!latest || latest.deleted)
      throw new Error(`fake Discord: message ${message.id} does not exist (any more)`);
    const component = findComponent(latest.components, customId);
    if (!component)
      throw new Error(
        `fake Discord: message ${message.id} has no component ${customId} (it has: ${customIds(latest.components).join(', ') || 'none'})`,
      );
    if (component.disabled === true) throw new Error(`fake Discord: component ${customId} is disabled`);
    return { latest, component };
  }

  function clickButton(message: FakeMessage, customId: string, actor: ActorInput = {}): FakeInteraction {
    const { latest, component } = componentOn(message, customId);
    if (component.type !== 2) throw new Error(`fake Discord: ${customId} is not a button`);
    return dispatchInteraction({
      type: 3,
      data: { custom_id: customId, component_type: 2 },
      channelId: latest.channelId,
      message: latest,
      ...actor,
    });
  }

  function selectMenu(message: FakeMessage, customId: string, values: string[], actor: ActorInput = {}) {
    const { latest, component } = componentOn(message, customId);
    const type = component.type;
    if (typeof type !== 'number' || ![3, 5, 6, 7, 8].includes(type))
      throw new Error(`fake Discord: ${customId} is not a select menu`);
    const min = typeof component.min_values === 'number' ? component.min_values : 1;
    const max = typeof component.max_values === 'number' ? component.max_values : 1;
    if (values.length < min || values.length > max)
      throw new Error(`fake Discord: ${customId} takes ${min}..${max} values, got ${values.length}`);
    if (type === 3) {
      const allowed = new Set(records(component.options).map((option) => option.value));
      const unknown = values.filter((value) => !allowed.has(value));
      if (unknown.length > 0)
        throw new Error(`fake Discord: ${customId} has no option ${unknown.join(', ')}`);
    }
    return dispatchInteraction({
      type: 3,
      data: { custom_id: customId, component_type: type, values },
      channelId: latest.channelId,
      message: latest,
      ...actor,
    });
  }

  function submitModal(
    opened: FakeInteraction,
    values: Record<string, string | string[]>,
    actor: ActorInput = {},
  ): FakeInteraction {
    const state = interactions.get(opened.id);
    const modal = state ? openedModal(state) : undefined;
    if (!state || !modal) throw new Error(`fake Discord: interaction ${opened.id} did not open a modal`);
    const used = new Set<string>();
    const submitted = (input: Json): Json => {
      const customId = String(input.custom_id);
      used.add(customId);
      const given = values[customId];
      if (input.type !== 4) {
        const picked = Array.isArray(given) ? given : given === undefined ? [] : [given];
        return {
          type: input.type,
          ...(input.id === undefined ? {} : { id: input.id }),
          custom_id: customId,
          values: picked,
        };
      }
      if (Array.isArray(given)) throw new Error(`fake Discord: text input ${customId} takes one string`);
      const value = given ?? (typeof input.value === 'string' ? input.value : '');
      const size = length(value);
      if (input.required !== false && size === 0)
        throw new Error(`fake Discord: text input ${customId} is required`);
      const min = typeof input.min_length === 'number' ? input.min_length : 0;
      const max = typeof input.max_length === 'number' ? input.max_length : 4000;
      if (size > 0 && (size < min || size > max))
        throw new Error(`fake Discord: text input ${customId} takes ${min}..${max} characters, got ${size}`);
      return { type: 4, ...(input.id === undefined ? {} : { id: input.id }), custom_id: customId, value };
    };
    const components = records(modal.components).map((component): Json => {
      const id = component.id === undefined ? {} : { id: component.id };
      if (component.type === 1)
        return { type: 1, ...id, components: records(component.components).map(submitted) };
      if (component.type === 18 && isRecord(component.component))
        return { type: 18, ...id, component: submitted(component.component) };
      return { type: component.type, ...id };
    });
    const unknown = Object.keys(values).filter((key) => !used.has(key));
    if (unknown.length > 0) throw new Error(`fake Discord: the modal has no input ${unknown.join(', ')}`);
    const source = state.sourceMessageId ? messages.get(state.sourceMessageId) : undefined;
    return dispatchInteraction({
      type: 5,
      data: { custom_id: modal.custom_id, components },
      channelId: state.channelId,
      userId: actor.userId ?? state.userId,
      ...(source ? { message: source } : {}),
      ...(actor.locale ? { locale: actor.locale } : {}),
    });
  }

  // ---------------------------------------------------------------- channels, threads, commands

  function postChannelMessage(context: RouteContext): Reply {
    const channel = visibleChannel(context.params[0]);
    if (isReply(channel)) return channel;
    if (
      channel.type === ChannelKind.voice ||
      channel.type === ChannelKind.category ||
      channel.type === ChannelKind.forum
    )
      return fail(400, 50008, 'Cannot send messages in a non-text channel');
    if (channel.thread) {
      if (isDenied(channel, 'SEND_MESSAGES_IN_THREADS') || isDenied(channel, 'SEND_MESSAGES', false))
        return missingPermissions();
      if (channel.thread.locked) return fail(400, 50083, 'Thread is archived');
    } else if (isDenied(channel, 'SEND_MESSAGES')) return missingPermissions();
    const created = createMessage({
      channel,
      body: context.body,
      uploads: context.uploads,
      type: 0,
      webhookId: null,
      interactionId: null,
      asWebhook: false,
    });
    if (isReply(created)) return created;
    if (channel.thread?.archived) {
      // Sending in an archived (unlocked) thread unarchives it.
      channel.thread.archived = false;
      dispatchToCurrent('THREAD_UPDATE', channelBody(channel));
    }
    return json(200, messageJson(created));
  }

  function channelMessage(context: RouteContext): { channel: FakeChannel; message: FakeMessage } | Reply {
    const channel = visibleChannel(context.params[0]);
    if (isReply(channel)) return channel;
    const message = messages.get(context.params[1] ?? '');
    if (!message || message.deleted || message.channelId !== channel.id || isEphemeral(message))
      return unknownMessage();
    return { channel, message };
  }

  function editChannelMessage(context: RouteContext): Reply {
    const found = channelMessage(context);
    if (isReply(found)) return found;
    if (found.message.authorId !== botUser.id)
      return fail(403, 50005, 'Cannot edit a message authored by another user');
    if (found.channel.thread?.archived) return fail(400, 50083, 'Thread is archived');
    const problem = editMessage(found.message, context.body, context.uploads);
    return problem ?? json(200, messageJson(found.message));
  }

  function startThread(context: RouteContext): Reply {
    const found = channelMessage(context);
    if (isReply(found)) return found;
    const { channel, message } = found;
    if (channel.thread || (channel.type !== ChannelKind.text && channel.type !== ChannelKind.announcement))
      return fail(400, 50024, 'Cannot execute action on this channel type');
    if (isDenied(channel, 'CREATE_PUBLIC_THREADS')) return missingPermissions();
    if (message.threadId) return fail(400, 160004, 'A thread has already been created for this message');
    const problem = threadBodyProblem(context.body);
    if (problem) return problem;
    const thread = createThread(
      channel,
      message.id,
      channel.type === ChannelKind.announcement ? ThreadType.announcement : ThreadType.public,
      context.body,
      message.id,
    );
    message.threadId = thread.id;
    message.flags |= MessageFlag.hasThread;
    return json(201, channelBody(thread));
  }

  function startThreadWithoutMessage(context: RouteContext): Reply {
    const channel = visibleChannel(context.params[0]);
    if (isReply(channel)) return channel;
    if (channel.thread || (channel.type !== ChannelKind.text && channel.type !== ChannelKind.announcement))
      return fail(400, 50024, 'Cannot execute action on this channel type');
    const type = typeof context.body.type === 'number' ? context.body.type : ThreadType.private;
    if (type !== ThreadType.public && type !== ThreadType.private && type !== ThreadType.announcement)
      return invalidForm([
        { path: ['type'], code: 'BASE_TYPE_CHOICES', message: 'Value must be one of {10, 11, 12}.' },
      ]);
    if (isDenied(channel, type === ThreadType.private ? 'CREATE_PRIVATE_THREADS' : 'CREATE_PUBLIC_THREADS'))
      return missingPermissions();
    const problem = threadBodyProblem(context.body);
    if (problem) return problem;
    return json(201, channelBody(createThread(channel, nextId(), type, context.body, null)));
  }

  function threadBodyProblem(body: Json): Reply | undefined {
    const errors: FieldError[] = [];
    const nameLength = length(body.name);
    if (typeof body.name !== 'string' || nameLength < 1 || nameLength > 100)
      errors.push({
        path: ['name'],
        code: 'BASE_TYPE_BAD_LENGTH',
        message: 'Must be between 1 and 100 in length.',
      });
    if (
      body.auto_archive_duration !== undefined &&
      ![60, 1440, 4320, 10080].includes(Number(body.auto_archive_duration))
    )
      errors.push({
        path: ['auto_archive_duration'],
        code: 'BASE_TYPE_CHOICES',
        message: 'Value must be one of {60, 1440, 4320, 10080}.',
      });
    return errors.length > 0 ? invalidForm(errors) : undefined;
  }

  function createThread(
    parent: FakeChannel,
    id: string,
    type: number,
    body: Json,
    starter: string | null,
  ): FakeChannel {
    const guild = guildOf(parent);
    const thread: FakeChannel = {
      id,
      type,
      name: String(body.name),
      guildId: parent.guildId,
      parentId: parent.id,
      position: 0,
      topic: null,
      lastMessageId: null,
      thread: {
        ownerId: botUser.id,
        archived: false,
        locked: false,
        autoArchiveDuration:
          typeof body.auto_archive_duration === 'number' ? body.auto_archive_duration : 4320,
        archivedAt: iso(),
        createdAt: iso(),
        messageCount: 0,
        starterMessageId: starter,
      },
    };
    guild.channels.push(thread);
    channels.set(thread.id, thread);
    dispatchToCurrent('THREAD_CREATE', { ...channelBody(thread), newly_created: true });
    return thread;
  }

  function patchChannel(context: RouteContext): Reply {
    const channel = visibleChannel(context.params[0]);
    if (isReply(channel)) return channel;
    const body = context.body;
    if (typeof body.name === 'string') channel.name = body.name;
    if (channel.thread) {
      if (typeof body.archived === 'boolean') {
        channel.thread.archived = body.archived;
        channel.thread.archivedAt = iso();
      }
      if (typeof body.locked === 'boolean') channel.thread.locked = body.locked;
      if (typeof body.auto_archive_duration === 'number')
        channel.thread.autoArchiveDuration = body.auto_archive_duration;
      dispatchToCurrent('THREAD_UPDATE', channelBody(channel));
    } else {
      if (typeof body.topic === 'string' || body.topic === null) channel.topic = body.topic;
      dispatchToCurrent('CHANNEL_UPDATE', channelBody(channel));
    }
    return json(200, channelBody(channel));
  }

  function commandList(guildId: string | undefined): Json[] | Reply {
    if (guildId === undefined) return globalCommands;
    if (!guildById(guildId)) return missingAccess();
    const list = guildCommands.get(guildId) ?? [];
    guildCommands.set(guildId, list);
    return list;
  }

  function normalizeCommand(command: Json, guildId: string | undefined, existing: Json | undefined): Json {
    const type = typeof command.type === 'number' ? command.type : 1;
    return {
      ...command,
      id: typeof existing?.id === 'string' ? existing.id : nextId(),
      application_id: applicationId,
      ...(guildId ? { guild_id: guildId } : {}),
      type,
      description: typeof command.description === 'string' ? command.description : '',
      name_localizations: command.name_localizations ?? null,
      description_localizations: command.description_localizations ?? null,
      options: records(command.options),
      default_member_permissions: command.default_member_permissions ?? null,
      contexts: command.contexts ?? null,
      integration_types: command.integration_types ?? [0],
      nsfw: command.nsfw === true,
      version: nextId(),
    };
  }

  function putCommands(context: RouteContext, guildId: string | undefined): Reply {
    const list = commandList(guildId);
    if (isReply(list)) return list;
    const errors = checkCommands(context.rawBody);
    if (errors.length > 0) return invalidForm(errors);
    const sameCommand = (a: Json, b: Json) => a.name === b.name && (a.type ?? 1) === (b.type ?? 1);
    const next = records(context.rawBody).map((command) =>
      normalizeCommand(
        command,
        guildId,
        list.find((old) => sameCommand(old, command)),
      ),
    );
    list.splice(0, list.length, ...next);
    return json(200, list);
  }

  function postCommand(context: RouteContext, guildId: string | undefined): Reply {
    const list = commandList(guildId);
    if (isReply(list)) return list;
    const errors = checkCommand(context.body);
    if (errors.length > 0) return invalidForm(errors);
    const index = list.findIndex(
      (old) => old.name === context.body.name && (old.type ?? 1) === (context.body.type ?? 1),
    );
    const command = normalizeCommand(context.body, guildId, list[index]);
    if (index >= 0) list[index] = command;
    else list.push(command);
    return json(index >= 0 ? 200 : 201, command);
  }

  function deleteCommand(guildId: string | undefined, commandId: string): Reply {
    const list = commandList(guildId);
    if (isReply(list)) return list;
    const index = list.findIndex((command) => command.id === commandId);
    if (index < 0) return fail(404, 10063, 'Unknown application command');
    list.splice(index, 1);
    return new Reply(204);
  }

  // ---------------------------------------------------------------- routes

  const snowflake = '(\\d{1,20})';
  const segment = '([^/]+)';
  const routes: Route[] = [];
  const route = (method: string, path: string, auth: boolean, handle: Route['handle']) =>
    routes.push({ method, pattern: new RegExp(`^${path}$`), auth, handle });

  route('GET', '/gateway', false, () => json(200, { url: gatewayUrl }));
  route('GET', '/gateway/bot', true, () =>
    json(200, {
      url: gatewayUrl,
      shards: 1,
      session_start_limit: {
        total: 1000,
        remaining: 1000 - identifies,
        reset_after: 86_400_000,
        max_concurrency: 1,
      },
    }),
  );
  route('GET', '/users/@me', true, () => json(200, userJson(botUser)));
  route('GET', '/applications/@me', true, () =>
    json(200, {
      id: applicationId,
      name: botUser.username,
      icon: null,
      description: '',
      bot_public: false,
      bot_require_code_grant: false,
      verify_key: '0'.repeat(64),
      flags: 0,
      bot: userJson(botUser),
      owner: userJson(botUser),
      team: null,
    }),
  );
  route('POST', `/interactions/${snowflake}/${segment}/callback`, false, handleCallback);
  route('POST', `/webhooks/${snowflake}/${segment}`, false, async (context) => {
    await afterHttpResponse(context.params[1] ?? '');
    return handleFollowUp(context);
  });
  for (const method of ['GET', 'PATCH', 'DELETE'])
    route(
      method,
      `/webhooks/${snowflake}/${segment}/messages/(@original|\\d{1,20})`,
      false,
      async (context) => {
        await afterHttpResponse(context.params[1] ?? '');
        return handleWebhookMessage(method, context);
      },
    );
  route('GET', `/channels/${snowflake}`, true, (context) => {
    const channel = visibleChannel(context.params[0]);
    return isReply(channel) ? channel : json(200, channelBody(channel));
  });
  route('PATCH', `/channels/${snowflake}`, true, patchChannel);
  route('POST', `/channels/${snowflake}/messages`, true, postChannelMessage);
  route('GET', `/channels/${snowflake}/messages`, true, (context) => {
    const channel = visibleChannel(context.params[0]);
    if (isReply(channel)) return channel;
    const limit = Math.min(100, Number(context.query.get('limit') ?? 50));
    const list = (channelMessages.get(channel.id) ?? [])
      .map((id) => messages.get(id))
      .filter(
        (message): message is FakeMessage =>
          message !== undefined && !message.deleted && !isEphemeral(message),
      )
      .reverse()
      .slice(0, limit);
    return json(200, list.map(messageJson));
  });
  route('GET', `/channels/${snowflake}/messages/${snowflake}`, true, (context) => {
    const found = channelMessage(context);
    return isReply(found) ? found : json(200, messageJson(found.message));
  });
  route('PATCH', `/channels/${snowflake}/messages/${snowflake}`, true, editChannelMessage);
  route('DELETE', `/channels/${snowflake}/messages/${snowflake}`, true, (context) => {
    const found = channelMessage(context);
    if (isReply(found)) return found;
    found.message.deleted = true;
    return new Reply(204);
  });
  route('POST', `/channels/${snowflake}/messages/${snowflake}/threads`, true, startThread);
  route('PUT', `/channels/${snowflake}/messages/${snowflake}/reactions/${segment}/@me`, true, (context) => {
    const found = channelMessage(context);
    if (isReply(found)) return found;
    const emoji = decodeURIComponent(context.params[2] ?? '');
    reactions.set(found.message.id, [...(reactions.get(found.message.id) ?? []), emoji]);
    return new Reply(204);
  });
  route('POST', `/channels/${snowflake}/threads`, true, startThreadWithoutMessage);
  route('GET', `/applications/${snowflake}/commands`, true, () => json(200, globalCommands));
  route('PUT', `/applications/${snowflake}/commands`, true, (context) => putCommands(context, undefined));
  route('POST', `/applications/${snowflake}/commands`, true, (context) => postCommand(context, undefined));
  route('DELETE', `/applications/${snowflake}/commands/${snowflake}`, true, (context) =>
    deleteCommand(undefined, context.params[1] ?? ''),
  );
  route('GET', `/applications/${snowflake}/guilds/${snowflake}/commands`, true, (context) => {
    const list = commandList(context.params[1]);
    return isReply(list) ? list : json(200, list);
  });
  route('PUT', `/applications/${snowflake}/guilds/${snowflake}/commands`, true, (context) =>
    putCommands(context, context.params[1]),
  );
  route('POST', `/applications/${snowflake}/guilds/${snowflake}/commands`, true, (context) =>
    postCommand(context, context.params[1]),
  );
  route('DELETE', `/applications/${snowflake}/guilds/${snowflake}/commands/${snowflake}`, true, (context) =>
    deleteCommand(context.params[1], context.params[2] ?? ''),
  );
  route('GET', `/guilds/${snowflake}`, true, (context) => {
    const guild = guildById(context.params[0] ?? '');
    return guild
      ? json(200, { ...guildJson(guild, false), approximate_member_count: guild.memberCount })
      : fail(404, 10004, 'Unknown Guild');
  });
  route('GET', `/guilds/${snowflake}/channels`, true, (context) => {
    const guild = guildById(context.params[0] ?? '');
    return guild
      ? json(200, guild.channels.filter((channel) => !channel.thread).map(channelBody))
      : fail(404, 10004, 'Unknown Guild');
  });
  route('GET', `/guilds/${snowflake}/roles`, true, (context) => {
    const guild = guildById(context.params[0] ?? '');
    return guild
      ? json(
          200,
          guild.roles.map((role) => roleJson(role, botUser.id)),
        )
      : fail(404, 10004, 'Unknown Guild');
  });
  route('GET', `/guilds/${snowflake}/members`, true, (context) => {
    const guild = guildById(context.params[0] ?? '');
    return guild ? json(200, guild.members.map(memberJson)) : fail(404, 10004, 'Unknown Guild');
  });
  route('GET', `/guilds/${snowflake}/members/${snowflake}`, true, (context) => {
    const guild = guildById(context.params[0] ?? '');
    if (!guild) return fail(404, 10004, 'Unknown Guild');
    const member = guild.members.find((candidate) => candidate.user.id === context.params[1]);
    return member ? json(200, memberJson(member)) : fail(404, 10007, 'Unknown Member');
  });

  // ---------------------------------------------------------------- HTTP

  const server = createServer((request, response) => {
    handleHttp(request, response).catch((error: unknown) => {
      problems.push(
        `REST handler failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      if (!response.headersSent) writeReply(response, fail(500, 0, '500: Internal Server Error'));
      else response.end();
    });
  });

  async function handleHttp(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(request);
    if (request.method === 'GET' && url.pathname.startsWith('/attachments/'))
      return serveAttachment(url, response);
    if (!url.pathname.startsWith('/api/v10/')) return writeReply(response, fail(404, 0, '404: Not Found'));
    const path = url.pathname
      .slice('/api/v10'.length)
      .split('/')
      .map((part) => safeDecode(part))
      .join('/');
    const method = request.method ?? 'GET';
    const authorization = request.headers.authorization;
    const reasonHeader = request.headers['x-audit-log-reason'];
    const call: DiscordCall = {
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      body: undefined,
      files: [],
      auth: authorization === undefined ? 'none' : authorization === `Bot ${token}` ? 'bot' : 'invalid',
      reason: typeof reasonHeader === 'string' ? safeDecode(reasonHeader) : undefined,
      at: now(),
      status: 0,
      error: undefined,
    };
    calls.push(call);
    if (call.auth === 'invalid') problems.push(`REST: ${method} ${path} with a token that is not the fake's`);
    const reply = await replyTo(request, call, raw, url);
    call.status = reply.status;
    if (reply.status >= 400 && isRecord(reply.body) && typeof reply.body.code === 'number')
      call.error = reply.body as DiscordErrorBody;
    writeReply(response, reply);
    notify();
  }

  async function replyTo(request: IncomingMessage, call: DiscordCall, raw: Buffer, url: URL): Promise<Reply> {
    let parsed: { body: unknown; uploads: FakeUpload[] };
    try {
      parsed = await parseBody(raw, request.headers['content-type'] ?? '');
    } catch {
      return fail(400, 50109, 'The request body contains invalid JSON.');
    }
    call.body = parsed.body;
    call.files = parsed.uploads;
    const candidates = routes.filter((candidate) => candidate.pattern.test(call.path));
    const matched = candidates.find((candidate) => candidate.method === call.method);
    if (!matched)
      return candidates.length > 0 ? fail(405, 0, '405: Method Not Allowed') : fail(404, 0, '404: Not Found');
    if (matched.auth && call.auth !== 'bot') return fail(401, 0, '401: Unauthorized');
    const fault = faults.find(
      (candidate) => candidate.remaining > 0 && matches(candidate.method, candidate.path, call),
    );
    if (fault) {
      fault.remaining -= 1;
      return fault.reply(now());
    }
    return matched.handle({
      params: (matched.pattern.exec(call.path) ?? []).slice(1),
      body: isRecord(parsed.body) ? parsed.body : {},
      rawBody: parsed.body,
      uploads: parsed.uploads,
      query: url.searchParams,
    });
  }

  function serveAttachment(url: URL, response: ServerResponse) {
    const id = url.pathname.split('/')[3] ?? '';
    const attachment = attachments.get(id);
    attachmentDownloads.push(id);
    if (!attachment) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      return;
    }
    response.writeHead(200, {
      'content-type': attachment.contentType,
      'content-length': attachment.bytes.length,
    });
    response.end(attachment.bytes);
  }

  // ---------------------------------------------------------------- gateway

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (closing || !isWebSocketUpgrade(request)) return rejectUpgrade(socket);
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    // The handlers run later (head bytes are fed on a microtask), once `connection` is initialised.
    const connection: Connection = {
      session: undefined,
      peer: acceptWebSocket(request, socket, head, {
        onText: (text) => {
          onGatewayMessage(connection, text);
          notify();
        },
        onClose: (code) => {
          liveConnections.delete(connection);
          const session = connection.session;
          if (session && session.peer === connection.peer) {
            session.peer = undefined;
            // A normal close ends the session; anything else (4200 "resuming", 1006 drops) can be resumed.
            if (code === 1000 || code === 1001) {
              sessions.delete(session.id);
              if (current === session) current = undefined;
            }
          }
          notify();
        },
      }),
    };
    liveConnections.add(connection);
    connectionCount += 1;
    const version = url.searchParams.get('v');
    if (version !== '10' || (url.searchParams.get('encoding') ?? 'json') !== 'json') {
      problems.push(`gateway: unsupported version/encoding ${url.search}`);
      void connection.peer.close(4012, 'Invalid API version');
      return;
    }
    if (url.searchParams.has('compress')) {
      problems.push(
        `gateway: the client asked for ${String(url.searchParams.get('compress'))} (is zlib-sync installed?)`,
      );
      void connection.peer.close(4012, 'fake Discord does not compress');
      return;
    }
    send(connection.peer, {
      op: 10,
      d: { heartbeat_interval: heartbeatIntervalMs, _trace: ['fake-discord'] },
    });
  });

  function send(peer: WebSocketPeer, payload: unknown) {
    peer.sendText(JSON.stringify(payload));
  }

  function dispatch(session: Session, t: string, d: unknown) {
    session.seq += 1;
    const frame: DispatchFrame = { op: 0, s: session.seq, t, d };
    session.events.push(frame);
    if (session.events.length > maxReplayEvents) session.events.shift();
    if (session.peer?.state === 'open') send(session.peer, frame);
  }

  function dispatchToCurrent(t: string, d: unknown) {
    if (current?.ready) dispatch(current, t, d);
  }

  function onGatewayMessage(connection: Connection, text: string) {
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      problems.push('gateway: a frame that is not JSON');
      void connection.peer.close(4002, 'Error while decoding payload.');
      return;
    }
    if (!isRecord(payload) || typeof payload.op !== 'number') {
      void connection.peer.close(4002, 'Error while decoding payload.');
      return;
    }
    const d = isRecord(payload.d) ? payload.d : {};
    switch (payload.op) {
      case 1:
        heartbeats += 1;
        send(connection.peer, { op: 11 });
        return;
      case 2:
        return identify(connection, d);
      case 6:
        return resume(connection, d);
      case 3:
      case 4:
        if (!connection.session) void connection.peer.close(4003, 'Not authenticated.');
        return;
      case 8:
        if (!connection.session) return void connection.peer.close(4003, 'Not authenticated.');
        return requestMembers(connection.session, d);
      default:
        problems.push(`gateway: unknown opcode ${payload.op}`);
        void connection.peer.close(4001, 'Unknown opcode.');
    }
  }

  function identify(connection: Connection, d: Json) {
    if (connection.session) return void connection.peer.close(4005, 'Already authenticated.');
    if (d.token !== token) {
      problems.push('gateway: IDENTIFY with a wrong token');
      return void connection.peer.close(4004, 'Authentication failed.');
    }
    if (d.compress === true) {
      problems.push('gateway: IDENTIFY asked for payload compression');
      return void connection.peer.close(4012, 'fake Discord does not compress');
    }
    if (typeof d.intents !== 'number') return void connection.peer.close(4013, 'Invalid intent(s).');
    const shard = d.shard;
    if (Array.isArray(shard) && (shard[0] !== 0 || shard[1] !== 1))
      return void connection.peer.close(4010, 'Invalid shard.');
    identifies += 1;
    lastIntents = d.intents;
    const session: Session = {
      id: randomBytes(16).toString('hex'),
      intents: d.intents,
      seq: 0,
      events: [],
      peer: connection.peer,
      ready: false,
    };
    sessions.set(session.id, session);
    connection.session = session;
    current = session;
    dispatch(session, 'READY', {
      v: 10,
      user: { ...userJson(botUser), verified: true, mfa_enabled: false, email: null },
      guilds: botGuilds().map((guild) => ({ id: guild.id, unavailable: true })),
      session_id: session.id,
      session_type: 'normal',
      resume_gateway_url: gatewayUrl,
      shard: [0, 1],
      application: { id: applicationId, flags: 0 },
      private_channels: [],
      relationships: [],
      presences: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
      user_settings: {},
      _trace: ['fake-discord'],
    });
    for (const guild of botGuilds()) dispatch(session, 'GUILD_CREATE', guildJson(guild, true));
    session.ready = true;
  }

  function resume(connection: Connection, d: Json) {
    const session = typeof d.session_id === 'string' ? sessions.get(d.session_id) : undefined;
    const seq = typeof d.seq === 'number' ? d.seq : 0;
    const oldest = session?.events[0]?.s ?? 1;
    const resumable =
      session !== undefined &&
      d.token === token &&
      session.peer?.state !== 'open' &&
      seq <= session.seq &&
      seq >= oldest - 1;
    if (!resumable) {
      send(connection.peer, { op: 9, d: false });
      return;
    }
    resumes += 1;
    session.peer = connection.peer;
    connection.session = session;
    current = session;
    for (const frame of session.events) if (frame.s > seq) send(connection.peer, frame);
    dispatch(session, 'RESUMED', { _trace: ['fake-discord'] });
  }

  function requestMembers(session: Session, d: Json) {
    const guild = guildById(String(d.guild_id));
    if (!guild) return;
    const ids = Array.isArray(d.user_ids) ? d.user_ids.map(String) : undefined;
    const query = typeof d.query === 'string' ? d.query.toLowerCase() : '';
    const limit = typeof d.limit === 'number' && d.limit > 0 ? d.limit : guild.members.length;
    const members = guild.members
      .filter((member) =>
        ids ? ids.includes(member.user.id) : member.user.username.toLowerCase().startsWith(query),
      )
      .slice(0, limit);
    dispatch(session, 'GUILD_MEMBERS_CHUNK', {
      guild_id: guild.id,
      members: members.map(memberJson),
      chunk_index: 0,
      chunk_count: 1,
      not_found: ids ? ids.filter((id) => !members.some((member) => member.user.id === id)) : [],
      ...(d.nonce === undefined ? {} : { nonce: d.nonce }),
    });
  }

  // ---------------------------------------------------------------- waiting

  function notify() {
    for (const waiter of [...waiters]) waiter.poll();
  }

  function waitFor<T>(
    check: () => T | undefined | null | false,
    timeoutMs = 3000,
    what = 'condition',
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const attempt = (): boolean => {
        let value: T | undefined | null | false;
        try {
          value = check();
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
          return true;
        }
        if (value === undefined || value === null || value === false) return false;
        resolve(value);
        return true;
      };
      if (attempt()) return;
      const finish = () => {
        waiters.delete(waiter);
        clearInterval(interval);
        clearTimeout(timer);
      };
      const waiter: Waiter = {
        poll: () => {
          if (attempt()) finish();
        },
        fail: (error) => {
          finish();
          reject(error);
        },
      };
      const interval = setInterval(waiter.poll, 20);
      const timer = setTimeout(
        () => waiter.fail(new Error(`fake Discord: ${what} not met within ${timeoutMs} ms`)),
        timeoutMs,
      );
      waiters.add(waiter);
    });
  }

  // ---------------------------------------------------------------- start

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  const gatewayUrl = `ws://127.0.0.1:${port}`;

  return {
    apiUrl: `${base}/api`,
    gatewayUrl,
    url: base,
    token,
    applicationId,
    botUser,
    guilds,
    guild: firstGuild,
    channelId: firstText.id,
    userId: firstHuman.user.id,
    calls,
    callsTo: (method, path) => calls.filter((call) => matches(method, path, call)),
    problems,
    get connections() {
      return connectionCount;
    },
    get identifies() {
      return identifies;
    },
    get resumes() {
      return resumes;
    },
    get heartbeats() {
      return heartbeats;
    },
    get connected() {
      return current?.ready === true && current.peer?.state === 'open';
    },
    waitForSession: async (timeoutMs = 5000) => {
      await waitFor(
        () => current?.ready === true && current.peer?.state === 'open',
        timeoutMs,
        'a gateway session',
      );
    },
    dispatchEvent: (t, d) => dispatch(readySession(), t, d),
    get intents() {
      return lastIntents;
    },
    userMessage(channelId, userId, content) {
      const channel = channels.get(channelId);
      const author = users.get(userId);
      if (!channel || !author) throw new Error(`fake Discord: no channel ${channelId} or user ${userId}`);
      const message: FakeMessage = {
        id: nextId(),
        channelId,
        guildId: channel.guildId,
        content,
        embeds: [],
        components: [],
        attachments: [],
        embedded: [],
        flags: 0,
        type: 0,
        authorId: userId,
        webhookId: null,
        interactionId: null,
        threadId: null,
        messageReference: null,
        allowedMentions: null,
        createdAt: iso(),
        editedAt: null,
        edits: 0,
        deleted: false,
      };
      storeMessage(message);
      const session = readySession();
      const guildMessages = 1 << 9;
      const messageContent = 1 << 15;
      if ((session.intents & guildMessages) !== 0) {
        const member = guildOf(channel).members.find((m) => m.user.id === userId);
        dispatch(session, 'MESSAGE_CREATE', {
          id: message.id,
          channel_id: channelId,
          guild_id: channel.guildId,
          author: userJson(author),
          ...(member ? { member: memberJson(member) } : {}),
          content: (session.intents & messageContent) !== 0 ? content : '',
          timestamp: message.createdAt,
          edited_timestamp: null,
          tts: false,
          mention_everyone: false,
          mentions: [],
          mention_roles: [],
          attachments: [],
          embeds: [],
          pinned: false,
          type: 0,
          flags: 0,
          components: [],
        });
      }
      return message;
    },
    reactionsOn: (messageId) => reactions.get(messageId) ?? [],
    requestReconnect: async (timeoutMs = 5000) => {
      const session = readySession();
      const before = resumes;
      if (session.peer) send(session.peer, { op: 7, d: null });
      await waitFor(() => resumes > before && session.peer?.state === 'open', timeoutMs, 'a resumed session');
    },
    dropConnection: () => readySession().peer?.destroy(),
    dispatchInteraction,
    openDm,
    slashCommand,
    addUserAttachment,
    attachmentDownloads,
    clickButton,
    selectMenu,
    submitModal,
    interaction: (id) => handles.get(id),
    interactionResponses: (id) => interactions.get(id)?.callbacks ?? [],
    publicKey: endpoint.publicKey,
    deliverInteractionsTo: (urls) => endpoint.use(urls),
    signInteraction: (timestamp, body) => endpoint.sign(timestamp, body),
    postInteraction: async (body, postOptions) => {
      const answer = await endpoint.post(body, postOptions);
      notify();
      return answer;
    },
    message: (channelId, messageId) => {
      const message = messages.get(messageId);
      return message?.channelId === channelId ? message : undefined;
    },
    messagesIn: (channelId) =>
      (channelMessages.get(channelId) ?? [])
        .map((id) => messages.get(id))
        .filter((message): message is FakeMessage => message !== undefined && !message.deleted),
    channel: (id) => channels.get(id),
    commands: (guildId) => (guildId === undefined ? globalCommands : (guildCommands.get(guildId) ?? [])),
    denyChannel: (channelId, permission) => {
      const channel = channels.get(channelId);
      if (!channel) throw new Error(`fake Discord: unknown channel ${channelId}`);
      const set = denials.get(channelId) ?? new Set<DeniablePermission>();
      set.add(permission);
      denials.set(channelId, set);
      dispatchToCurrent(channel.thread ? 'THREAD_UPDATE' : 'CHANNEL_UPDATE', channelBody(channel));
    },
    allowChannel: (channelId, permission) => {
      const channel = channels.get(channelId);
      if (!channel) throw new Error(`fake Discord: unknown channel ${channelId}`);
      if (permission) denials.get(channelId)?.delete(permission);
      else denials.delete(channelId);
      dispatchToCurrent(channel.thread ? 'THREAD_UPDATE' : 'CHANNEL_UPDATE', channelBody(channel));
    },
    rateLimit: (method, path, count = 1, limitOptions = {}) => {
      const retryAfterMs = limitOptions.retryAfterMs ?? 250;
      const global = limitOptions.global ?? false;
      const seconds = (retryAfterMs / 1000).toFixed(3);
      faults.push({
        method,
        path,
        remaining: count,
        reply: (at) =>
          json(
            429,
            { message: 'You are being rate limited.', retry_after: Number(seconds), global },
            {
              'retry-after': seconds,
              'x-ratelimit-scope': global ? 'global' : 'user',
              ...(global
                ? { 'x-ratelimit-global': 'true' }
                : {
                    'x-ratelimit-limit': '5',
                    'x-ratelimit-remaining': '0',
                    'x-ratelimit-reset': ((at + retryAfterMs) / 1000).toFixed(3),
                    'x-ratelimit-reset-after': seconds,
                    'x-ratelimit-bucket': `fake-${method}-${String(path)}`.replace(/[^\w-]/g, '_'),
                  }),
            },
          ),
      });
    },
    failNext: (method, path, status, body, count = 1) => {
      faults.push({
        method,
        path,
        remaining: count,
        reply: () => json(status, body ?? { code: 0, message: `${status}: fake failure` }),
      });
    },
    archiveThread: (threadId, locked = false) => {
      const thread = channels.get(threadId);
      if (!thread?.thread) throw new Error(`fake Discord: ${threadId} is not a thread`);
      thread.thread.archived = true;
      thread.thread.locked = locked;
      thread.thread.archivedAt = iso();
      dispatchToCurrent('THREAD_UPDATE', channelBody(thread));
    },
    now,
    advanceTime: (ms) => {
      clockOffset += ms;
      notify();
    },
    waitFor,
    close: async () => {
      closing = true;
      endpoint.close();
      for (const waiter of [...waiters]) waiter.fail(new Error('fake Discord closed'));
      await Promise.all(
        [...liveConnections].map((connection) => connection.peer.close(1001, 'fake Discord closing')),
      );
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function writeReply(response: ServerResponse, reply: Reply) {
  if (reply.body === undefined) {
    // No content-type on empty bodies: @discordjs/rest parses any application/json body as JSON.
    response.writeHead(reply.status, reply.headers ?? {});
    response.end();
    return;
  }
  response.writeHead(reply.status, { ...reply.headers, 'content-type': 'application/json' });
  response.end(JSON.stringify(reply.body));
}

/** JSON bodies, and multipart bodies (`payload_json` plus `files[n]`), parsed with undici's FormData parser. */
async function parseBody(
  raw: Buffer,
  contentType: string,
): Promise<{ body: unknown; uploads: FakeUpload[] }> {
  if (raw.length === 0) return { body: undefined, uploads: [] };
  if (contentType.startsWith('multipart/form-data')) {
    // Fine for a test fake on loopback (the deprecation is about untrusted input on real servers).
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
    const uploads: FakeUpload[] = [];
    const fields: Json = {};
    let body: unknown = undefined;
    for (const [field, value] of form) {
      if (typeof value === 'string') {
        if (field === 'payload_json') body = JSON.parse(value) as unknown;
        else fields[field] = value;
        continue;
      }
      uploads.push({
        field,
        name: value.name,
        contentType: value.type,
        bytes: Buffer.from(await value.arrayBuffer()),
      });
    }
    return { body: body ?? fields, uploads };
  }
  return { body: JSON.parse(raw.toString('utf8')) as unknown, uploads: [] };
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
