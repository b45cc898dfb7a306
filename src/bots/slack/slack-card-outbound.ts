import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ImageStore } from '../../workflow/ports/image-store.ts';
import type { DesignCard } from '../card/design-card.ts';
import { imageFileName } from '../card/image-file-name.ts';
import type { ThreadImage, ThreadStatus } from '../card/design-thread.ts';
import type { CardImageMode, CardMessage, CardOutbound } from '../chat/card-outbound.ts';
import { renderSlackCard } from './slack-blocks.ts';
import { readSlackCardPlace } from './slack-card-place.ts';
import type { SlackClients } from './slack-clients.ts';
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

export type SlackCardMessage = CardMessage & { teamId: string };

/** Cards and their threads in Slack: chat.update for the card, replies under it for the thread. */
export class SlackCardOutbound implements CardOutbound<SlackCardMessage> {
  readonly platform = 'slack' as const;
  readonly repliesAreThread = true;
  private imagesReachable: Promise<boolean> | undefined;

  constructor(private readonly deps: { clients: SlackClients; images: ImageStore; logger: Logger }) {}

  locate(surface: Record<string, unknown>): SlackCardMessage | undefined {
    const place = readSlackCardPlace(surface);
    return place?.ts ? { teamId: place.teamId, channelId: place.channelId, messageId: place.ts } : undefined;
  }

  /**
   * Slack fetches image URLs itself, so loopback URLs (no PUBLIC_URL, no S3) are uploaded as files into
   * the thread instead. The image store's base URL is configuration: asking once is enough.
   */
  async imageMode(): Promise<CardImageMode> {
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
    return (await this.imagesReachable) ? 'link' : 'thread';
  }

  async editCard(where: SlackCardMessage, card: DesignCard): Promise<void> {
    const imageUrl =
      card.image && (await this.imageMode()) === 'link' ? await this.urlOf(card.image.key) : null;
    const client = await this.client(where);
    await client.chat.update({
      channel: where.channelId,
      ts: where.messageId,
      ...renderSlackCard(card, imageUrl),
    });
  }

  openThread(where: SlackCardMessage): Promise<string> {
    return Promise.resolve(where.messageId);
  }

  async postThreadStatus(where: SlackCardMessage, threadId: string, status: ThreadStatus): Promise<string> {
    const client = await this.client(where);
    const result = await client.chat.postMessage({
      channel: where.channelId,
      thread_ts: threadId,
      ...renderSlackThreadStatus(status),
    });
    if (!result.ts) throw new Error('chat.postMessage returned no ts');
    return result.ts;
  }

  async editThreadStatus(
    where: SlackCardMessage,
    _threadId: string,
    messageId: string,
    status: ThreadStatus,
  ) {
    const client = await this.client(where);
    await client.chat.update({ channel: where.channelId, ts: messageId, ...renderSlackThreadStatus(status) });
  }

  async postThreadImage(where: SlackCardMessage, threadId: string, image: ThreadImage): Promise<string> {
    const client = await this.client(where);
    if ((await this.imageMode()) === 'link') {
      const message = renderSlackImageMessage(image.title, await this.urlOf(image.imageKey));
      const result = await client.chat.postMessage({
        channel: where.channelId,
        thread_ts: threadId,
        ...message,
      });
      if (!result.ts) throw new Error('chat.postMessage returned no ts');
      return result.ts;
    }
    const result = await client.files.uploadV2({
      channel_id: where.channelId,
      thread_ts: threadId,
      file: await this.deps.images.get(image.imageKey),
      filename: imageFileName(image.imageKey),
      title: image.title,
    });
    const fileId = uploadResultSchema.safeParse(result).data?.files[0]?.files[0]?.id;
    if (!fileId) throw new Error('files.uploadV2 returned no file id');
    return fileId;
  }

  private client(where: SlackCardMessage): Promise<WebClient> {
    return this.deps.clients.forTeam(where.teamId);
  }

  private urlOf(key: string): Promise<string> {
    return this.deps.images.url(key, { expiresInSeconds: imageUrlLifetimeSeconds });
  }
}
