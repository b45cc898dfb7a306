import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { UsageError, type CliIo } from './cli-io.ts';

export const discordUsage = `Discord:
  discord register [--guild ID]   register /design with Discord: in one server (instant), or globally
                                  for every server the bot is in (Discord may take a few minutes)`;

export async function discordCommand(args: string[], config: Readonly<Config>, io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'register') throw new UsageError(`unknown discord command "${sub ?? ''}"`);
  const { values } = parseArgs({ args: rest, options: { guild: { type: 'string' } } });
  if (!config.discord) throw new UsageError('set DISCORD_TOKEN and DISCORD_APPLICATION_ID first');
  // Imported here: discord.js takes ~0.8 s to load, which every other command would wait for.
  const { registerDiscordCommands } = await import('../bots/discord/discord-bot.ts');
  const count = await registerDiscordCommands({
    token: config.discord.token,
    applicationId: config.discord.applicationId,
    guildId: values.guild,
    apiUrl: config.discord.apiUrl,
  });
  io.out(
    values.guild
      ? `Registered ${count} command(s) in server ${values.guild}: /design is available there now.`
      : `Registered ${count} global command(s): /design reaches every server the bot is in; Discord can take a few minutes to show it.`,
  );
  return 0;
}
