import { PermissionFlagsBits, PermissionsBitField } from 'discord.js';
import type { Actor } from '../../workflow/actor.ts';
import type { ChatOrigin } from '../chat/chat-request.ts';
import { discordWorkspaceId } from './discord-install.ts';
import type { DiscordInteractionView } from './discord-interaction-view.ts';

/** What the bot needs in a channel to run a design there, in Discord's own words. */
const neededInChannel = [
  [PermissionFlagsBits.ViewChannel, 'View Channel'],
  [PermissionFlagsBits.SendMessages, 'Send Messages'],
  [PermissionFlagsBits.EmbedLinks, 'Embed Links'],
  [PermissionFlagsBits.AttachFiles, 'Attach Files'],
  [PermissionFlagsBits.CreatePublicThreads, 'Create Public Threads'],
  [PermissionFlagsBits.SendMessagesInThreads, 'Send Messages in Threads'],
] as const;

/**
 * An interaction (either transport: src/bots/discord/discord-interaction-view.ts) as the chat layer's
 * origin: everything it needs comes with the interaction itself. In a server that installed the app,
 * Manage Server makes a member an admin and their roles are the groups an approver role is matched to.
 * In a personal workspace (a user install, a DM) its owner is its admin and approves their own designs
 * (no approver group: nobody else's roles mean anything there); the card goes over the interaction's
 * webhook, which needs no permission in the channel and makes no thread.
 */
export function discordOrigin(view: DiscordInteractionView): ChatOrigin {
  const install = view.install;
  if (install.kind === 'personal') {
    const actor: Actor = { userId: view.userId, isAdmin: view.userId === install.ownerId, groups: [] };
    const origin: ChatOrigin & { personalCardGuild: string } = {
      platform: 'discord',
      workspace: discordWorkspaceId(install),
      workspaceName: `${view.username ?? view.userId} (personal)`,
      channelId: view.channelId,
      userId: view.userId,
      requestId: view.id,
      missingPermissions: [],
      inThread: false,
      actor: () => Promise.resolve(actor),
      // Where a link to the card points: the server it was used in, or Discord's `@me` for DMs.
      personalCardGuild: install.guildId ?? '@me',
    };
    return origin;
  }
  const granted = new PermissionsBitField(view.appPermissions);
  const actor: Actor = {
    userId: view.userId,
    isAdmin: view.member
      ? new PermissionsBitField(view.member.permissions).has(PermissionFlagsBits.ManageGuild)
      : false,
    groups: view.member?.roles ?? [],
  };
  return {
    platform: 'discord',
    workspace: install.guildId,
    workspaceName: view.guildName,
    channelId: view.channelId,
    userId: view.userId,
    requestId: view.id,
    missingPermissions: neededInChannel.filter(([flag]) => !granted.has(flag)).map(([, name]) => name),
    inThread: view.inThread,
    actor: () => Promise.resolve(actor),
  };
}
