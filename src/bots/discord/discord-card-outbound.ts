import { ChannelType, DiscordAPIError, Routes, ThreadAutoArchiveDuration, type REST } from 'discord.js';
import { z } from 'zod';
import { clip } from '../../text.ts';
import type { ImageStore } from '../../workflow/ports/image-store.ts';
import type { DesignCard } from '../card/design-card.ts';
import { imageFileName } from '../card/image-file-name.ts';
import type { ThreadImage, ThreadStatus } from '../card/design-thread.ts';
import type { CardImageMode, CardMessage, CardOutbound } from '../chat/card-outbound.ts';
import { escapeDiscordText, renderDiscordCard } from './discord-card.ts';
import { readDiscordCardPlace } from './discord-card-place.ts';
import { renderDiscordThreadStatus } from './discord-thread-messages.ts';

const createdSchema = z.object({ id: z.string().min(1) });

/** Discord's answer to starting a second thread on a message. */
const threadAlreadyMade = 160004;

/** Discord's limit on a thread's name. */
const maxThreadName = 100;

/**
 * Cards and their threads in Discord, with the bot token only (interaction tokens die after 15
 * minutes): the card message is edited whole, its front view attached once per image (Discord's
 * attachment URLs expire: our store keeps the image, the message carries a copy); a thread on the card
 * holds the rest.
 */
export class DiscordCardOutbound implements CardOutbound {
  readonly platform = 'discord' as const;
  readonly repliesAreThread = false;

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
    const name = card.image ? imageFileName(card.image.key) : null;
    const body = renderDiscordCard(card, name);
    const route = Routes.channelMessage(where.channelId, where.messageId);
    if (!options.upload || !card.image || !name) {
      await this.deps.rest.patch(route, { body });
      return;
    }
    const files = [{ name, data: await this.deps.images.get(card.image.key), contentType: 'image/png' }];
    // Listing only the new file replaces the previous front view on the message.
    await this.deps.rest.patch(route, {
      body: { ...body, attachments: files.map((file, id) => ({ id, filename: file.name })) },
      files,
    });
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

  async editThreadStatus(_where: CardMessage, threadId: string, messageId: string, status: ThreadStatus) {
    await this.deps.rest.patch(Routes.channelMessage(threadId, messageId), {
      body: renderDiscordThreadStatus(status),
    });
  }

  async postThreadImage(_where: CardMessage, threadId: string, image: ThreadImage): Promise<string> {
    const name = imageFileName(image.imageKey);
    const data = await this.deps.images.get(image.imageKey);
    const message = await this.deps.rest.post(Routes.channelMessages(threadId), {
      body: {
        content: `**${escapeDiscordText(image.title)}**`,
        attachments: [{ id: 0, filename: name }],
        allowed_mentions: { parse: [] },
      },
      files: [{ name, data, contentType: 'image/png' }],
    });
    return createdSchema.parse(message).id;
  }
}
