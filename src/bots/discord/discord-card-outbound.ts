import { ChannelType, DiscordAPIError, Routes, ThreadAutoArchiveDuration, type REST } from 'discord.js';
import { z } from 'zod';
import { clip } from '../../text.ts';
import type { ImageStore } from '../../workflow/ports/image-store.ts';
import type { DesignCard } from '../card/design-card.ts';
import type { ThreadNotice } from '../card/design-notices.ts';
import { renderDiscordChatText } from './discord-chat-text.ts';
import type { ThreadImage, ThreadStatus } from '../card/design-thread.ts';
import type { CardImageMode, CardMessage, CardOutbound, ThreadGallery } from '../chat/card-outbound.ts';
import { discordCardImages, discordCardLimits, renderDiscordCard } from './discord-card.ts';
import { readDiscordCardPlace } from './discord-card-place.ts';
import { renderDiscordThreadGallery, renderDiscordThreadStatus } from './discord-thread-messages.ts';

const createdSchema = z.object({ id: z.string().min(1) });

/** Discord's answer to starting a second thread on a message. */
const threadAlreadyMade = 160004;

/** Discord's limit on a thread's name. */
const maxThreadName = 100;

/** Card messages whose shown file is remembered; beyond it, the longest unedited is forgotten. */
const maxShownFiles = 1000;

/** A V2 message as Discord answers it: the media its components show, and its files. */
const shownSchema = z.object({
  components: z.array(z.unknown()).default([]),
  attachments: z.array(z.object({ id: z.string(), filename: z.string() })).default([]),
});

const mediaSchema = z.object({ url: z.string(), attachment_id: z.string().optional() });

/** Every unfurled media item in a tree of components (gallery items, thumbnails, files). */
function mediaIn(node: unknown): z.infer<typeof mediaSchema>[] {
  if (Array.isArray(node)) return node.flatMap(mediaIn);
  if (typeof node !== 'object' || node === null) return [];
  const media = mediaSchema.safeParse((node as { media?: unknown; file?: unknown }).media);
  return [...(media.success ? [media.data] : []), ...Object.values(node).flatMap(mediaIn)];
}

/**
 * The ids of the attached files a message's components show, by file name, from Discord's answer to a
 * post or edit: a media item carries its attachment's id (`attachment_id`), or its URL does
 * (`https://cdn.discordapp.com/attachments/<channel>/<attachment>/<name>?…`); the message's own list of
 * files fills in the rest.
 */
