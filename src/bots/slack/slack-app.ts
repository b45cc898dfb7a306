import { randomUUID } from 'node:crypto';
import { App, HTTPReceiver, LogLevel, type BlockAction, type ButtonAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { CreditLedger } from '../../credits/ledger.ts';
import type { Database } from '../../storage/schema.ts';
import { ensureWorkspace } from '../../storage/workspaces.ts';
import type { Actor } from '../../workflow/actor.ts';
import type { DesignService } from '../../workflow/design-service.ts';
import { loadSnapshot } from '../../workflow/design-snapshot.ts';
import type { WorkflowOutcome } from '../../workflow/workflow-outcome.ts';
import { parseCardAction, type CardAction } from '../card/card-action-id.ts';
import { refusalMessage } from '../card/refusal-message.ts';
import type { SlackCardNotifier } from './slack-card-notifier.ts';
import { parseSlackCommand, slackHelpText } from './slack-command-text.ts';
import { feedbackModal, feedbackModalCallbackId, readFeedbackSubmission } from './slack-feedback-modal.ts';
import { recordCardTs } from './slack-surface.ts';

export type SlackAppDeps = {
  signingSecret: string;
  botToken: string;
  client: WebClient;
  service: DesignService;
  ledger: CreditLedger;
  db: Kysely<Database>;
  cards: SlackCardNotifier;
  logger: Logger;
};

const genericError = (reference: string) =>
  `Something went wrong on our side (reference ${reference}). Nothing was charged for it; please try again.`;

/**
 * The Slack surface over HTTP: every listener acks first (Slack gives 3 s) and does the slow work after,
 * posting the card with the bot token so it can be edited for as long as the design lives.
 */
export function createSlackApp(deps: SlackAppDeps): { app: App; receiver: HTTPReceiver } {
  const receiver = new HTTPReceiver({
    signingSecret: deps.signingSecret,
    endpoints: ['/slack/events'],
    processBeforeResponse: false,
    // Forged requests are expected traffic on a public endpoint; they get a 401, not a log line each.
    logLevel: LogLevel.ERROR,
    unhandledRequestHandler: ({ response }) => {
      response.writeHead(404).end();
    },
  });
  const app = new App({
    token: deps.botToken,
    receiver,
    clientOptions: { slackApiUrl: deps.client.slackApiUrl, retryConfig: { retries: 2 } },
    tokenVerificationEnabled: false,
    botId: 'B0FACET',
    botUserId: 'U0FACET',
    logLevel: LogLevel.ERROR,
  });

  const workspaceOf = async (teamId: string) => (await ensureWorkspace(deps.db, 'slack', teamId)).id;
  const actorOf = (userId: string): Actor => ({ userId, isAdmin: false, groups: [] });
  const failSafe = async (
    context: Record<string, unknown>,
    work: () => Promise<void>,
    tell: (text: string) => Promise<unknown>,
  ) => {
    try {
      await work();
    } catch (error) {
      const reference = randomUUID().slice(0, 8);
      deps.logger.error({ err: error, reference, ...context }, 'a Slack request failed');
      await tell(genericError(reference)).catch(() => undefined);
    }
  };

  app.command('/design', async ({ ack, command, respond }) => {
    const parsed = parseSlackCommand(command.text);
    if (parsed.kind === 'help') return ack({ response_type: 'ephemeral', text: slackHelpText });
    await ack();
    await failSafe(
      { teamId: command.team_id, userId: command.user_id },
      async () => {
        const workspaceId = await workspaceOf(command.team_id);
        if (parsed.kind === 'credits') {
          const balance = await deps.ledger.balance({ workspaceId, userId: command.user_id });
          await respond({
            response_type: 'ephemeral',
            text: `You have ${balance.available} credits available (${balance.balance} in your account, ${balance.held} reserved for designs in progress).`,
          });
          return;
        }
        const outcome = await deps.service.start({
          workspaceId,
          actor: actorOf(command.user_id),
          prompt: parsed.prompt,
          requestKey: command.trigger_id,
          surface: { slack: { teamId: command.team_id, channelId: command.channel_id } },
        });
        if (!outcome.ok) {
          await respond({ response_type: 'ephemeral', text: refusalMessage(outcome) });
          return;
        }
        if (outcome.replayed) return;
        await postCard(outcome.design.id, command.channel_id);
      },
      (text) => respond({ response_type: 'ephemeral', text }),
    );
  });

  /** Posts the card, records where it is, then shows the newest state (changes made meanwhile were skipped). */
  async function postCard(designId: string, channelId: string): Promise<void> {
    const first = await loadSnapshot(deps.db, designId);
    if (!first) return;
    const message = await deps.cards.render(first);
    const posted = await deps.client.chat.postMessage({ channel: channelId, ...message });
    if (!posted.ts) throw new Error('chat.postMessage returned no ts');
    await recordCardTs(deps.db, designId, posted.ts);
    const latest = await loadSnapshot(deps.db, designId);
    if (latest && latest.version !== first.version) await deps.cards.notify(latest);
  }

  app.action<BlockAction<ButtonAction>>(/^facet1:/, async ({ ack, body, action, client }) => {
    await ack();
    const channelId = body.channel?.id;
    const userId = body.user.id;
    const tell = (text: string) =>
      channelId
        ? client.chat.postEphemeral({ channel: channelId, user: userId, text })
        : Promise.resolve(undefined);
    const parsed = parseCardAction(action.action_id);
    if (!parsed) {
      await tell('That button is not one of ours any more; nothing was changed.');
      return;
    }
    if (parsed.kind === 'request_changes') {
      // The trigger id works once and only for 3 s: open the modal before anything slow.
      await client.views.open({
        trigger_id: body.trigger_id,
        view: feedbackModal({
          designId: parsed.designId,
          iteration: parsed.iteration,
          channelId: channelId ?? '',
        }),
      });
      return;
    }
    await failSafe(
      { userId, action: parsed.kind, designId: parsed.designId },
      async () => {
        const outcome = await runAction(parsed, actorOf(userId), body.team?.id ?? '', channelId ?? '');
        if (!outcome.ok) await tell(refusalMessage(outcome));
      },
      tell,
    );
  });

  async function runAction(
    action: Exclude<CardAction, { kind: 'request_changes' }>,
    actor: Actor,
    teamId: string,
    channelId: string,
  ): Promise<WorkflowOutcome> {
    const { designId } = action;
    switch (action.kind) {
      case 'approve':
        return deps.service.approve({ designId, actor, iteration: action.iteration });
      case 'edit':
        return deps.service.edit({
          designId,
          actor,
          iteration: action.iteration,
          edit: { preset: action.preset },
        });
      case 'cancel':
        return deps.service.cancel({ designId, actor });
      case 'retry':
        return deps.service.retry({ designId, actor });
      case 'edit_view':
        return deps.service.editView({ designId, actor, view: action.view });
      case 'variation': {
        const outcome = await deps.service.startVariation({
          workspaceId: await workspaceOf(teamId),
          actor,
          designId,
          surface: { slack: { teamId, channelId } },
        });
        if (outcome.ok && !outcome.replayed) await postCard(outcome.design.id, channelId);
        return outcome;
      }
    }
  }

  app.view(feedbackModalCallbackId, async ({ ack, body, view, client }) => {
    const submission = readFeedbackSubmission(view);
    if ('error' in submission) {
      await ack({ response_action: 'errors', errors: { [submission.blockId]: submission.error } });
      return;
    }
    await ack();
    const userId = body.user.id;
    const tell = (text: string) =>
      submission.channelId
        ? client.chat.postEphemeral({ channel: submission.channelId, user: userId, text })
        : Promise.resolve(undefined);
    await failSafe(
      { userId, designId: submission.designId },
      async () => {
        const outcome = await deps.service.edit({
          designId: submission.designId,
          actor: actorOf(userId),
          iteration: submission.iteration,
          edit: { feedback: submission.feedback },
        });
        if (!outcome.ok) await tell(refusalMessage(outcome));
      },
      tell,
    );
  });

  app.error((error) => {
    deps.logger.error({ err: error }, 'Slack app error');
    return Promise.resolve();
  });

  return { app, receiver };
}
