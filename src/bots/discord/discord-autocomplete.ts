import {
  InteractionResponseType,
  type APIApplicationCommandAutocompleteResponse,
  type AutocompleteInteraction,
} from 'discord.js';
import type { Logger } from 'pino';
import { suggestDesigns, type DesignChoice } from '../chat/design-choices.ts';
import type { ChatCore } from '../chat/chat-bot.ts';
import { discordWorkspaceId } from './discord-install.ts';
import type { InteractionPayload, PayloadCommandOption } from './discord-interaction-payload.ts';
import { viewOfInteraction, viewOfPayload, type DiscordInteractionView } from './discord-interaction-view.ts';
import { PayloadCommandOptions } from './discord-payload-command-options.ts';

type AutocompleteCore = Pick<ChatCore, 'workspaces' | 'designs'>;
type AutocompletePayload = Extract<InteractionPayload, { type: 4 }>;

/** Discord's shape of a choice: the label (1-100 chars) and the option's value. */
export type DiscordChoice = { name: string; value: number };

/** What is being typed: the subcommand, and the focused option's name and text so far. */
export type AutocompleteQuery = { subcommand: string | null; option: string; typed: string };

/** The options `/design` autocompletes: `history`'s design (its position in the list). */
export function isDesignOption(subcommand: string | null, option: string): boolean {
  return subcommand === 'history' && option === 'design';
}

export function toDiscordChoices(choices: readonly DesignChoice[]): DiscordChoice[] {
  return choices.map((choice) => ({ name: choice.label, value: choice.position }));
}

/**
 * The one answer to an autocomplete of `/design`, whichever transport it came by: the person's own
 * designs in the workspace the interaction belongs to (a server's, or their personal one). An option it
 * does not know gets no choices. Never throws to Discord's clock: a failed read is logged and answered
 * with nothing.
 */
export async function discordAutocompleteChoices(
  core: AutocompleteCore,
  view: DiscordInteractionView,
  query: AutocompleteQuery,
  logger: Logger,
): Promise<DiscordChoice[]> {
  if (!isDesignOption(query.subcommand, query.option)) return [];
  try {
    const choices = await suggestDesigns(core, {
      platform: 'discord',
      workspace: discordWorkspaceId(view.install),
      userId: view.userId,
      typed: query.typed,
    });
    return toDiscordChoices(choices);
  } catch (error) {
    logger.error({ err: error, userId: view.userId }, 'design autocomplete failed');
    return [];
  }
}

/** The gateway's autocomplete: discord.js has read the options; answered within Discord's 3 s. */
export async function respondDiscordAutocomplete(
  interaction: AutocompleteInteraction,
  core: AutocompleteCore,
  logger: Logger,
): Promise<void> {
  const focused = interaction.options.getFocused(true);
  const choices = await discordAutocompleteChoices(
    core,
    viewOfInteraction(interaction),
    { subcommand: interaction.options.getSubcommand(false), option: focused.name, typed: focused.value },
    logger,
  );
  await interaction.respond(choices);
}

/** HTTP mode's autocomplete (type 4): the same choices, as the HTTP response's body. */
export async function answerAutocomplete(
  payload: AutocompletePayload,
  core: AutocompleteCore,
  logger: Logger,
): Promise<APIApplicationCommandAutocompleteResponse> {
  const focused = focusedOption(payload.data.options ?? []);
  const choices =
    payload.data.name === 'design' && focused
      ? await discordAutocompleteChoices(
          core,
          viewOfPayload(payload),
          {
            subcommand: new PayloadCommandOptions(payload.data).getSubcommand(),
            option: focused.name,
            typed: String(focused.value ?? ''),
          },
          logger,
        )
      : [];
  return { type: InteractionResponseType.ApplicationCommandAutocompleteResult, data: { choices } };
}

/** The option being typed, inside its subcommand (group) if any. */
function focusedOption(options: readonly PayloadCommandOption[]): PayloadCommandOption | undefined {
  for (const option of options) {
    if (option.focused) return option;
    const inner = focusedOption(option.options ?? []);
    if (inner) return inner;
  }
  return undefined;
}
