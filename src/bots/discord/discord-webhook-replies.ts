import type { DesignService } from '../../workflow/design-service.ts';
import type { DesignSnapshot } from '../../workflow/design-snapshot.ts';
import type { DesignCard } from '../card/design-card.ts';
import type { Acknowledgement } from '../chat/first-answer.ts';
import type { DiscordCardOutbound } from './discord-card-outbound.ts';
import type { DiscordInteractionView } from './discord-interaction-view.ts';
import { DiscordReplies } from './discord-replies.ts';
import type { DiscordResponder } from './discord-responder.ts';
import type { DiscordWebhookCardOutbound } from './discord-webhook-card-outbound.ts';

export type WebhookCardDeps = {
  webhook: DiscordWebhookCardOutbound;
  service: Pick<DesignService, 'snapshot'>;
  /** Shows a design's newest state on its card (the coalescing notifier's redeliver). */
  redeliver: (design: DesignSnapshot) => Promise<void>;
};

/**
 * Answers an interaction in a personal workspace (a user install, a DM), where the bot may not post: a
 * new design's card is the command's own reply and a variation's a follow-up, both kept with the
 * interaction's token; every click or form on such a card hands the card its newer token and shows the
 * newest state, so a card whose token died (15 minutes after the last click) heals at the next click.
 * Either transport: the responder carries the difference, the view what the interaction says.
 */
export class DiscordWebhookReplies extends DiscordReplies {
  private refreshed = false;

  constructor(
    private readonly answering: DiscordResponder,
    private readonly view: DiscordInteractionView,
    cards: DiscordCardOutbound,
    private readonly deps: WebhookCardDeps,
    acknowledged?: Acknowledgement,
  ) {
    super(answering, cards, acknowledged);
  }

  override async acknowledge(visibility: Acknowledgement): Promise<void> {
    await super.acknowledge(visibility);
    if (this.refreshed) return;
    this.refreshed = true;
    // After a deferred update, the token's @original is the message the button (or form) was on.
    const messageId = this.answering.kind === 'command' ? undefined : this.view.messageId;
    if (messageId === undefined) return;
    const designId = await this.deps.webhook.designOf(messageId);
    if (designId === undefined) return;
    await this.deps.webhook.remember(messageId, designId, {
      token: this.view.token,
      createdAt: this.view.createdAt,
      messageRef: '@original',
    });
    const design = await this.deps.service.snapshot(designId);
    if (design) await this.deps.redeliver(design);
  }

  override async postCard(card: DesignCard): Promise<string> {
    const fresh = { token: this.view.token, createdAt: this.view.createdAt };
    if (this.answering.kind !== 'command') return this.deps.webhook.sendFollowUp(card.designId, card, fresh);
    const messageId = await super.postCard(card);
    await this.deps.webhook.remember(messageId, card.designId, { ...fresh, messageRef: '@original' });
    return messageId;
  }
}
