import type { ServerResponse } from 'node:http';
import type { ParsedUrlQuery } from 'node:querystring';
import type { RespondArguments } from '@slack/bolt';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ChatBot, type ChatCore } from '../chat/chat-bot.ts';
import { failSafely } from '../chat/fail-safely.ts';
import type { ChatWork, ChatWorkHandler, ChatWorkQueue } from '../chat/work/chat-work.ts';
import type { SlackActors } from './slack-actors.ts';
import { slackChatRequest } from './slack-chat-request.ts';
import type { SlackClients } from './slack-clients.ts';
import { parseSlackCommand, slackPlatform } from './slack-platform.ts';

/** The parts of a signed `/design` command its work needs, as the receiving process queued them. */
const slackCommandSchema = z.object({
  team_id: z.string().min(1),
  user_id: z.string().min(1),
  channel_id: z.string(),
  trigger_id: z.string(),
  text: z.string(),
  response_url: z.url(),
});

type SlackCommandPayload = z.infer<typeof slackCommandSchema>;

/**
 * A signed form body as chat work when it is a `/design` create, which is acknowledged with nothing (its
 * card is the answer); undefined for anything else (Bolt answers it).
 */
function slackCreateWork(fields: Readonly<Record<string, unknown>>): ChatWork | undefined {
  if (fields.command !== '/design') return undefined;
  const command = slackCommandSchema.safeParse(fields);
  if (!command.success || parseSlackCommand(command.data.text).kind !== 'create') return undefined;
  const { team_id, user_id, channel_id, trigger_id, text, response_url } = command.data;
  const queued: SlackCommandPayload = { team_id, user_id, channel_id, trigger_id, text, response_url };
  return { platform: 'slack', request: JSON.stringify(queued), acknowledged: 'public' };
}

/**
 * Answers a signed `/design` create before Bolt sees it: 200 with nothing at once, its work to the chat
 * work queue (with Redis: a job worker's process, so this event loop only receives); worked on here when
 * the queue refuses it (Redis away). False for anything else, which Bolt answers.
 */
export function slackCreateHandOff(deps: {
  chatWork: ChatWorkQueue;
  workHere: ChatWorkHandler;
  logger: Logger;
}): (fields: ParsedUrlQuery, response: ServerResponse) => boolean {
  return (fields, response) => {
    const work = slackCreateWork(fields);
    if (!work) return false;
    response.writeHead(200).end();
    void deps.chatWork
      .add(work)
      .catch((err: unknown) => {
        deps.logger.warn({ err }, 'the chat work queue refused a command; working on it here');
        return deps.workHere(work);
      })
      .catch((err: unknown) => deps.logger.error({ err }, 'a command failed after its acknowledgement'));
    return true;
  };
}

/**
 * Works on acknowledged `/design` commands wherever the chat work queue runs: the card goes out with the
 * team's bot token; private answers (a refusal found on the way, no credits) through the command's
 * response_url, as Bolt's `respond` would send them.
 */
export function slackCommandWorkHandler(deps: {
  core: ChatCore;
  clients: SlackClients;
  actors: SlackActors;
  logger: Logger;
}): ChatWorkHandler {
  const bot = new ChatBot({ ...deps.core, platform: slackPlatform(deps.clients), logger: deps.logger });
  return async (work) => {
    const command = slackCommandSchema.parse(JSON.parse(work.request));
    const respond = respondVia(command.response_url);
    // The command was acknowledged with nothing: whatever fails here (the workspace's installation gone
    // or unreadable, say) is said to the person, or they would wait for a card that never comes.
    await failSafely(
      deps.logger,
      { command: 'create', teamId: command.team_id },
      async () => {
        const client = await deps.clients.forTeam(command.team_id);
        const ack = () => Promise.resolve();
        const request = slackChatRequest(
          client,
          { kind: 'command', ack, respond },
          {
            teamId: command.team_id,
            userId: command.user_id,
            channelId: command.channel_id,
            triggerId: command.trigger_id,
            requestId: command.trigger_id,
          },
          deps,
          true,
        );
        await bot.command(request, parseSlackCommand(command.text));
      },
      (text) => respond({ response_type: 'ephemeral', text }),
    );
  };
}

/** Bolt's `respond` for a command worked on away from Bolt: a POST to the command's response_url. */
function respondVia(responseUrl: string): (message: RespondArguments) => Promise<void> {
  return async (message) => {
    const response = await fetch(responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
    });
    if (!response.ok) throw new Error(`Slack refused a response_url answer: HTTP ${response.status}`);
    await response.arrayBuffer();
  };
}
