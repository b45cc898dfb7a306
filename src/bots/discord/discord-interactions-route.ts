import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KeyObject } from 'node:crypto';
import { InteractionResponseType, MessageFlags, type APIInteractionResponse } from 'discord.js';
import type { HttpRoute } from '../../http/health-server.ts';
import { readCappedBody } from '../../http/read-capped-body.ts';
import type { ChatWork, ChatWorkQueue } from '../chat/work/chat-work.ts';
import { InProcessChatWorkQueue } from '../chat/work/in-process-chat-work-queue.ts';
import { answerAutocomplete } from './discord-autocomplete.ts';
import { HttpFirstResponse } from './discord-http-first-response.ts';
import { interactionPayloadSchema } from './discord-interaction-payload.ts';
import { discordInteractionWork, type DiscordInteractionWorkDeps } from './discord-interaction-work.ts';
import { discordDeferral } from './discord-replies.ts';
import { checkDiscordSignature } from './discord-signature.ts';

/** Where the Developer Portal's "Interactions Endpoint URL" points: PUBLIC_URL + this path. */
export const discordInteractionsPath = '/discord/interactions';

/** Discord's interaction payloads are small; a message with its components is the largest part. */
const maxBodyBytes = 1024 * 1024;

export type DiscordInteractionsDeps = DiscordInteractionWorkDeps & {
  /** The application's public key (discordPublicKey). */
  publicKey: KeyObject;
  /** Seconds from a request's arrival to our HTTP response having been written. */
  observeAck?: ((seconds: number) => void) | undefined;
  /** Epoch milliseconds, for the signature's timestamp. */
  now?: () => number;
  /**
   * Where deferred interactions wait for their work (a job worker's process, with Redis); without it this
   * process works on them itself, after answering.
   */
  chatWork?: ChatWorkQueue | undefined;
};

const notOurs = 'Facet does not know that (any more); nothing was changed.';
const failed = 'Something went wrong on our side; nothing was changed. Try again in a moment.';

/**
 * POST /discord/interactions (HTTP mode): checks Discord's Ed25519 signature, answers PING, and hands
 * commands, buttons and forms to the chat layer. What can be answered from the interaction alone (a
 * command the chat layer will work on, a button that opens no form, a form coming back) gets its deferral
 * at once, before any of the chat layer's work: a burst of interactions is answered in the time it takes
 * to read and check them, not behind the work of the ones before. The rest (refusals the chat layer gives
 * without looking anything up, forms, autocomplete) get the chat layer's own first answer. The work of a
 * deferred one goes to the chat work queue (with Redis: a job worker's process, so this process's event
 * loop only receives). Keeps nothing between requests: any number of processes can serve one application.
 */
export function discordInteractionsRoute(deps: DiscordInteractionsDeps): HttpRoute {
  const now = deps.now ?? Date.now;
  const interactions = discordInteractionWork(deps);
  const local = new InProcessChatWorkQueue(deps.logger);
  void local.process(interactions.handle);
  const handOff = async (work: ChatWork) => {
    if (!deps.chatWork) return local.add(work);
    // Answered already: if the queue cannot take it (Redis away), the work is done here instead.
    await deps.chatWork.add(work).catch((err: unknown) => {
      deps.logger.warn({ err }, 'the chat work queue refused an interaction; working on it here');
      return local.add(work);
    });
  };

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
    const work = interactions.workOf(payload);
    if (work?.early) {
      sendJson(response, 200, discordDeferral(work.kind, work.early));
      await handOff({ platform: 'discord', request: body.toString('utf8'), acknowledged: work.early });
      return true;
    }
    const first = new HttpFirstResponse(response);
    const handled = (
      work ? work.run((answer: APIInteractionResponse) => first.send(answer)) : Promise.resolve()
    ).then(
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
