import { overLimitMessage, unlimited, type RateLimiter } from '../rate-limit/rate-limiter.ts';
import {
  GuildMember,
  PermissionFlagsBits,
  PermissionsBitField,
  type Interaction,
  type REST,
} from 'discord.js';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { CreditLedger } from '../../credits/ledger.ts';
import type { Database, Workspace } from '../../storage/schema.ts';
import { ensureWorkspace, findWorkspace } from '../../storage/workspaces.ts';
import type { Actor } from '../../workflow/actor.ts';
import type { DesignService } from '../../workflow/design-service.ts';
import { loadSnapshot, type DesignSnapshot } from '../../workflow/design-snapshot.ts';
import { failSafely } from '../card-actions.ts';
import { designBelongsTo } from '../design-ownership.ts';
import type { DiscordCardNotifier } from './discord-card-notifier.ts';

export type DiscordBotDeps = {
  token: string;
  applicationId: string;
  apiUrl?: string | undefined;
  service: DesignService;
  ledger: CreditLedger;
  db: Kysely<Database>;
  cards: DiscordCardNotifier;
  /** Shows a just-posted card's newest state in order with other updates (the coalescing notifier). */
  redeliver: (design: DesignSnapshot) => Promise<void>;
  rest: REST;
  /** Commands and clicks per person per minute; none when left out. */
  limiter?: RateLimiter | undefined;
  /** Seconds from an interaction's arrival to Discord accepting our first response. */
  observeAck?: ((seconds: number) => void) | undefined;
  logger: Logger;
};

/** What the bot needs in a channel to run a design there, in Discord's own words. */
const neededInChannel = [
  [PermissionFlagsBits.ViewChannel, 'View Channel'],
  [PermissionFlagsBits.SendMessages, 'Send Messages'],
  [PermissionFlagsBits.EmbedLinks, 'Embed Links'],
  [PermissionFlagsBits.AttachFiles, 'Attach Files'],
  [PermissionFlagsBits.CreatePublicThreads, 'Create Public Threads'],
  [PermissionFlagsBits.SendMessagesInThreads, 'Send Messages in Threads'],
] as const;

/** What every Discord handler shares: the workspace row, who is acting, permissions, failing safely. */
export class DiscordContext {
  constructor(readonly deps: DiscordBotDeps) {}

  /** The slow-down answer when this person has sent too many commands and clicks this minute. */
  overLimit(guildId: string, userId: string): Promise<string | undefined> {
    return overLimitMessage(this.deps.limiter ?? unlimited, `discord:${guildId}:${userId}`);
  }

  workspace(guildId: string, name?: string): Promise<Workspace> {
    return ensureWorkspace(this.deps.db, 'discord', guildId, name);
  }

  /** The guild a button or form names, if it exists (an unknown guild gets no row: see SlackContext). */
  knownWorkspace(guildId: string): Promise<Workspace | undefined> {
    return findWorkspace(this.deps.db, 'discord', guildId);
  }

  /** Manage Server makes a member an admin; their roles are the groups an approver role is matched to. */
  actor(interaction: Interaction): Actor {
    const member = interaction.member;
    const roles =
      member instanceof GuildMember
        ? [...member.roles.cache.keys()]
        : Array.isArray(member?.roles)
          ? member.roles
          : [];
    return {
      userId: interaction.user.id,
      isAdmin: interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false,
      groups: roles,
    };
  }

  /** The permissions the bot lacks in this channel, named for the message that asks for them. */
  missingPermissions(interaction: Interaction): string[] {
    const granted = new PermissionsBitField(interaction.appPermissions);
    return neededInChannel.filter(([flag]) => !granted.has(flag)).map(([, name]) => name);
  }

  belongsTo(designId: string, workspaceId: string): Promise<boolean> {
    return designBelongsTo(this.deps.db, designId, workspaceId);
  }

  failSafe(
    context: Record<string, unknown>,
    work: () => Promise<void>,
    tell: (text: string) => Promise<unknown>,
  ): Promise<void> {
    return failSafely(this.deps.logger, { surface: 'discord', ...context }, work, tell);
  }

  /** After the card's message id is recorded, shows the newest state (changes made meanwhile found no card). */
  async showNewest(designId: string): Promise<void> {
    const latest = await loadSnapshot(this.deps.db, designId);
    if (latest) await this.deps.redeliver(latest);
  }
}
