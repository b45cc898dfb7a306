import type { REST } from 'discord.js';
import type { ChatCore } from '../chat/chat-bot.ts';
import type { ChatRequest } from '../chat/chat-request.ts';
import type { Acknowledgement } from '../chat/first-answer.ts';
import type { DiscordCardOutbound } from './discord-card-outbound.ts';
import type { DiscordInteractionView } from './discord-interaction-view.ts';
import { discordOrigin } from './discord-origin.ts';
import { DiscordReplies } from './discord-replies.ts';
import { WebhookResponder, type DiscordInteractionKind, type FirstResponse } from './discord-responder.ts';
import type { DiscordWebhookCardOutbound } from './discord-webhook-card-outbound.ts';
import { DiscordWebhookReplies, type WebhookCardDeps } from './discord-webhook-replies.ts';

/** What a personal workspace's replies need, when webhook cards are set up (both transports). */
export function webhookCardDeps(
  webhookCards: DiscordWebhookCardOutbound | undefined,
  core: Pick<ChatCore, 'service' | 'redeliver'>,
): WebhookCardDeps | undefined {
  return webhookCards && { webhook: webhookCards, service: core.service, redeliver: core.redeliver };
}

export type DiscordRequestDeps = {
  /** Edits and follow-ups after the first response, with the interaction's token. */
  rest: REST;
  /** Sends new cards (a variation's) with the bot token. */
  cards: DiscordCardOutbound;
  /** Cards where the bot cannot post (user installs, DMs); without it those go through the bot too. */
  webhook: WebhookCardDeps | undefined;
};

/**
 * One interaction as the chat layer's request, whichever transport it came by (`first` sends the first
 * response its way): its origin, and replies through its webhook in a personal workspace (when webhook
 * cards are set up), else the bot's.
 */
export function discordChatRequest(
  view: DiscordInteractionView,
  kind: DiscordInteractionKind,
  first: FirstResponse,
  deps: DiscordRequestDeps,
  /** The deferral the transport already gave (an early answer), if it did. */
  acknowledged?: Acknowledgement,
): ChatRequest {
  const ticket = {
    kind,
    channelId: view.channelId,
    applicationId: view.applicationId,
    token: view.token,
  };
  const responder = new WebhookResponder(ticket, deps.rest, first);
  const replies =
    deps.webhook && view.install.kind === 'personal'
      ? new DiscordWebhookReplies(responder, view, deps.cards, deps.webhook, acknowledged)
      : new DiscordReplies(responder, deps.cards, acknowledged);
  return { origin: discordOrigin(view), replies };
}
