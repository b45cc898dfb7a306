import type { REST } from 'discord.js';
import type { Logger } from 'pino';
import { parseCardAction } from '../card/card-action-id.ts';
import { ChatBot, type ChatCore } from '../chat/chat-bot.ts';
import type { ChatRequest } from '../chat/chat-request.ts';
import {
  commandAcknowledgement,
  commandRefusal,
  opensForm,
  type Acknowledgement,
} from '../chat/first-answer.ts';
import type { ChatWorkHandler } from '../chat/work/chat-work.ts';
import type { DiscordCardOutbound } from './discord-card-outbound.ts';
import { discordChatRequest, webhookCardDeps } from './discord-chat-request.ts';
import {
  interactionPayloadSchema,
  submittedValues,
  type ActingPayload,
} from './discord-interaction-payload.ts';
import { viewOfPayload, type DiscordInteractionView } from './discord-interaction-view.ts';
import { discordOrigin } from './discord-origin.ts';
import { PayloadCommandOptions } from './discord-payload-command-options.ts';
import { discordPlatform, readDiscordCommand } from './discord-platform.ts';
import type { DiscordInteractionKind, FirstResponse } from './discord-responder.ts';
import { readDiscordSubmission } from './discord-submission.ts';
import type { DiscordWebhookCardOutbound } from './discord-webhook-card-outbound.ts';

export type DiscordInteractionWorkDeps = {
  /** Edits and follow-ups after the first response, with the interaction's token. */
  rest: REST;
  core: ChatCore;
  /** Sends new cards (a variation's) with the bot token. */
  cards: DiscordCardOutbound;
  /** Cards where the bot cannot post (user installs, DMs); without it those go through the bot too. */
  webhookCards?: DiscordWebhookCardOutbound | undefined;
  /** Where Discord serves attachments (discordImageHostsFor): an image option anywhere else is never fetched. */
  imageHosts: readonly string[];
  logger: Logger;
};

/** What the chat layer does with one interaction, and the deferral it can have before that (if any). */
export type InteractionWork = {
  kind: DiscordInteractionKind;
  view: DiscordInteractionView;
  /** The deferral that can be given at once; undefined when the chat layer's own answer comes first. */
  early: Acknowledgement | undefined;
  /** Runs the chat layer; `first` gives the first response (unless `acknowledged` says it was given). */
  run(first: FirstResponse, acknowledged?: Acknowledgement): Promise<void>;
};

/**
 * An HTTP interaction as work for the chat layer (commands, buttons, forms; PING and autocomplete are
 * the route's), wherever it runs: in the process that received it, or in a job worker after the route
 * deferred it (`handle`, for the chat work queue).
 */
export function discordInteractionWork(deps: DiscordInteractionWorkDeps): {
  workOf(payload: ActingPayload): InteractionWork | undefined;
  handle: ChatWorkHandler;
} {
  const bot = new ChatBot({ ...deps.core, platform: discordPlatform, logger: deps.logger });
  const webhook = webhookCardDeps(deps.webhookCards, deps.core);

  const work = (
    kind: DiscordInteractionKind,
    view: DiscordInteractionView,
    early: Acknowledgement | undefined,
    act: (request: ChatRequest) => Promise<void>,
  ): InteractionWork => ({
    kind,
    view,
    early,
    run: (first, acknowledged) =>
      act(
        discordChatRequest(view, kind, first, { rest: deps.rest, cards: deps.cards, webhook }, acknowledged),
      ),
  });

  function workOf(payload: ActingPayload): InteractionWork | undefined {
    switch (payload.type) {
      case 2: {
        if (payload.data.name !== 'design') return undefined;
        const view = viewOfPayload(payload);
        const command = readDiscordCommand(
          { options: new PayloadCommandOptions(payload.data) },
          view.install,
          deps.imageHosts,
        );
        // A refusal that needs nothing looked up is the first answer itself (no "thinking…" before it).
        const refused = commandRefusal(discordPlatform.words, discordOrigin(view), command) !== undefined;
        return work('command', view, refused ? undefined : commandAcknowledgement(command), (request) =>
          bot.command(request, command),
        );
      }
      case 3: {
        const action = parseCardAction(payload.data.custom_id);
        const early = action && opensForm(action) ? undefined : 'private';
        return work('component', viewOfPayload(payload), early, (request) =>
          bot.click(request, payload.data.custom_id),
        );
      }
      case 5: {
        const submission = readDiscordSubmission(payload.data.custom_id, submittedValues(payload));
        if (!submission) return undefined;
        return work('modal', viewOfPayload(payload), 'private', (request) => bot.submit(request, submission));
      }
      case 4:
        return undefined;
    }
  }

  const handle: ChatWorkHandler = async ({ request, acknowledged }) => {
    const parsed = interactionPayloadSchema.safeParse(JSON.parse(request));
    const found = parsed.success && parsed.data.type !== 1 ? workOf(parsed.data) : undefined;
    if (!found) throw new Error('queued Discord work is not an interaction Facet works on');
    await found.run(alreadyAnswered, acknowledged);
  };

  return { workOf, handle };
}

/** The first response of an interaction deferred before its work: the chat layer must not give another. */
const alreadyAnswered: FirstResponse = () =>
  Promise.reject(new Error('this interaction was deferred before its work started'));
