import {
  Client,
  Events,
  GatewayIntentBits,
  MessageFlags,
  REST,
  RESTEvents,
  Routes,
  type Interaction,
} from 'discord.js';
import { handleDiscordCommand } from './discord-commands.ts';
import { handleDiscordButton, handleDiscordFeedback } from './discord-components.ts';
import { DiscordContext, type DiscordBotDeps } from './discord-context.ts';
import { discordCommands } from './discord-command-definition.ts';
import { isFeedbackModal } from './discord-feedback-modal.ts';

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

/** The Discord surface: a gateway client with the Guilds intent only (interactions need no more). */
export function createDiscordBot(deps: DiscordBotDeps): DiscordBot {
  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    ...(deps.apiUrl ? { rest: { api: deps.apiUrl } } : {}),
  });
  const context = new DiscordContext(deps);
  const acks = ackTimer(client, deps.observeAck);

  client.on(Events.InteractionCreate, (interaction: Interaction) => {
    acks.received(interaction.id);
    void dispatch(interaction).catch((error: unknown) => {
      deps.logger.error(
        { err: error, interactionId: interaction.id },
        'a Discord interaction could not be answered',
      );
    });
  });
  client.on(Events.Error, (error) => deps.logger.error({ err: error }, 'Discord client error'));

  async function dispatch(interaction: Interaction): Promise<void> {
    if (!interaction.isChatInputCommand() && !interaction.isButton() && !interaction.isModalSubmit()) return;
    const slowDown = await context.overLimit(interaction.guildId ?? 'dm', interaction.user.id);
    if (slowDown) {
      await interaction.reply({ content: slowDown, flags: MessageFlags.Ephemeral });
      return;
    }
    if (interaction.isChatInputCommand() && interaction.commandName === 'design')
      return handleDiscordCommand(interaction, context);
    if (interaction.isButton()) return handleDiscordButton(interaction, context);
    if (interaction.isModalSubmit() && isFeedbackModal(interaction.customId))
      return handleDiscordFeedback(interaction, context);
  }

  return {
    client,
    async start() {
      const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
      await client.login(deps.token);
      await ready;
    },
    async stop() {
      await client.destroy();
    },
  };
}

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
