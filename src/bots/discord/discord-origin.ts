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

/** An interaction as the chat layer's origin: everything it needs comes with the interaction itself. */
export function discordOrigin(
  interaction: ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction,
): ChatOrigin {
  const granted = new PermissionsBitField(interaction.appPermissions);
  const actor = actorOf(interaction);
  return {
    platform: 'discord',
    workspace: interaction.guildId,
    workspaceName: interaction.guild?.name,
    channelId: interaction.channelId ?? '',
    userId: interaction.user.id,
    requestId: interaction.id,
    missingPermissions: neededInChannel.filter(([flag]) => !granted.has(flag)).map(([, name]) => name),
    inThread: interaction.channel?.isThread() ?? false,
    actor: () => Promise.resolve(actor),
  };
}
