import type { DesignCard } from '../card/design-card.ts';
import type { ThreadNotice } from '../card/design-notices.ts';
import type { ThreadImage, ThreadStatus } from '../card/design-thread.ts';
import type {
  CardImageMode,
  CardMessage,
  CardOutbound,
  ThreadGallery,
  UploadedImages,
} from '../chat/card-outbound.ts';
import type { DiscordCardOutbound } from './discord-card-outbound.ts';
import { discordCardLimits } from './discord-card.ts';
import type { DiscordWebhookCardOutbound, WebhookCardMessage } from './discord-webhook-card-outbound.ts';

/** A Discord card: posted by the bot (the default), or reachable only through interaction webhooks. */
export type DiscordCardWhere = (CardMessage & { via?: 'bot' }) | WebhookCardMessage;

/**
 * Discord's cards for the threaded-card notifier: a card made where the bot is not (designs.surface.discord
 * marked `via: webhook`) goes through the webhook outbound, every other through the bot's. Both attach
 * the front view to the card, which is what `imageMode` answers, and show a round's views in a gallery.
 */
export class DiscordCardRouter implements CardOutbound<DiscordCardWhere> {
  readonly platform = 'discord' as const;
  readonly repliesAreThread = false;

  constructor(
    private readonly bot: DiscordCardOutbound,
    private readonly webhook: DiscordWebhookCardOutbound,
  ) {}

  /** Both show a round's views in one gallery message: in the card's thread, or as a follow-up. */
  readonly gallery: ThreadGallery<DiscordCardWhere> = {
    maxImages: discordCardLimits.galleryItems,
    post: (where, threadId, images) =>
      where.via === 'webhook'
        ? this.webhook.gallery.post(where, threadId, images)
        : this.bot.gallery.post(where, threadId, images),
    edit: (where, threadId, messageId, images) =>
      where.via === 'webhook'
        ? this.webhook.gallery.edit(where, threadId, messageId, images)
        : this.bot.gallery.edit(where, threadId, messageId, images),
  };

  locate(surface: Record<string, unknown>): DiscordCardWhere | undefined {
    return this.webhook.locate(surface) ?? this.bot.locate(surface);
  }

  imageMode(): Promise<CardImageMode> {
    return this.bot.imageMode();
  }

  editCard(
    where: DiscordCardWhere,
    card: DesignCard,
    options: { upload: boolean; uploaded?: UploadedImages },
  ): Promise<void> {
    return where.via === 'webhook'
      ? this.webhook.editCard(where, card)
      : this.bot.editCard(where, card, options);
  }

  openThread(where: DiscordCardWhere, name: string): Promise<string> {
    return where.via === 'webhook' ? this.webhook.openThread(where) : this.bot.openThread(where, name);
  }

  postThreadStatus(where: DiscordCardWhere, threadId: string, status: ThreadStatus): Promise<string> {
    return where.via === 'webhook'
      ? this.webhook.postThreadStatus(where, threadId, status)
      : this.bot.postThreadStatus(where, threadId, status);
  }

  editThreadStatus(
    where: DiscordCardWhere,
    threadId: string,
    messageId: string,
    status: ThreadStatus,
  ): Promise<void> {
    return where.via === 'webhook'
      ? this.webhook.editThreadStatus(where, threadId, messageId, status)
      : this.bot.editThreadStatus(where, threadId, messageId, status);
  }

  postThreadNotice(where: DiscordCardWhere, threadId: string, notice: ThreadNotice): Promise<string> {
    return where.via === 'webhook'
      ? this.webhook.postThreadNotice(where, threadId, notice)
      : this.bot.postThreadNotice(where, threadId, notice);
  }

  postThreadImage(where: DiscordCardWhere, threadId: string, image: ThreadImage): Promise<string> {
    return where.via === 'webhook'
      ? this.webhook.postThreadImage(where, threadId, image)
      : this.bot.postThreadImage(where, threadId, image);
  }
}
