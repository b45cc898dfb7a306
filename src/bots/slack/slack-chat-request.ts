import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { ChatOrigin, ChatRequest } from '../chat/chat-request.ts';
import type { SlackActors } from './slack-actors.ts';
import { SlackReplies, type SlackFirstAnswer } from './slack-replies.ts';

/** Who sent a Slack request, and from where. */
export type SlackSender = {
  teamId: string;
  userId: string;
  channelId: string | undefined;
  triggerId: string | undefined;
  requestId: string;
  /** A request from the Home tab: answers to the sender gather here, for the Home published after it. */
  homeNotes?: string[];
};

/**
 * A Slack request for the chat layer: where it came from and how to answer it. `acknowledged`: Slack has
 * had its answer already (the request's work was handed to another process), so every answer follows it.
 */
export function slackChatRequest(
  client: WebClient,
  first: SlackFirstAnswer,
  from: SlackSender,
  deps: { actors: SlackActors; logger: Logger },
  acknowledged = false,
): ChatRequest {
  const origin: ChatOrigin = {
    platform: 'slack',
    workspace: from.teamId,
    channelId: from.channelId ?? '',
    userId: from.userId,
    requestId: from.requestId,
    // Slack says whether Facet may post only by refusing the post.
    missingPermissions: [],
    inThread: false,
    actor: (workspace) => deps.actors.actorFor(client, workspace, from.userId),
  };
  const replies = new SlackReplies(first, { ...from, client, logger: deps.logger }, { acknowledged });
  return { origin, replies };
}
