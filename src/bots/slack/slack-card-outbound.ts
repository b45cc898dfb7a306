import { setTimeout as sleep } from 'node:timers/promises';
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ImageStore } from '../../workflow/ports/image-store.ts';
import type { DesignCard } from '../card/design-card.ts';
import { imageFileName } from '../card/image-file-name.ts';
import { renderSlackChatText } from './slack-chat-text.ts';
import type { ThreadNotice } from '../card/design-notices.ts';
import type { ThreadImage, ThreadStatus } from '../card/design-thread.ts';
import type { CardImageMode, CardMessage, CardOutbound, UploadedImages } from '../chat/card-outbound.ts';
import { renderSlackCard, type SlackImageSource } from './slack-blocks.ts';
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

/** A refused Web API call as @slack/web-api throws it; invalid_blocks lists its reasons. */
const refusalSchema = z.object({
  data: z.object({ error: z.string(), errors: z.array(z.string()).optional() }),
});

/**
 * Slack scans an upload before a block may show it, and meanwhile refuses the block as an invalid
 * slack_file (invalid_blocks); usually for about a second. The pauses before each new try, 7.75 s in all.
 */
const scanPausesMs = [250, 500, 1_000, 2_000, 4_000];

function refusesSlackFile(error: unknown): boolean {
  const refusal = refusalSchema.safeParse(error);
  if (!refusal.success || refusal.data.data.error !== 'invalid_blocks') return false;
  const reasons = refusal.data.data.errors ?? [];
  // Reasons name the refused field by JSON pointer; without any, the file is the likely one.
  return reasons.length === 0 || reasons.some((reason) => reason.includes('slack_file'));
}

/** Sends a message that shows a just-uploaded file, trying again while Slack is still scanning it. */
async function whileScanning<T>(send: () => Promise<T>): Promise<T> {
  for (const pause of scanPausesMs) {
    try {
      return await send();
    } catch (error) {
      if (!refusesSlackFile(error)) throw error;
      await sleep(pause);
    }
  }
  return send();
}

export type SlackCardMessage = CardMessage & { teamId: string };

/** Cards and their threads in Slack: chat.update for the card, replies under it for the thread. */
const groupMembersSchema = z.object({ users: z.array(z.string()) });

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
   * Slack fetches image URLs itself, so with loopback URLs (no PUBLIC_URL, no S3, Socket Mode behind a
   * firewall) each image is uploaded to Slack once and shown by its file id instead. The image store's
   * base URL is configuration: asking once is enough.
   */
  async imageMode(): Promise<CardImageMode> {
    this.imagesReachable ??= this.urlOf('probe.png').then((url) => {
      const ok = slackCanFetch(url);
      if (!ok)
        this.deps.logger.info(
          'image URLs are not reachable by Slack (set PUBLIC_URL or S3): images are uploaded to Slack',
        );
      return ok;
    });
    // A failed probe (the store briefly down) is asked again next time rather than remembered.
    this.imagesReachable.catch(() => (this.imagesReachable = undefined));
    return (await this.imagesReachable) ? 'link' : 'upload';
  }

  /**
   * Uploads without a channel (files.completeUploadExternal without channel_id): the file stays private
   * to the bot, which may still show it in the blocks it posts (slack_file: the poster needs access),
   * and no file message lands in the channel or thread.
   */
  async uploadImage(where: SlackCardMessage, image: { imageKey: string; title: string }): Promise<string> {
    const client = await this.client(where);
    const result = await client.files.uploadV2({
      file: await this.deps.images.get(image.imageKey),
      filename: imageFileName(image.imageKey),
      title: image.title,
    });
    const fileId = uploadResultSchema.safeParse(result).data?.files[0]?.files[0]?.id;
    if (!fileId) throw new Error('files.uploadV2 returned no file id');
    return fileId;
  }

  async editCard(
    where: SlackCardMessage,
    card: DesignCard,
    options: { uploaded?: UploadedImages },
  ): Promise<void> {
    const client = await this.client(where);
    const linked = (await this.imageMode()) === 'link';
    const sourceOf = async (key: string): Promise<SlackImageSource | null> => {
      if (linked) return this.urlOf(key);
      const fileId = options.uploaded?.get(key);
      return fileId ? { fileId } : null;
    };
    const candidates = await Promise.all((card.candidates ?? []).map((c) => sourceOf(c.key)));
    // The sketch a design started from is shown small where Slack can fetch it, else only named.
    const source = card.sourceImage && linked ? await this.urlOf(card.sourceImage.key) : null;
    const update = async (image: SlackImageSource | null, shown = candidates) => {
      await client.chat.update({
        channel: where.channelId,
        ts: where.messageId,
        ...renderSlackCard(card, image, { source, candidates: shown }),
      });
    };
    const image = card.image ? await sourceOf(card.image.key) : null;
    const uploads = [image, ...candidates].some((source) => source !== null && typeof source !== 'string');
    if (!uploads) return update(image);
    try {
      await whileScanning(() => update(image));
    } catch (error) {
      if (!refusesSlackFile(error)) throw error;
      // The card's state and buttons must not wait for its pictures: shown without them now, and the
      // error has the notifier deliver the card again.
      await update(null, []);
      throw error;
    }
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

  async postThreadNotice(where: SlackCardMessage, threadId: string, notice: ThreadNotice): Promise<string> {
    const client = await this.client(where);
    // Slack notifies whoever the text mentions (the user group, the requester): the text is the ping.
    const result = await client.chat.postMessage({
      channel: where.channelId,
      thread_ts: threadId,
      text: renderSlackChatText(notice.text),
    });
    if (!result.ts) throw new Error('chat.postMessage returned no ts');
    return result.ts;
  }

  async groupMembers(where: SlackCardMessage, group: string): Promise<string[]> {
    const client = await this.client(where);
    return groupMembersSchema.parse(await client.usergroups.users.list({ usergroup: group })).users;
  }

  /** A direct message (the app's Messages tab) with a link to the card it is about. */
  async postDirect(where: SlackCardMessage, userId: string, text: ThreadNotice['text']): Promise<string> {
    const client = await this.client(where);
    const link = await client.chat.getPermalink({ channel: where.channelId, message_ts: where.messageId });
    const result = await client.chat.postMessage({
      channel: userId,
      text: renderSlackChatText([
        ...text,
        ...(link.permalink ? [' ', { userText: 'Open the card', href: link.permalink }] : []),
      ]),
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

  async postThreadImage(
    where: SlackCardMessage,
    threadId: string,
    image: ThreadImage,
    uploaded?: UploadedImages,
  ): Promise<string> {
    const client = await this.client(where);
    const post = (source: SlackImageSource) =>
      client.chat.postMessage({
        channel: where.channelId,
        thread_ts: threadId,
        ...renderSlackImageMessage(image.title, source),
      });
    let result: Awaited<ReturnType<typeof post>>;
    if ((await this.imageMode()) === 'link') result = await post(await this.urlOf(image.imageKey));
    else {
      const fileId = uploaded?.get(image.imageKey);
      if (!fileId) throw new Error(`${image.imageKey} was not uploaded to Slack before its thread message`);
      result = await whileScanning(() => post({ fileId }));
    }
    if (!result.ts) throw new Error('chat.postMessage returned no ts');
    return result.ts;
  }

  private client(where: SlackCardMessage): Promise<WebClient> {
    return this.deps.clients.forTeam(where.teamId);
  }

  private urlOf(key: string): Promise<string> {
    return this.deps.images.url(key, { expiresInSeconds: imageUrlLifetimeSeconds });
  }
}
