import { z } from 'zod';
import {
  GuildMember,
  PermissionFlagsBits,
  PermissionsBitField,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type ModalSubmitInteraction,
} from 'discord.js';
import type { Actor } from '../../workflow/actor.ts';
import type { ChatOrigin } from '../chat/chat-request.ts';
import { discordInstallOf, discordWorkspaceId, type DiscordInstall } from './discord-install.ts';

const ownersSchema = z
  .object({
    '0': z.union([z.string(), z.number()]).nullish(),
    '1': z.string().nullish(),
  })
  .catch({});

/** Whose workspace an interaction belongs to (a server that installed the app, or a person's own). */
export function discordInstallOfInteraction(interaction: Interaction): DiscordInstall {
  return discordInstallOf({
    context: interaction.context,
    guildId: interaction.guildId,
    owners: ownersSchema.parse(interaction.authorizingIntegrationOwners.toJSON()),
    userId: interaction.user.id,
  });
}

/** What the bot needs in a channel to run a design there, in Discord's own words. */
const neededInChannel = [
  [PermissionFlagsBits.ViewChannel, 'View Channel'],
  [PermissionFlagsBits.SendMessages, 'Send Messages'],
  [PermissionFlagsBits.EmbedLinks, 'Embed Links'],
  [PermissionFlagsBits.AttachFiles, 'Attach Files'],
  [PermissionFlagsBits.CreatePublicThreads, 'Create Public Threads'],
  [PermissionFlagsBits.SendMessagesInThreads, 'Send Messages in Threads'],
] as const;

/** Manage Server makes a member an admin; their roles are the groups an approver role is matched to. */
function actorOf(interaction: Interaction): Actor {
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

/**
 * An interaction as the chat layer's origin: everything it needs comes with the interaction itself. In a
 * personal workspace (a user install, a DM) its owner is its admin and approves their own designs (no
 * approver group: nobody else's roles mean anything there); the card goes over the interaction's
 * webhook, which needs no permission in the channel and makes no thread.
 */
export function discordOrigin(
  interaction: ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction,
): ChatOrigin {
  const install = discordInstallOfInteraction(interaction);
  if (install.kind === 'personal') {
    const actor: Actor = {
      userId: interaction.user.id,
      isAdmin: interaction.user.id === install.ownerId,
      groups: [],
    };
    const origin: ChatOrigin & { personalCardGuild: string } = {
      platform: 'discord',
      workspace: discordWorkspaceId(install),
      workspaceName: `${interaction.user.username} (personal)`,
      channelId: interaction.channelId ?? '',
      userId: interaction.user.id,
      requestId: interaction.id,
      missingPermissions: [],
      inThread: false,
      actor: () => Promise.resolve(actor),
      // Where a link to the card points: the server it was used in, or Discord's `@me` for DMs.
      personalCardGuild: install.guildId ?? '@me',
    };
    return origin;
  }
  const granted = new PermissionsBitField(interaction.appPermissions);
  const actor = actorOf(interaction);
  return {
    platform: 'discord',
    workspace: install.guildId,
    workspaceName: interaction.guild?.name,
    channelId: interaction.channelId ?? '',
    userId: interaction.user.id,
    requestId: interaction.id,
    missingPermissions: neededInChannel.filter(([flag]) => !granted.has(flag)).map(([, name]) => name),
    inThread: interaction.channel?.isThread() ?? false,
    actor: () => Promise.resolve(actor),
  };
}
