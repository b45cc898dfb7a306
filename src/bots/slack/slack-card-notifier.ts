import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Clock } from '../../clock.ts';
import type { DesignSnapshot } from '../../workflow/design-snapshot.ts';
import type { ImageStore } from '../../workflow/ports/image-store.ts';
import type { Notifier } from '../../workflow/ports/notifier.ts';
import type { ChatPosts } from '../chat-posts.ts';
import { buildDesignCard } from '../card/design-card.ts';
import { imageFileName } from '../card/image-file-name.ts';
import { buildDesignThread, type ThreadImage } from '../card/design-thread.ts';
import { renderSlackCard } from './slack-blocks.ts';
import type { SlackClients } from './slack-clients.ts';
import { readSlackSurface, type SlackSurface } from './slack-surface.ts';
import { renderSlackImageMessage, renderSlackThreadStatus } from './slack-thread-blocks.ts';

/** Slack fetches image_url itself when the message is posted: a loopback address can never work. */
export function slackCanFetch(url: string): boolean {
  try {
    const { protocol, hostname } = new URL(url);
    if (protocol !== 'https:' && protocol !== 'http:') return false;
    // Loopback and private networks: Slack's servers cannot reach them.
    return !(
      hostname === 'localhost' ||
      hostname.startsWith('127.') ||
      hostname.startsWith('10.') ||
      hostname.startsWith('192.168.') ||
      /^172\.(1[6-9]|2\d|3[01])\./.test(hostname) ||
      hostname.endsWith('.local') ||
      hostname === '[::1]' ||
      hostname === '0.0.0.0'
    );
  } catch {
    return false;
  }
}

/** files.uploadV2 answers with one files.completeUploadExternal result per upload. */
const uploadResultSchema = z.object({
  files: z.array(z.object({ files: z.array(z.object({ id: z.string().min(1) })) })),
});

const imageUrlLifetimeSeconds = 7 * 24 * 3600;

export type SlackCardNotifierDeps = {
  clients: SlackClients;
  images: ImageStore;
  posts: ChatPosts;
  clock: Clock;
  logger: Logger;
};

/**
 * Shows a design in Slack: the card is re-rendered whole on every change (chat.update), and after
 * approval its thread holds one status message per round, edited as views finish, and each image once.
 * A card not posted yet is skipped: whoever posts it renders the newest snapshot right after.
 */
export class SlackCardNotifier implements Notifier {
  private imagesReachable: Promise<boolean> | undefined;

  constructor(private readonly deps: SlackCardNotifierDeps) {}

  async notify(design: DesignSnapshot): Promise<void> {
    const surface = readSlackSurface(design.surface);
    if (!surface?.ts) return;
    const client = await this.deps.clients.forTeam(surface.teamId);
    const message = await this.render(design);
    await client.chat.update({ channel: surface.channelId, ts: surface.ts, ...message });
    await this.updateThread(client, design, { ...surface, ts: surface.ts });
    await this.deps.posts.shown(design.id, design.version);
  }

  async render(design: DesignSnapshot): Promise<ReturnType<typeof renderSlackCard>> {
    const card = buildDesignCard(design, this.deps.clock());
    const imageUrl = card.image && (await this.reachable()) ? await this.urlOf(card.image.key) : null;
    return renderSlackCard(card, imageUrl);
  }

  /**
   * Slack fetches image URLs itself, so loopback URLs (no PUBLIC_URL, no S3) are uploaded as files into
   * the thread instead. The image store's base URL is configuration: asking once is enough.
   */
  private reachable(): Promise<boolean> {
    this.imagesReachable ??= this.urlOf('probe.png').then((url) => {
      const ok = slackCanFetch(url);
      if (!ok)
        this.deps.logger.info(
          'image URLs are not reachable by Slack (set PUBLIC_URL or S3): images are uploaded as files',
        );
      return ok;
    });
    // A failed probe (the store briefly down) is asked again next time rather than remembered.
    this.imagesReachable.catch(() => (this.imagesReachable = undefined));
    return this.imagesReachable;
  }

  private urlOf(key: string): Promise<string> {
    return this.deps.images.url(key, { expiresInSeconds: imageUrlLifetimeSeconds });
  }

  private async updateThread(
    client: WebClient,
    design: DesignSnapshot,
    surface: SlackSurface & { ts: string },
  ) {
    const reachable = await this.reachable();
    const thread = buildDesignThread(design, this.deps.clock(), { frontsInThread: !reachable });
    if (!thread.status && thread.images.length === 0) return;
    const posted = await this.deps.posts.list(design.id);
    const inThread = { channel: surface.channelId, thread_ts: surface.ts };

    if (thread.status) {
      const message = renderSlackThreadStatus(thread.status);
      const ref = posted.get(thread.status.postKey);
      if (ref) await client.chat.update({ channel: surface.channelId, ts: ref, ...message });
      else if (ref === undefined)
        await this.deps.posts.once(design.id, thread.status.postKey, async () => {
          const result = await client.chat.postMessage({ ...inThread, ...message });
          if (!result.ts) throw new Error('chat.postMessage returned no ts');
          return result.ts;
        });
    }
    for (const image of thread.images) {
      if (posted.has(image.postKey)) continue;
      await this.deps.posts.once(design.id, image.postKey, () =>
        this.postImage(client, image, inThread, reachable),
      );
    }
  }

  private async postImage(
    client: WebClient,
    image: ThreadImage,
    inThread: { channel: string; thread_ts: string },
    reachable: boolean,
  ): Promise<string> {
    if (reachable) {
      const message = renderSlackImageMessage(image.title, await this.urlOf(image.imageKey));
      const result = await client.chat.postMessage({ ...inThread, ...message });
      if (!result.ts) throw new Error('chat.postMessage returned no ts');
      return result.ts;
    }
    const png = await this.deps.images.get(image.imageKey);
    const filename = imageFileName(image.imageKey);
    const result = await client.files.uploadV2({
      channel_id: inThread.channel,
      thread_ts: inThread.thread_ts,
      file: png,
      filename,
      title: image.title,
    });
    const fileId = uploadResultSchema.safeParse(result).data?.files[0]?.files[0]?.id;
    if (!fileId) throw new Error('files.uploadV2 returned no file id');
    return fileId;
  }
}
