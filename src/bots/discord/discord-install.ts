import { z } from 'zod';

/**
 * Whose credits an interaction spends, from where it was used and who authorised the app there.
 *
 * Discord tells both: `context` (0 a server, 1 a DM with the bot, 2 any other DM or group DM) and
 * `authorizing_integration_owners` (key 0: the server that installed the app, "0" in the bot's DMs; key
 * 1: the user who installed it, for a user install). On a click, the owners are those of the command
 * that made the message, so a card keeps the workspace it was made in whoever clicks it.
 */
export type DiscordInstall =
  /** The app is installed in this server: the server's workspace, its approvers, cards by the bot. */
  | { kind: 'guild'; guildId: string }
  /**
   * A user install (or a DM): the person's own workspace. The bot may not be where the card is, so
   * the card is posted and edited through the interaction's webhook only.
   */
  | { kind: 'personal'; ownerId: string; guildId: string | null };

export type DiscordInstallInput = {
  /** InteractionContextType; null on payloads older than user installs. */
  context: number | null;
  guildId: string | null;
  /** authorizing_integration_owners, by integration type ('0' guild, '1' user). */
  owners: Partial<Record<'0' | '1', string | number | null | undefined>>;
  /** Who sent the interaction. */
  userId: string;
};

/**
 * authorizing_integration_owners as Discord sends it (and discord.js hands it on). Read leniently: an
 * unreadable map counts as no owners, which discordInstallOf treats as the safe case.
 */
export const discordOwnersSchema = z
  .object({
    '0': z.union([z.string(), z.number()]).nullish(),
    '1': z.string().nullish(),
  })
  .catch({});

/** Discord's ids are decimal snowflakes; a personal workspace's id is `user:<id>`, so none collide. */
const personalPrefix = 'user:';

/** The workspace id (workspaces.external_id on Discord) of an install. */
export function discordWorkspaceId(install: DiscordInstall): string {
  return install.kind === 'guild' ? install.guildId : `${personalPrefix}${install.ownerId}`;
}

/** Whether a Discord workspace id is someone's personal one. */
export function isPersonalWorkspace(workspaceId: string): boolean {
  return workspaceId.startsWith(personalPrefix);
}

export function discordInstallOf(input: DiscordInstallInput): DiscordInstall {
  const guildOwner = input.owners['0'];
  const userOwner = input.owners['1'];
  // Discord has sent the bot DM's "0" as a number: both mean "not a server".
  const installedGuild = guildOwner === null || guildOwner === undefined ? null : String(guildOwner);
  if (input.guildId && installedGuild === input.guildId) return { kind: 'guild', guildId: input.guildId };
  if (typeof userOwner === 'string' && userOwner !== '')
    return { kind: 'personal', ownerId: userOwner, guildId: input.guildId };
  // Payloads without owners (before user installs existed) come from servers that installed the app.
  if (input.context === null && installedGuild === null && input.guildId)
    return { kind: 'guild', guildId: input.guildId };
  // A DM with the bot of a server-installed app: no server to charge, the person's own credits.
  return { kind: 'personal', ownerId: input.userId, guildId: input.guildId };
}
