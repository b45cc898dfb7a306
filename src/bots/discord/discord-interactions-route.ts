import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KeyObject } from 'node:crypto';
import { InteractionResponseType, MessageFlags, type APIInteractionResponse, type REST } from 'discord.js';
import type { Logger } from 'pino';
import type { HttpRoute } from '../../http/health-server.ts';
import { ChatBot, type ChatCore } from '../chat/chat-bot.ts';
import { answerAutocomplete } from './discord-autocomplete.ts';
import type { DiscordCardOutbound } from './discord-card-outbound.ts';
import { HttpFirstResponse } from './discord-http-first-response.ts';
import {
  interactionPayloadSchema,
  submittedValues,
  type ActingPayload,
} from './discord-interaction-payload.ts';
import { discordChatRequest, webhookCardDeps } from './discord-chat-request.ts';
import { viewOfPayload, type DiscordInteractionView } from './discord-interaction-view.ts';
import { PayloadCommandOptions } from './discord-payload-command-options.ts';
import { discordPlatform, readDiscordCommand } from './discord-platform.ts';
import type { DiscordInteractionKind } from './discord-responder.ts';
import { checkDiscordSignature } from './discord-signature.ts';
import { readDiscordSubmission } from './discord-submission.ts';
import type { DiscordWebhookCardOutbound } from './discord-webhook-card-outbound.ts';
import { readCappedBody } from '../../http/read-capped-body.ts';

/** Where the Developer Portal's "Interactions Endpoint URL" points: PUBLIC_URL + this path. */
export const discordInteractionsPath = '/discord/interactions';

/** Discord's interaction payloads are small; a message with its components is the largest part. */
const maxBodyBytes = 1024 * 1024;

export type DiscordInteractionsDeps = {
  /** The application's public key (discordPublicKey). */
  publicKey: KeyObject;
  /** Edits and follow-ups after the first response, with the interaction's token. */
  rest: REST;
  core: ChatCore;
  /** Sends new cards (a variation's) with the bot token. */
  cards: DiscordCardOutbound;
  /** Cards where the bot cannot post (user installs, DMs); without it those go through the bot too. */
  webhookCards?: DiscordWebhookCardOutbound | undefined;
  /** Seconds from a request's arrival to our HTTP response having been written. */
  observeAck?: ((seconds: number) => void) | undefined;
  logger: Logger;
  /** Where Discord serves attachments (discordImageHostsFor): an image option anywhere else is never fetched. */
  imageHosts: readonly string[];
  /** Epoch milliseconds, for the signature's timestamp. */
  now?: () => number;
};

const notOurs = 'Facet does not know that (any more); nothing was changed.';
const failed = 'Something went wrong on our side; nothing was changed. Try again in a moment.';

/**
 * POST /discord/interactions (HTTP mode): checks Discord's Ed25519 signature, answers PING, and hands
 * commands, buttons and forms to the chat layer, whose first answer becomes the HTTP response. Keeps
 * nothing between requests: any number of processes can serve one application.
 */
export function discordInteractionsRoute(deps: DiscordInteractionsDeps): HttpRoute {
  const bot = new ChatBot({ ...deps.core, platform: discordPlatform, logger: deps.logger });
  const now = deps.now ?? Date.now;
  const webhook = webhookCardDeps(deps.webhookCards, deps.core);

  return async (request, response) => {
    if ((request.url ?? '').split('?')[0] !== discordInteractionsPath) return false;
    const arrived = performance.now();
    if (request.method !== 'POST') {
      sendJson(response, 405, { error: 'POST only' });
      return true;
    }
    const body = await readCappedBody(request, maxBodyBytes);
    if (body === 'too_large') {
      sendJson(response, 413, { error: 'too large' });
      return true;
    }
    const check = checkDiscordSignature(
      deps.publicKey,
      {
        signature: header(request, 'x-signature-ed25519'),
        timestamp: header(request, 'x-signature-timestamp'),
        body,
      },
      now(),
    );
    if (check !== 'valid') {
      // Forgeries are expected on a public endpoint (Discord itself sends some to test it): no alarm.
      deps.logger.debug({ check }, 'refused an unsigned or stale Discord interaction');
      sendJson(response, 401, { error: 'invalid request signature' });
      return true;
    }
    const parsed = interactionPayloadSchema.safeParse(parseJson(body));
    if (!parsed.success) {
      deps.logger.warn(
        {
          issues: parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.')}: ${issue.message}`),
        },
        'a signed Discord interaction Facet cannot read',
      );
      sendJson(response, 400, { error: 'unreadable interaction' });
      return true;
    }
    const payload = parsed.data;
    response.once('finish', () => deps.observeAck?.((performance.now() - arrived) / 1000));
    if (payload.type === 1) {
      sendJson(response, 200, { type: InteractionResponseType.Pong });
      return true;
    }
    if (payload.type === 4) {
      sendJson(response, 200, await answerAutocomplete(payload, deps.core, deps.logger));
      return true;
    }
    const first = new HttpFirstResponse(response);
    const handled = dispatch(payload, first).then(
      () => ephemeral(notOurs),
      (error: unknown) => {
        deps.logger.error(
          { err: error, interactionId: payload.id },
          'a Discord interaction could not be answered',
        );
        return ephemeral(failed);
      },
    );
    // The chat layer's first answer, or ours when it ended (or failed) without one.
    const answer = await Promise.race([first.answer, handled]);
    first.close();
    // The slow part goes on after the response; a failure there is logged by `handled`.
    sendJson(response, 200, answer);
    return true;
  };

  async function dispatch(payload: ActingPayload, first: HttpFirstResponse): Promise<void> {
    switch (payload.type) {
      case 2: {
        if (payload.data.name !== 'design') return;
        const view = viewOfPayload(payload);
        return bot.command(
          request(view, 'command', first),
          readDiscordCommand(
            { options: new PayloadCommandOptions(payload.data) },
            view.install,
            deps.imageHosts,
          ),
        );
      }
      case 3:
        return bot.click(request(viewOfPayload(payload), 'component', first), payload.data.custom_id);
      case 5: {
        const submission = readDiscordSubmission(payload.data.custom_id, submittedValues(payload));
        if (submission) await bot.submit(request(viewOfPayload(payload), 'modal', first), submission);
        return;
      }
      case 4:
        return;
    }
  }

  function request(view: DiscordInteractionView, kind: DiscordInteractionKind, first: HttpFirstResponse) {
    return discordChatRequest(view, kind, (answer) => first.send(answer), {
      rest: deps.rest,
      cards: deps.cards,
      webhook,
    });
  }
}

const ephemeral = (content: string): APIInteractionResponse => ({
  type: InteractionResponseType.ChannelMessageWithSource,
  data: { content, flags: MessageFlags.Ephemeral, allowed_mentions: { parse: [] } },
});

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  if (response.headersSent) return;
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}