export function shownFileIds(answer: unknown): Map<string, string> {
  const ids = new Map<string, string>();
  const parsed = shownSchema.safeParse(answer);
  if (!parsed.success) return ids;
  for (const media of mediaIn(parsed.data.components)) {
    const match = /\/attachments\/\d+\/(\d+)\/([^/?#]+)(?:[?#]|$)/.exec(media.url);
    const name = match?.[2] ? decodeURIComponent(match[2]) : undefined;
    const id = media.attachment_id ?? match?.[1];
    if (name && id) ids.set(name, id);
  }
  for (const file of parsed.data.attachments) if (!ids.has(file.filename)) ids.set(file.filename, file.id);
  return ids;
}

/**
 * What an edit sends to make a message Components V2 (`IS_COMPONENTS_V2` can be set on an edit, never
 * unset): a card posted as an embed before the switch is turned over on its next edit, which must
 * empty its legacy fields (`content` as null, `embeds` as an empty list: Discord refuses a null list,
 * discord/discord-api-docs#7787).
 */
const legacyCleared = { content: null, embeds: [] } as const;

type ImageFile = { name: string; data: Buffer; contentType: string };

/**
 * Cards and their threads in Discord, with the bot token only (interaction tokens die after 15
 * minutes): the card message is a Components V2 message edited whole, its front view a file attached to
 * it (Discord's attachment URLs expire: our store keeps the image, the message carries a copy) and kept
 * by id on every later edit; a thread on the card holds the rest, its images in one gallery message per
 * round.
 */
export class DiscordCardOutbound implements CardOutbound {
  readonly platform = 'discord' as const;
  readonly repliesAreThread = false;

  /**
   * Per card message, the ids Discord gave the files it shows, by name, so an edit can keep them by id.
   * Read from the answer to our own edit. Not known (another process, a restart) or refused (replaced
   * since): read from the message.
   */
  private readonly shownFiles = new Map<string, Map<string, string>>();

  readonly gallery: ThreadGallery = {
    maxImages: discordCardLimits.galleryItems,
    post: (_where, threadId, images) => this.postGallery(threadId, images),
    edit: (_where, threadId, messageId, images) => this.editGallery(threadId, messageId, images),
  };

  constructor(private readonly deps: { rest: REST; images: ImageStore }) {}

  locate(surface: Record<string, unknown>): CardMessage | undefined {
    const place = readDiscordCardPlace(surface);
    return place?.messageId ? { channelId: place.channelId, messageId: place.messageId } : undefined;
  }

  imageMode(): Promise<CardImageMode> {
    return Promise.resolve('attach');
  }

  /** Sends a new card message with the bot token; returns its id. */
  async send(channelId: string, card: DesignCard): Promise<string> {
    const body = renderDiscordCard(card, null);
    return createdSchema.parse(await this.deps.rest.post(Routes.channelMessages(channelId), { body })).id;
  }

  async editCard(where: CardMessage, card: DesignCard, options: { upload: boolean }): Promise<void> {
    const route = Routes.channelMessage(where.channelId, where.messageId);
    const images = discordCardImages(card);
    const body = {
      ...renderDiscordCard(
        card,
        images.map((image) => image.name),
      ),
      ...legacyCleared,
    };
    if (images.length === 0) {
      // An edit that lists no attachments keeps the message's files: the card says it carries none.
      await this.deps.rest.patch(route, { body: { ...body, attachments: [] } });
      this.shownFiles.delete(where.messageId);
      return;
    }
    const keptOf = (known: ReadonlyMap<string, string>) =>
      new Map(
        images.flatMap((image) => {
          const id = known.get(image.name);
          return id === undefined ? [] : [[image.name, id] as const];
        }),
      );
    const edit = async (keep: ReadonlyMap<string, string>) => {
      // Listing exactly the files the card shows drops whatever it carried before (an earlier front view).
      const files = await this.files(images.filter((image) => !keep.has(image.name)));
      return this.deps.rest.patch(route, {
        body: {
          ...body,
          attachments: [
            ...[...keep.values()].map((id) => ({ id })),
            ...files.map((file, id) => ({ id, filename: file.name })),
          ],
        },
        ...(files.length > 0 ? { files } : {}),
      });
    };
    /** The edit keeping `keep` by id; null when Discord no longer has one of them (400). */
    const editKeeping = (keep: ReadonlyMap<string, string>) =>
      keep.size === 0
        ? Promise.resolve(null)
        : edit(keep).catch((error: unknown) => {
            if (error instanceof DiscordAPIError && error.status === 400) return null;
            throw error;
          });
    let answer: unknown = null;
    if (!options.upload) {
      const remembered = this.shownFiles.get(where.messageId);
      if (remembered !== undefined) answer = await editKeeping(keptOf(remembered));
      // Not known here (another process, a restart), or replaced since: the message says what it carries
      // now. Sending the file again instead would replace the id the other process keeps, and its next edit
      // would send it back (a 1-2 MB upload and a refused edit each time the card changes hands).
      if (answer === null) answer = await editKeeping(keptOf(await this.carried(route)));
    }
    // A new image, or a message that does not carry it (yet): sent.
    answer ??= await edit(new Map());
    this.learn(where.messageId, answer);
  }

  /** The files a message carries now, by name, read from Discord. */
  private async carried(route: `/${string}`): Promise<Map<string, string>> {
    return shownFileIds(await this.deps.rest.get(route));
  }

  /** Remembers the ids of the files a card message shows, from Discord's answer to an edit of it. */
  private learn(messageId: string, answer: unknown): void {
    this.shownFiles.delete(messageId);
    this.shownFiles.set(messageId, shownFileIds(answer));
    // Oldest first (insertion order): a card not edited for a while re-sends its image once.
    for (const old of this.shownFiles.keys()) {
      if (this.shownFiles.size <= maxShownFiles) break;
      this.shownFiles.delete(old);
    }
  }

  private async files(images: { name: string; key: string }[]): Promise<ImageFile[]> {
    return Promise.all(
      images.map(async (image) => ({
        name: image.name,
        data: await this.deps.images.get(image.key),
        contentType: 'image/png',
      })),
    );
  }

  async openThread(where: CardMessage, name: string): Promise<string> {
    try {
      const created = await this.deps.rest.post(Routes.threads(where.channelId, where.messageId), {
        body: {
          name: clip(name, maxThreadName),
          auto_archive_duration: ThreadAutoArchiveDuration.OneWeek,
          type: ChannelType.PublicThread,
        },
      });
      return createdSchema.parse(created).id;
    } catch (error) {
      // Made by a process that died before recording it: a thread started from a message has the
      // message's id, so it is found rather than refused forever.
      if (error instanceof DiscordAPIError && error.code === threadAlreadyMade) return where.messageId;
      throw error;
    }
  }

  async postThreadStatus(_where: CardMessage, threadId: string, status: ThreadStatus): Promise<string> {
    const body = renderDiscordThreadStatus(status);
    return createdSchema.parse(await this.deps.rest.post(Routes.channelMessages(threadId), { body })).id;
  }

  async postThreadNotice(_where: CardMessage, threadId: string, notice: ThreadNotice): Promise<string> {
    const body = {
      content: renderDiscordChatText(notice.text),
      // Exactly the notice's people and roles may be pinged: anything else it mentions stays silent.
      allowed_mentions: { parse: [], users: notice.pings.users, roles: notice.pings.groups },
    };
    return createdSchema.parse(await this.deps.rest.post(Routes.channelMessages(threadId), { body })).id;
  }

  async editThreadStatus(_where: CardMessage, threadId: string, messageId: string, status: ThreadStatus) {
    await this.deps.rest.patch(Routes.channelMessage(threadId, messageId), {
      body: renderDiscordThreadStatus(status),
    });
  }

  /** One image as a post of its own (the notifier uses the gallery; kept for the CardOutbound contract). */
  async postThreadImage(_where: CardMessage, threadId: string, image: ThreadImage): Promise<string> {
    return this.postGallery(threadId, [image]);
  }

  /** A round's gallery, with every file it shows attached. */
  private async postGallery(threadId: string, images: ThreadImage[]): Promise<string> {
    const { files: wanted, ...body } = renderDiscordThreadGallery(images);
    const files = await this.files(wanted.map((file) => ({ name: file.name, key: file.imageKey })));
    const message = await this.deps.rest.post(Routes.channelMessages(threadId), {
      body: { ...body, attachments: files.map((file, id) => ({ id, filename: file.name })) },
      files,
    });
    return createdSchema.parse(message).id;
  }

  /**
   * The gallery grown to `images`: the files it carries already are kept by id (read from the message,
   * so any process can edit it), only the new ones are sent.
   */
  private async editGallery(threadId: string, messageId: string, images: ThreadImage[]): Promise<void> {
    const { files: wanted, ...body } = renderDiscordThreadGallery(images);
    const carried = shownFileIds(await this.deps.rest.get(Routes.channelMessage(threadId, messageId)));
    const keep = wanted.flatMap((file) => {
      const id = carried.get(file.name);
      return id === undefined ? [] : [{ id }];
    });
    const files = await this.files(
      wanted
        .filter((file) => !carried.has(file.name))
        .map((file) => ({ name: file.name, key: file.imageKey })),
    );
    await this.deps.rest.patch(Routes.channelMessage(threadId, messageId), {
      body: { ...body, attachments: [...keep, ...files.map((file, id) => ({ id, filename: file.name }))] },
      ...(files.length > 0 ? { files } : {}),
    });
  }
}
