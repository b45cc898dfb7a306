import {
  Client,
  Events,
  InteractionResponseType,
  REST,
  RESTEvents,
  Routes,
  type APIInteractionResponse,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type ModalSubmitInteraction,
} from 'discord.js';
import type { Logger } from 'pino';
import { withTimeout } from '../../workflow/jobs/with-timeout.ts';
import { BurstGate, type BurstGateOptions } from '../chat/burst-gate.ts';
import { ChatBot, type ChatCore } from '../chat/chat-bot.ts';
import type { DiscordCardOutbound } from './discord-card-outbound.ts';
import { discordCommands } from './discord-command-definition.ts';
import { respondDiscordAutocomplete } from './discord-autocomplete.ts';
import { discordChatRequest, webhookCardDeps } from './discord-chat-request.ts';
import { viewOfInteraction } from './discord-interaction-view.ts';
import { discordImageHostsFor, discordPlatform, readDiscordCommand } from './discord-platform.ts';
import type { DiscordInteractionKind } from './discord-responder.ts';
import { readDiscordSubmission } from './discord-submission.ts';
import { discordIntents, registerDiscordThreadReplies } from './discord-thread-replies.ts';
import type { DiscordWebhookCardOutbound } from './discord-webhook-card-outbound.ts';

export type DiscordBotDeps = {
  token: string;
  apiUrl?: string | undefined;
  /** What the chat layer asks of the core. */
  core: ChatCore;
  /** Sends new cards (a variation's) with the bot token. */
  cards: DiscordCardOutbound;
  /** Cards where the bot cannot post (user installs, DMs); without it those go through the bot too. */
  webhookCards?: DiscordWebhookCardOutbound | undefined;
  /** Seconds from an interaction's arrival to Discord accepting our first response. */
  observeAck?: ((seconds: number) => void) | undefined;
  /** Read replies in cards' threads (asks for the Message Content intent): DISCORD_MESSAGE_CONTENT. */
  messageContent?: boolean | undefined;
  /** How an interaction's work waits for its burst's deferrals (BurstGate's defaults when left out). */
  burst?: BurstGateOptions | undefined;
  logger: Logger;
};

export type DiscordBot = {
  client: Client;
  /** Logs in and resolves once the gateway session is ready. */
  start(): Promise<void>;
  stop(): Promise<void>;
};

/** The REST client every part shares, so discord.js's rate-limit queue sees all of Facet's requests. */
export function discordRest(token: string, apiUrl?: string): REST {
  return new REST({ version: '10', ...(apiUrl ? { api: apiUrl } : {}) }).setToken(token);
}

/**
 * The Discord gateway client (the Guilds intent, which interactions need; with DISCORD_MESSAGE_CONTENT
 * also the message intents for replies in cards' threads), translating each
 * interaction for the chat layer.
 */
