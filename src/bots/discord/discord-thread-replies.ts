import {
  Events,
  GatewayDispatchEvents,
  GatewayIntentBits,
  PermissionFlagsBits,
  PermissionsBitField,
  Routes,
  type Client,
  type GatewayDispatchPayload,
  type REST,
} from 'discord.js';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ChatBot } from '../chat/chat-bot.ts';
import type { ChatOrigin } from '../chat/chat-request.ts';
import type { ThreadReplyAnswers } from '../chat/thread-reply.ts';
import type { Actor } from '../../workflow/actor.ts';

/** The reaction that tells the author their reply was taken as feedback. */
export const discordThreadReplyReaction = '👀';

/**
 * The gateway intents Facet asks for. Interactions need only Guilds; reading replies in cards' threads
 * needs GuildMessages and the privileged Message Content intent, asked for only when the operator turned
 * the feature on (DISCORD_MESSAGE_CONTENT), since Discord refuses a connection asking for an intent the
 * application has not been granted.
 */
export function discordIntents(options: { messageContent: boolean }): GatewayIntentBits[] {
  return options.messageContent
    ? [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent]
    : [GatewayIntentBits.Guilds];
}

/** Message types a person writes: a plain message and a reply to another message. */
const personMessageTypes = new Set([0, 19]);

const messageCreateSchema = z.object({
  id: z.string().min(1),
  channel_id: z.string().min(1),
  guild_id: z.string().min(1),
  type: z.number().int(),
  content: z.string().default(''),
  author: z.object({ id: z.string().min(1), bot: z.boolean().optional() }),
  webhook_id: z.string().optional(),
  member: z.object({ roles: z.array(z.string()).default([]), permissions: z.string().optional() }).optional(),
});

export type DiscordThreadReply = z.infer<typeof messageCreateSchema>;

/**
 * A person's message in a guild channel, or undefined for anything else (a bot's, Facet's own, a
 * webhook's, a system message). Whether the channel is a card's thread, the chat layer decides: a thread
 * started from a message has that message's id, so the channel id names the card.
 */
export function readDiscordThreadReply(data: unknown): DiscordThreadReply | undefined {
  const parsed = messageCreateSchema.safeParse(data);
  if (!parsed.success) return undefined;
  const message = parsed.data;
  if (message.author.bot === true || message.webhook_id !== undefined) return undefined;
  if (!personMessageTypes.has(message.type)) return undefined;
  return message;
}

/**
 * Messages in cards' threads, translated for the chat layer, read off the raw gateway dispatch: the
 * client's channel cache need not hold the thread (threads made before this process started), and the
 * payload is parsed here, once.
 */
export function registerDiscordThreadReplies(
  client: Client,
  deps: { bot: ChatBot; rest: REST; logger: Logger },
): void {
  client.on(Events.Raw, (packet: GatewayDispatchPayload) => {
    if (packet.t !== GatewayDispatchEvents.MessageCreate) return;
    const reply = readDiscordThreadReply(packet.d);
    if (!reply) return;
    void handle(reply).catch((error: unknown) =>
      deps.logger.error({ err: error, messageId: reply.id }, 'a Discord thread reply could not be handled'),
    );
  });

  async function handle(reply: DiscordThreadReply): Promise<void> {
    const origin: ChatOrigin = {
      platform: 'discord',
      workspace: reply.guild_id,
      channelId: reply.channel_id,
      userId: reply.author.id,
      requestId: reply.id,
      missingPermissions: [],
      inThread: true,
      actor: () => Promise.resolve(actorOf(client, reply)),
    };
    await deps.bot.threadReply(
      { origin, answers: discordThreadReplyAnswers(deps.rest, reply) },
      { threadOf: { cardMessage: reply.channel_id }, text: reply.content, messageId: reply.id },
    );
  }
}

/**
 * Who wrote the message, as an interaction's member would say: their roles (the groups an approver role
 * is matched to) and Manage Server, from the roles the Guilds intent keeps in the client's cache (a
 * message carries no permissions of its own).
 */
function actorOf(client: Client, reply: DiscordThreadReply): Actor {
  const roles = reply.member?.roles ?? [];
  const guild = client.guilds.cache.get(reply.guild_id);
  // The @everyone role has the guild's id and applies to every member.
  const permissions = new PermissionsBitField(
    [reply.guild_id, ...roles].map((id) => guild?.roles.cache.get(id)?.permissions.bitfield ?? 0n),
  );
  return {
    userId: reply.author.id,
    isAdmin:
      guild?.ownerId === reply.author.id ||
      permissions.has(PermissionFlagsBits.ManageGuild) ||
      permissions.has(PermissionFlagsBits.Administrator),
    groups: roles,
  };
}

function discordThreadReplyAnswers(rest: REST, reply: DiscordThreadReply): ThreadReplyAnswers {
  return {
    async react() {
      await rest.put(
        Routes.channelMessageOwnReaction(
          reply.channel_id,
          reply.id,
          encodeURIComponent(discordThreadReplyReaction),
        ),
      );
    },
    // Discord has no private message in a channel outside an interaction: the answer replies to the
    // message in the thread, mentioning nobody.
    async tell(text) {
      await rest.post(Routes.channelMessages(reply.channel_id), {
        body: {
          content: text,
          message_reference: { message_id: reply.id, fail_if_not_exists: false },
          allowed_mentions: { parse: [] },
        },
      });
    },
  };
}
