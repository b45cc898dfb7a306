import type { AutocompleteInteraction } from 'discord.js';
import type { Logger } from 'pino';
import { suggestDesigns, type DesignChoice } from '../chat/design-choices.ts';
import type { ChatCore } from '../chat/chat-bot.ts';
import { discordWorkspaceId } from './discord-install.ts';
import { discordInstallOfInteraction } from './discord-origin.ts';

/** Discord's shape of a choice: the label (1-100 chars) and the option's value. */
export type DiscordChoice = { name: string; value: number };

/** The options `/design` autocompletes: `history`'s design (its position in the list). */
export function isDesignOption(subcommand: string | null, option: string): boolean {
  return subcommand === 'history' && option === 'design';
}

export function toDiscordChoices(choices: readonly DesignChoice[]): DiscordChoice[] {
  return choices.map((choice) => ({ name: choice.label, value: choice.position }));
}

/**
 * Answers an autocomplete interaction of `/design` (any transport: the gateway here, HTTP by building
 * the same request): the person's own designs in the workspace the interaction belongs to. An option
 * it does not know gets no choices. Never throws to Discord's clock: a failed read is logged and
 * answered with nothing.
 */
export async function discordAutocompleteChoices(
  core: Pick<ChatCore, 'workspaces' | 'designs'>,
  request: { workspace: string; userId: string; subcommand: string | null; option: string; typed: string },
  logger: Logger,
): Promise<DiscordChoice[]> {
  if (!isDesignOption(request.subcommand, request.option)) return [];
  try {
    const choices = await suggestDesigns(core, {
      platform: 'discord',
      workspace: request.workspace,
      userId: request.userId,
      typed: request.typed,
    });
    return toDiscordChoices(choices);
  } catch (error) {
    logger.error({ err: error, userId: request.userId }, 'design autocomplete failed');
    return [];
  }
}

/** The gateway's autocomplete: reads the interaction, answers within Discord's 3 s. */
export async function respondDiscordAutocomplete(
  interaction: AutocompleteInteraction,
  core: Pick<ChatCore, 'workspaces' | 'designs'>,
  logger: Logger,
): Promise<void> {
  const focused = interaction.options.getFocused(true);
  const choices = await discordAutocompleteChoices(
    core,
    {
      workspace: discordWorkspaceId(discordInstallOfInteraction(interaction)),
      userId: interaction.user.id,
      subcommand: interaction.options.getSubcommand(false),
      option: focused.name,
      typed: focused.value,
    },
    logger,
  );
  await interaction.respond(choices);
}
