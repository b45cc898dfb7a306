import {
  Routes,
  type APIInteractionResponse,
  type REST,
  type RESTPatchAPIWebhookWithTokenMessageJSONBody,
  type RESTPostAPIWebhookWithTokenJSONBody,
} from 'discord.js';
import { z } from 'zod';

/** What kind of interaction is being answered: it decides which first responses Discord allows. */
export type DiscordInteractionKind = 'command' | 'component' | 'modal';

/**
 * How the first response reaches Discord: a REST callback (gateway) or the HTTP response (HTTP mode).
 * Resolves when what follows may start: on the gateway, after a deferral, once the burst it came in has
 * been answered (src/bots/chat/burst-gate.ts), so up to 250 ms after Discord accepted it.
 */
export type FirstResponse = (response: APIInteractionResponse) => Promise<void>;

/**
 * Answers one interaction, whichever way it arrived. Only the first response differs between the two
 * modes; everything after it goes over the interaction's webhook (its token, 15 minutes), with REST.
 */
export interface DiscordResponder {
  readonly kind: DiscordInteractionKind;
  readonly channelId: string;
  /** The first response (within Discord's 3 s): a deferral, a message or a modal. Once only. */
  respond(response: APIInteractionResponse): Promise<void>;
  /** Edits the response message (the deferred reply); resolves with its id. */
  editOriginal(body: RESTPatchAPIWebhookWithTokenMessageJSONBody): Promise<string>;
  deleteOriginal(): Promise<void>;
  followUp(body: RESTPostAPIWebhookWithTokenJSONBody): Promise<void>;
}

const messageSchema = z.object({ id: z.string() });

/** The interaction's identity as Discord gave it: enough to answer it from any process. */
export type InteractionTicket = {
  kind: DiscordInteractionKind;
  channelId: string;
  applicationId: string;
  token: string;
};

/** A DiscordResponder whose first response goes where `first` sends it and the rest over REST. */
export class WebhookResponder implements DiscordResponder {
  readonly kind: DiscordInteractionKind;
  readonly channelId: string;
  private responded = false;

  constructor(
    private readonly ticket: InteractionTicket,
    private readonly rest: REST,
    private readonly first: FirstResponse,
  ) {
    this.kind = ticket.kind;
    this.channelId = ticket.channelId;
  }

  async respond(response: APIInteractionResponse): Promise<void> {
    // Discord refuses a second first response (40060); saying so here names the bug where it is.
    if (this.responded) throw new Error('this interaction has already had its first response');
    this.responded = true;
    await this.first(response);
  }

  async editOriginal(body: RESTPatchAPIWebhookWithTokenMessageJSONBody): Promise<string> {
    const route = Routes.webhookMessage(this.ticket.applicationId, this.ticket.token, '@original');
    return messageSchema.parse(await this.rest.patch(route, { body, auth: false })).id;
  }

  async deleteOriginal(): Promise<void> {
    await this.rest.delete(Routes.webhookMessage(this.ticket.applicationId, this.ticket.token, '@original'), {
      auth: false,
    });
  }

  async followUp(body: RESTPostAPIWebhookWithTokenJSONBody): Promise<void> {
    await this.rest.post(Routes.webhook(this.ticket.applicationId, this.ticket.token), { body, auth: false });
  }
}
