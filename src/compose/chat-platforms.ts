import type { Config } from '../config.ts';
import type { Platform } from '../platform.ts';
import type { PlatformComposition, PlatformDeps } from './platform-composition.ts';

type PlatformEntry = {
  platform: Platform;
  /** Whether this process runs the platform (its configuration is there, and the role allows it). */
  wanted(config: Readonly<Config>, role: string): boolean;
  /** Imported only when wanted: @slack/bolt and discord.js take about a second to load. */
  compose(config: Readonly<Config>, deps: PlatformDeps): Promise<PlatformComposition>;
  /** Said at start when it is off: how to turn it on. */
  off: string;
};

function required<T>(value: T | undefined, platform: Platform): T {
  if (value === undefined) throw new Error(`${platform} is not configured`);
  return value;
}

/** Every chat platform Facet can run. Adding one is its adapter folder, its config entries and one entry here. */
export const chatPlatforms: readonly PlatformEntry[] = [
  {
    platform: 'slack',
    wanted: (config) => config.slack !== undefined,
    compose: async (config, deps) =>
      (await import('./slack-composition.ts')).composeSlack(required(config.slack, 'slack'), deps),
    off: 'off (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET; see docs/deploy.md)',
  },
  {
    platform: 'discord',
    wanted: (config) => config.discord !== undefined,
    compose: async (config, deps) =>
      (await import('./discord-composition.ts')).composeDiscord(required(config.discord, 'discord'), deps),
    off: 'off (set DISCORD_TOKEN and DISCORD_APPLICATION_ID)',
  },
  {
    platform: 'playground',
    // Its live updates come from this process's own workflow: only a single process sees them all.
    wanted: (config, role) => config.playground && role === 'all',
    compose: async (config, deps) =>
      (await import('./playground-composition.ts')).composePlayground(deps, config.publicUrl),
    off: 'off (on by default when no other platform is configured; FACET_PLAYGROUND=1)',
  },
];