export function createDiscordBot(deps: DiscordBotDeps): DiscordBot {
  const client = new Client({
    intents: discordIntents({ messageContent: deps.messageContent ?? false }),
    ...(deps.apiUrl ? { rest: { api: deps.apiUrl } } : {}),
  });
  const bot = new ChatBot({ ...deps.core, platform: discordPlatform, logger: deps.logger });
  const acks = ackTimer(client, deps.observeAck);
  const imageHosts = discordImageHostsFor(deps.apiUrl);
  if (deps.messageContent)
    registerDiscordThreadReplies(client, { bot, rest: client.rest, logger: deps.logger });
  const webhook = webhookCardDeps(deps.webhookCards, deps.core);

  // This process does each interaction's work itself: a burst's deferrals go out before its work starts.
  const burst = new BurstGate(deps.burst);
  const dispatching = new Set<Promise<void>>();
  client.on(Events.InteractionCreate, (interaction: Interaction) => {
    acks.received(interaction.id);
    const answered = burst.arrived();
    const dispatched = dispatch(interaction, answered)
      .catch((error: unknown) => {
        deps.logger.error(
          { err: error, interactionId: interaction.id },
          'a Discord interaction could not be answered',
        );
      })
      // An interaction answered without `first` (autocomplete), or ended before it, is answered by now.
      .finally(() => {
        answered();
        dispatching.delete(dispatched);
      });
    dispatching.add(dispatched);
  });
  client.on(Events.Error, (error) => deps.logger.error({ err: error }, 'Discord client error'));

  async function dispatch(interaction: Interaction, answered: () => void): Promise<void> {
    if (interaction.isAutocomplete() && interaction.commandName === 'design')
      return respondDiscordAutocomplete(interaction, deps.core, deps.logger);
    if (interaction.isChatInputCommand() && interaction.commandName === 'design') {
      const view = viewOfInteraction(interaction);
      return bot.command(
        request(interaction, answered, view),
        readDiscordCommand(interaction, view.install, imageHosts),
      );
    }
    if (interaction.isButton()) return bot.click(request(interaction, answered), interaction.customId);
    if (interaction.isModalSubmit()) {
      const values = new Map<string, string>();
      for (const field of interaction.fields.fields.values())
        if ('value' in field && typeof field.value === 'string') values.set(field.customId, field.value);
      const submission = readDiscordSubmission(interaction.customId, values);
      if (submission) return bot.submit(request(interaction, answered), submission);
    }
  }

  function request(
    interaction: ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction,
    answered: () => void,
    view = viewOfInteraction(interaction),
  ) {
    const kind: DiscordInteractionKind = interaction.isChatInputCommand()
      ? 'command'
      : interaction.isButton()
        ? 'component'
        : 'modal';
    // The gateway's first response is a REST callback; on the client's REST, so the ack timer sees it.
    // After a deferral it resolves only when the work may start (BurstGate); the interaction counts as
    // answered once the callback is sent or failed, before that wait, or the gate would wait for itself.
    const first = async (response: APIInteractionResponse) => {
      try {
        await client.rest.post(Routes.interactionCallback(interaction.id, interaction.token), {
          body: response,
          auth: false,
        });
      } finally {
        answered();
      }
      if (deferrals.has(response.type)) await burst.afterBurst();
    };
    return discordChatRequest(view, kind, first, {
      rest: client.rest,
      cards: deps.cards,
      webhook,
    });
  }

  return {
    client,
    async start() {
      const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
      await client.login(deps.token);
      await ready;
    },
    async stop() {
      // Interactions answered already are worked on before the workflow they need closes (main.ts closes
      // it after this): held work goes now, and the bot's token is still set for its cards.
      burst.releaseAll();
      await withTimeout(Promise.allSettled([...dispatching]), stopWaitMs, []);
      await client.destroy();
    },
  };
}

/** First responses after which work follows: a deferred reply, a deferred update. */
const deferrals = new Set<InteractionResponseType>([
  InteractionResponseType.DeferredChannelMessageWithSource,
  InteractionResponseType.DeferredMessageUpdate,
]);

/** How long stopping waits for interactions' work in progress; longer work is cut off by the stop. */
const stopWaitMs = 10_000;

/**
 * Times each interaction from its arrival on the gateway to Discord's answer to our first response
 * (Discord's 3 s deadline ends when it has that response), whichever handler sent it.
 */
function ackTimer(client: Client, observe: ((seconds: number) => void) | undefined) {
  const arrived = new Map<string, bigint>();
  if (observe)
    client.rest.on(RESTEvents.Response, (request) => {
      const id = /^\/interactions\/(\d+)\/[^/]+\/callback/.exec(request.path)?.[1];
      const start = id === undefined ? undefined : arrived.get(id);
      if (id === undefined || start === undefined) return;
      arrived.delete(id);
      observe(Number(process.hrtime.bigint() - start) / 1e9);
    });
  return {
    received(id: string) {
      if (!observe) return;
      // Interactions never answered (the bot stopped mid-way) must not pile up.
      if (arrived.size > 10_000) arrived.clear();
      arrived.set(id, process.hrtime.bigint());
    },
  };
}

/** Registers `/design`: in one guild (instant) or globally (every server; may take a while to show). */
export async function registerDiscordCommands(options: {
  token: string;
  applicationId: string;
  guildId?: string | undefined;
  apiUrl?: string | undefined;
}): Promise<number> {
  const rest = discordRest(options.token, options.apiUrl);
  const route = options.guildId
    ? Routes.applicationGuildCommands(options.applicationId, options.guildId)
    : Routes.applicationCommands(options.applicationId);
  const registered = await rest.put(route, { body: discordCommands });
  return Array.isArray(registered) ? registered.length : 0;
}
