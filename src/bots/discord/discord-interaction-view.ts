import { GuildMember, SnowflakeUtil, type Interaction } from 'discord.js';
import { discordInstallOf, discordOwnersSchema, type DiscordInstall } from './discord-install.ts';
import { payloadUserId, type ActingPayload } from './discord-interaction-payload.ts';

/**
 * An interaction as Facet reads it, whichever way it arrived: a discord.js Interaction (gateway) or a
 * parsed payload (HTTP). Everything that decides something (the origin, the install, the replies,
 * autocomplete) reads this view only, so both transports decide the same way.
 */
export type DiscordInteractionView = {
  id: string;
  applicationId: string;
  /** The interaction token (15 minutes): never logged. */
  token: string;
  /** When Discord made the interaction (its id's timestamp): the token's lifetime counts from here. */
  createdAt: Date;
  userId: string;
  username: string | undefined;
  guildId: string | null;
  /** Only the gateway's caches know it. */
  guildName: string | undefined;
  channelId: string;
  inThread: boolean;
  /** What the app may do in the channel. */
  appPermissions: bigint;
  /** The member's permissions and roles in a server; null outside one. */
  member: { permissions: bigint; roles: string[] } | null;
  /** Whose workspace this is: a server that installed the app, or the person's own. */
  install: DiscordInstall;
  /** The message a button (or the form it opened) was on. */
  messageId: string | undefined;
};

/** Discord's thread channel types (announcement, public and private threads). */
const threadChannelTypes = new Set([10, 11, 12]);

/** The view of an interaction that arrived over HTTP (after its signature check and zod parse). */
export function viewOfPayload(payload: ActingPayload): DiscordInteractionView {
  const userId = payloadUserId(payload);
  const guildId = payload.guild_id ?? null;
  return {
    id: payload.id,
    applicationId: payload.application_id,
    token: payload.token,
    createdAt: new Date(SnowflakeUtil.timestampFrom(payload.id)),
    userId,
    username: payload.member?.user.username ?? payload.user?.username,
    guildId,
    guildName: undefined,
    channelId: payload.channel_id ?? payload.channel?.id ?? '',
    inThread: threadChannelTypes.has(payload.channel?.type ?? -1),
    appPermissions: BigInt(payload.app_permissions ?? '0'),
    member: payload.member
      ? { permissions: BigInt(payload.member.permissions), roles: payload.member.roles }
      : null,
    install: discordInstallOf({
      context: payload.context ?? null,
      guildId,
      owners: payload.authorizing_integration_owners ?? {},
      userId,
    }),
    messageId: payload.type === 3 || payload.type === 5 ? payload.message?.id : undefined,
  };
}

/** The view of a gateway interaction (discord.js has already parsed it). */
export function viewOfInteraction(interaction: Interaction): DiscordInteractionView {
  const member = interaction.member;
  const roles =
    member instanceof GuildMember
      ? [...member.roles.cache.keys()]
      : Array.isArray(member?.roles)
        ? member.roles
        : [];
  return {
    id: interaction.id,
    applicationId: interaction.applicationId,
    token: interaction.token,
    createdAt: interaction.createdAt,
    userId: interaction.user.id,
    username: interaction.user.username,
    guildId: interaction.guildId,
    guildName: interaction.guild?.name,
    channelId: interaction.channelId ?? '',
    inThread: interaction.channel?.isThread() ?? false,
    appPermissions: interaction.appPermissions.bitfield,
    member:
      interaction.memberPermissions === null
        ? null
        : { permissions: interaction.memberPermissions.bitfield, roles },
    install: discordInstallOf({
      context: interaction.context,
      guildId: interaction.guildId,
      owners: discordOwnersSchema.parse(interaction.authorizingIntegrationOwners.toJSON()),
      userId: interaction.user.id,
    }),
    messageId:
      interaction.isMessageComponent() || interaction.isModalSubmit() ? interaction.message?.id : undefined,
  };
}
