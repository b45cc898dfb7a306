import type { DesignCard } from '../card/design-card.ts';
import type { ThreadNotice } from '../card/design-notices.ts';
import type { ThreadImage, ThreadStatus } from '../card/design-thread.ts';
import type { CardImageMode, CardMessage, CardOutbound, UploadedImages } from '../chat/card-outbound.ts';
import type { DiscordWebhookCardOutbound, WebhookCardMessage } from './discord-webhook-card-outbound.ts';

/** A Discord card: posted by the bot (the default), or reachable only through interaction webhooks. */
export type DiscordCardWhere = (CardMessage & { via?: 'bot' }) | WebhookCardMessage;

/**
 * Discord's cards for the threaded-card notifier: a card made where the bot is not (designs.surface.discord
 * marked `via: webhook`) goes through the webhook outbound, every other through the bot's. Both attach
 * the front view to the card, which is what `imageMode` answers.
 */
export class DiscordCardRouter implements CardOutbound<DiscordCardWhere> {
  readonly platform = 'discord' as const;
  readonly repliesAreThread = false;

  constructor(
    private readonly bot: CardOutbound,
    private readonly webhook: DiscordWebhookCardOutbound,
  ) {}

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

  postThreadImage(
    where: DiscordCardWhere,
    threadId: string,
    image: ThreadImage,
    uploaded?: UploadedImages,
  ): Promise<string> {
    return where.via === 'webhook'
      ? this.webhook.postThreadImage(where, threadId, image)
      : this.bot.postThreadImage(where, threadId, image, uploaded);
  }
}
