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
import { payloadUserId, type ActingPayload } from './discord-interaction-payload.ts';

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

/** Discord's thread channel types (announcement, public and private threads). */
const threadChannelTypes = new Set([10, 11, 12]);

/**
 * An interaction that arrived over HTTP (src/bots/discord/discord-interaction-payload.ts) as the chat
 * layer's origin: the same reading as discordOrigin, from the raw payload (no caches: no server name).
 */
export function discordPayloadOrigin(payload: ActingPayload): ChatOrigin {
  const granted = new PermissionsBitField(BigInt(payload.app_permissions ?? '0'));
  const userId = payloadUserId(payload);
  const actor: Actor = {
    userId,
    isAdmin: payload.member
      ? new PermissionsBitField(BigInt(payload.member.permissions)).has(PermissionFlagsBits.ManageGuild)
      : false,
    groups: payload.member?.roles ?? [],
  };
  return {
    platform: 'discord',
    workspace: payload.guild_id ?? null,
    workspaceName: undefined,
    channelId: payload.channel_id ?? payload.channel?.id ?? '',
    userId,
    requestId: payload.id,
    missingPermissions: neededInChannel.filter(([flag]) => !granted.has(flag)).map(([, name]) => name),
    inThread: threadChannelTypes.has(payload.channel?.type ?? -1),
    actor: () => Promise.resolve(actor),
  };
}
