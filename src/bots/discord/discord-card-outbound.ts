import { ChannelType, DiscordAPIError, Routes, ThreadAutoArchiveDuration, type REST } from 'discord.js';
import { z } from 'zod';
import { clip } from '../../text.ts';
import type { ImageStore } from '../../workflow/ports/image-store.ts';
import type { DesignCard } from '../card/design-card.ts';
import { imageFileName } from '../card/image-file-name.ts';
import type { ThreadNotice } from '../card/design-notices.ts';
import { renderDiscordChatText } from './discord-chat-text.ts';
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

/** Card messages whose shown file is remembered; beyond it, the longest unedited is forgotten. */
const maxShownFiles = 1000;

const editedSchema = z.object({
  embeds: z.array(z.object({ image: z.object({ url: z.string() }).optional() })).default([]),
});

/**
 * The attachment id in the URL Discord gives an embed image that shows an attached file
 * (`https://cdn.discordapp.com/attachments/<channel>/<attachment>/<name>?…`).
 */
function shownFileId(answer: unknown, name: string): string | undefined {
  const parsed = editedSchema.safeParse(answer);
  if (!parsed.success) return undefined;
  for (const embed of parsed.data.embeds) {
    const url = embed.image?.url;
    if (!url) continue;
    const match = /\/attachments\/\d+\/(\d+)\/([^/?#]+)(?:[?#]|$)/.exec(url);
    if (match?.[1] && match[2] === encodeURIComponent(name)) return match[1];
  }
  return undefined;
}

/**
 * Cards and their threads in Discord, with the bot token only (interaction tokens die after 15
 * minutes): the card message is edited whole, its front view attached to it (Discord's attachment URLs
 * expire: our store keeps the image, the message carries a copy) and kept by id on every later edit; a
 * thread on the card holds the rest.
 */
export class DiscordCardOutbound implements CardOutbound {
  readonly platform = 'discord' as const;
  readonly repliesAreThread = false;

  /**
   * Per card message, the id Discord gave the front view it shows, so an edit can keep it by id. Discord
   * leaves a file an embed shows out of the message's `attachments`, so the id is read from the embed's
   * URL in the answer to our own edit. Not known (another process, a restart): the edit sends the file
   * again, once.
   */
  private readonly shownFiles = new Map<string, { name: string; id: string }>();

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
    if ((card.candidates ?? []).length > 0) return this.editWithCandidates(route, card);
    if (!card.image) {
      // An edit that lists no attachments keeps the message's files, and a file no embed shows is
      // shown on its own: the card says it carries none.
      await this.deps.rest.patch(route, { body: { ...renderDiscordCard(card, null), attachments: [] } });
      return;
    }
    const name = imageFileName(card.image.key);
    const body = renderDiscordCard(card, name);
    const known = this.shownFiles.get(where.messageId);
    if (!options.upload && known?.name === name) {
      // The front view stays where it is: only an edit that lists the file keeps it inside the embed
      // (without the list Discord shows it a second time, under the card).
      const kept = await this.deps.rest
        .patch(route, { body: { ...body, attachments: [{ id: known.id }] } })
        .catch((error: unknown) => {
          // Another process replaced the file since: the id is gone. Sending the file again heals it.
          if (error instanceof DiscordAPIError && error.status === 400) return null;
          throw error;
        });
      if (this.learn(where.messageId, name, kept)) return;
    }
    // Listing only this file replaces whatever the message carried before (an earlier front view).
    const files = [{ name, data: await this.deps.images.get(card.image.key), contentType: 'image/png' }];
    const sent = await this.deps.rest.patch(route, {
      body: { ...body, attachments: files.map((file, id) => ({ id, filename: file.name })) },
      files,
    });
    this.learn(where.messageId, name, sent);
  }

  /**
   * A card showing several candidates sends all their files with every edit (it changes only when one
   * is picked): each has an embed of its own; the picked one is also the card's front view.
   */
  private async editWithCandidates(route: `/${string}`, card: DesignCard): Promise<void> {
    const candidates = card.candidates ?? [];
    const names = candidates.map((candidate) => imageFileName(candidate.key));
    const files = await Promise.all(
      candidates.map(async (candidate, index) => ({
        name: names[index] ?? imageFileName(candidate.key),
        data: await this.deps.images.get(candidate.key),
        contentType: 'image/png',
      })),
    );
    const imageName = card.image ? imageFileName(card.image.key) : null;
    await this.deps.rest.patch(route, {
      body: {
        ...renderDiscordCard(card, imageName, names),
        attachments: files.map((file, id) => ({ id, filename: file.name })),
      },
      files,
    });
  }

  /**
   * Reads the id of the file the card's embed shows from Discord's answer to an edit; false when the
   * embed does not show it (a kept id that no longer existed).
   */
  private learn(messageId: string, name: string, answer: unknown): boolean {
    this.shownFiles.delete(messageId);
    const id = shownFileId(answer, name);
    if (id === undefined) return false;
    this.shownFiles.set(messageId, { name, id });
    // Oldest first (insertion order): a card not edited for a while re-sends its image once.
    for (const old of this.shownFiles.keys()) {
      if (this.shownFiles.size <= maxShownFiles) break;
      this.shownFiles.delete(old);
    }
    return true;
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
