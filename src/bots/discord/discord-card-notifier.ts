import { ChannelType, Routes, ThreadAutoArchiveDuration, type REST, type RawFile } from 'discord.js';
import { z } from 'zod';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import type { DesignSnapshot } from '../../workflow/design-snapshot.ts';
import type { ImageStore } from '../../workflow/ports/image-store.ts';
import type { Notifier } from '../../workflow/ports/notifier.ts';
import type { ChatPosts } from '../chat-posts.ts';
import { buildDesignCard } from '../card/design-card.ts';
import { imageFileName } from '../card/image-file-name.ts';
import { buildDesignThread, type ThreadStatus } from '../card/design-thread.ts';
import { escapeDiscordText, renderDiscordCard, type DiscordCardMessage } from './discord-card.ts';
import { readDiscordSurface, type DiscordSurface } from './discord-surface.ts';

const createdSchema = z.object({ id: z.string().min(1) });

const stateIcons: Record<ThreadStatus['lines'][number]['state'], string> = {
  pending: '⚪',
  generating: '⏳',
  done: '✅',
  failed: '❌',
};

/** The thread's status message: one line per view. */
export function renderDiscordThreadStatus(status: ThreadStatus): {
  content: string;
  allowed_mentions: { parse: [] };
} {
  const lines = status.lines.map((line) => `${stateIcons[line.state]} ${escapeDiscordText(line.text)}`);
  const footer = status.footer ? [`*${escapeDiscordText(status.footer)}*`] : [];
  return {
    content: [`**${escapeDiscordText(status.title)}**`, ...lines, ...footer].join('\n').slice(0, 2000),
    allowed_mentions: { parse: [] },
  };
}

export type DiscordCardNotifierDeps = {
  rest: REST;
  images: ImageStore;
  posts: ChatPosts;
  clock: Clock;
  logger: Logger;
};

/**
 * Shows a design in Discord with the bot token only (interaction tokens die after 15 minutes): the card
 * message is edited whole on every change, its front view attached once per image; after approval a
 * thread on the card holds a status message per round and each image, posted once.
 */
export class DiscordCardNotifier implements Notifier {
  constructor(private readonly deps: DiscordCardNotifierDeps) {}

  async notify(design: DesignSnapshot): Promise<void> {
    const surface = readDiscordSurface(design.surface);
    if (!surface?.messageId) return;
    const posted = await this.deps.posts.list(design.id);
    await this.updateCard(design, { ...surface, messageId: surface.messageId }, posted);
    await this.updateThread(design, { ...surface, messageId: surface.messageId }, posted);
    await this.deps.posts.shown(design.id, design.version);
  }

  /** Sends a new card message (a variation's) with the bot token; returns its id. */
  async send(channelId: string, body: DiscordCardMessage): Promise<string> {
    return createdSchema.parse(await this.deps.rest.post(Routes.channelMessages(channelId), { body })).id;
  }

  /** The card as a message body, and the front view's file when it is new. */
  async render(
    design: DesignSnapshot,
    withImage: boolean,
  ): Promise<{ body: DiscordCardMessage; files: RawFile[] }> {
    const card = buildDesignCard(design, this.deps.clock());
    const name = card.image ? imageFileName(card.image.key) : null;
    const body = renderDiscordCard(card, name);
    if (!card.image || !name || !withImage) return { body, files: [] };
    return {
      body,
      files: [{ name, data: await this.deps.images.get(card.image.key), contentType: 'image/png' }],
    };
  }

  private async updateCard(
    design: DesignSnapshot,
    surface: Required<DiscordSurface>,
    posted: Map<string, string | null>,
  ): Promise<void> {
    const shown = buildDesignCard(design, this.deps.clock()).image;
    const imageKey = shown ? `card-image:${shown.key}` : undefined;
    const upload =
      imageKey !== undefined && !posted.has(imageKey) && (await this.deps.posts.claim(design.id, imageKey));
    const route = Routes.channelMessage(surface.channelId, surface.messageId);
    if (!upload || !imageKey) {
      await this.deps.rest.patch(route, { body: (await this.render(design, false)).body });
      return;
    }
    try {
      const { body, files } = await this.render(design, true);
      // Listing only the new file replaces the previous front view on the message.
      await this.deps.rest.patch(route, {
        body: { ...body, attachments: files.map((file, id) => ({ id, filename: file.name })) },
        files,
      });
    } catch (error) {
      await this.deps.posts.release(design.id, imageKey);
      throw error;
    }
    await this.deps.posts.record(design.id, imageKey, 'attached');
  }

  private async updateThread(
    design: DesignSnapshot,
    surface: Required<DiscordSurface>,
    posted: Map<string, string | null>,
  ): Promise<void> {
    const thread = buildDesignThread(design, this.deps.clock(), { frontsInThread: false });
    if (!thread.status) return;
    let threadId = posted.get('thread');
    if (threadId === undefined) {
      threadId = await this.deps.posts.once(design.id, 'thread', async () => {
        const created = await this.deps.rest.post(Routes.threads(surface.channelId, surface.messageId), {
          body: {
            name: `Views: ${design.prompt}`.slice(0, 100),
            auto_archive_duration: ThreadAutoArchiveDuration.OneWeek,
            type: ChannelType.PublicThread,
          },
        });
        return createdSchema.parse(created).id;
      });
    }
    // Another process is creating the thread: it posts the rest.
    if (!threadId) return;
    const inThread = threadId;

    const status = renderDiscordThreadStatus(thread.status);
    const statusRef = posted.get(thread.status.postKey);
    if (statusRef) await this.deps.rest.patch(Routes.channelMessage(inThread, statusRef), { body: status });
    else if (statusRef === undefined)
      await this.deps.posts.once(
        design.id,
        thread.status.postKey,
        async () =>
          createdSchema.parse(await this.deps.rest.post(Routes.channelMessages(inThread), { body: status }))
            .id,
      );
    for (const image of thread.images) {
      if (posted.has(image.postKey)) continue;
      await this.deps.posts.once(design.id, image.postKey, async () => {
        const name = imageFileName(image.imageKey);
        const data = await this.deps.images.get(image.imageKey);
        const message = await this.deps.rest.post(Routes.channelMessages(inThread), {
          body: {
            content: `**${escapeDiscordText(image.title)}**`,
            attachments: [{ id: 0, filename: name }],
            allowed_mentions: { parse: [] },
          },
          files: [{ name, data, contentType: 'image/png' }],
        });
        return createdSchema.parse(message).id;
      });
    }
  }
}
