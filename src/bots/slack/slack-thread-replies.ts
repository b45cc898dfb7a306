import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ChatBot } from '../chat/chat-bot.ts';
import type { ChatOrigin } from '../chat/chat-request.ts';
import type { ThreadReplyAnswers } from '../chat/thread-reply.ts';
import type { SlackActors } from './slack-actors.ts';

/** The reaction that tells the author their reply was taken as feedback. */
export const slackThreadReplyReaction = 'eyes';

/**
 * Subtypes that are still a person writing in the thread: a reply also sent to the channel, and one with
 * a file. Every other subtype (an edit, a deletion, a bot's message, a join) is not a reply.
 */
const personSubtypes = new Set(['thread_broadcast', 'file_share']);

const threadReplySchema = z.object({
  type: z.literal('message'),
  subtype: z.string().optional(),
  channel: z.string().min(1),
  user: z.string().min(1),
  text: z.string().default(''),
  ts: z.string().min(1),
  thread_ts: z.string().min(1),
});

export type SlackThreadReply = z.infer<typeof threadReplySchema>;

/**
 * A person's reply in some thread, or undefined for anything else: a message not in a thread (or a
 * thread's first message), a bot's (Facet's own included), an edit or deletion.
 */
export function readSlackThreadReply(event: unknown): SlackThreadReply | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  if ('bot_id' in event && event.bot_id !== undefined) return undefined;
  const parsed = threadReplySchema.safeParse(event);
  if (!parsed.success) return undefined;
  const reply = parsed.data;
  if (reply.subtype !== undefined && !personSubtypes.has(reply.subtype)) return undefined;
  if (reply.thread_ts === reply.ts) return undefined;
  return reply;
}

const envelopeSchema = z.object({ team_id: z.string().min(1) });

/**
 * Messages in channels Facet is in (events `message.channels` and `message.groups`), translated for the
 * chat layer: a reply in a card's thread may be feedback on the design. Which threads are cards, and
 * whether the workspace takes replies at all, the chat layer decides.
 */
export function registerSlackThreadReplies(
  app: App,
  deps: { bot: ChatBot; actors: SlackActors; logger: Logger },
) {
  app.event('message', async ({ event, body, client }) => {
    const reply = readSlackThreadReply(event);
    const envelope = envelopeSchema.safeParse(body);
    if (!reply || !envelope.success) return;
    const teamId = envelope.data.team_id;
    const origin: ChatOrigin = {
      platform: 'slack',
      workspace: teamId,
      channelId: reply.channel,
      userId: reply.user,
      requestId: `${reply.channel}:${reply.ts}`,
      missingPermissions: [],
      inThread: true,
      actor: (workspace) => deps.actors.actorFor(client, workspace, reply.user),
    };
    await deps.bot.threadReply(
      { origin, answers: slackThreadReplyAnswers(client, reply) },
      {
        threadOf: { cardMessage: reply.thread_ts, channelId: reply.channel },
        text: reply.text,
        messageId: `${reply.channel}:${reply.ts}`,
      },
    );
  });
}

function slackThreadReplyAnswers(client: WebClient, reply: SlackThreadReply): ThreadReplyAnswers {
  return {
    async react() {
      await client.reactions.add({
        channel: reply.channel,
        timestamp: reply.ts,
        name: slackThreadReplyReaction,
      });
    },
    async tell(text) {
      await client.chat.postEphemeral({
        channel: reply.channel,
        user: reply.user,
        thread_ts: reply.thread_ts,
        text,
      });
    },
  };
}
