import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Actor } from '../../workflow/actor.ts';
import type { WorkflowOutcome } from '../../workflow/workflow-outcome.ts';
import { parseCardAction, variationKey, type CardAction } from '../card/card-action-id.ts';
import { refusalMessage } from '../card/refusal-message.ts';
import { runCardAction } from '../card-actions.ts';
import type { SlackContext } from './slack-context.ts';
import { feedbackModal, feedbackModalCallbackId, readFeedbackSubmission } from './slack-feedback-modal.ts';

/** The card's buttons and the Request changes modal. */
export function registerSlackActions(app: App, context: SlackContext): void {
  const { service } = context.deps;

  app.action<BlockAction<ButtonAction>>(/^facet1:/, async ({ ack, body, action, client }) => {
    await ack();
    const channelId = body.channel?.id;
    const userId = body.user.id;
    const teamId = body.team?.id ?? body.user.team_id ?? '';
    const tell = (text: string) =>
      channelId
        ? client.chat.postEphemeral({ channel: channelId, user: userId, text })
        : Promise.resolve(undefined);
    const parsed = parseCardAction(action.action_id);
    if (!parsed) {
      await tell('That button is not one of ours any more; nothing was changed.');
      return;
    }
    const slowDown = await context.overLimit(teamId, userId);
    if (slowDown) {
      await tell(slowDown);
      return;
    }
    if (parsed.kind === 'request_changes') {
      // The trigger id works once and only for 3 s: open the modal before anything slow. Whether this
      // user may edit is checked when the form comes back.
      await client.views
        .open({
          trigger_id: body.trigger_id,
          view: feedbackModal({
            designId: parsed.designId,
            iteration: parsed.iteration,
            channelId: channelId ?? '',
          }),
        })
        .catch(async (error: unknown) => {
          context.deps.logger.warn({ err: error, designId: parsed.designId }, 'feedback modal not opened');
          await tell(
            'The change form could not be opened (Slack was slow to answer); press Request changes again.',
          );
        });
      return;
    }
    await context.yieldToOtherAcks();
    await context.failSafe(
      { teamId, userId, action: parsed.kind, designId: parsed.designId },
      async () => {
        const workspace = await context.knownWorkspace(teamId);
        if (!workspace || !(await context.belongsTo(parsed.designId, workspace.id))) {
          await tell(refusalMessage({ reason: 'not_found' }));
          return;
        }
        const actor = await context.actor(client, workspace, userId);
        const outcome = await run(parsed, actor, client, workspace.id, teamId, channelId ?? '');
        if (!outcome.ok) await tell(refusalMessage(outcome));
      },
      tell,
    );
  });

  async function run(
    action: Exclude<CardAction, { kind: 'request_changes' }>,
    actor: Actor,
    client: WebClient,
    workspaceId: string,
    teamId: string,
    channelId: string,
  ): Promise<WorkflowOutcome> {
    const { designId } = action;
    switch (action.kind) {
      case 'variation': {
        const outcome = await service.startVariation({
          workspaceId,
          actor,
          designId,
          requestKey: variationKey(designId, actor.userId),
          surface: { slack: { teamId, channelId } },
        });
        if (outcome.ok && !outcome.replayed) await context.postCard(client, outcome.design.id, channelId);
        return outcome;
      }
      default:
        return runCardAction(service, action, actor);
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
    const teamId = body.team?.id ?? body.user.team_id ?? '';
    const tell = (text: string) =>
      submission.channelId
        ? client.chat.postEphemeral({ channel: submission.channelId, user: userId, text })
        : Promise.resolve(undefined);
    await context.failSafe(
      { teamId, userId, designId: submission.designId },
      async () => {
        const workspace = await context.knownWorkspace(teamId);
        if (!workspace || !(await context.belongsTo(submission.designId, workspace.id))) {
          await tell(refusalMessage({ reason: 'not_found' }));
          return;
        }
        const outcome = await service.edit({
          designId: submission.designId,
          actor: await context.actor(client, workspace, userId),
          iteration: submission.iteration,
          edit: { feedback: submission.feedback },
        });
        if (!outcome.ok) await tell(refusalMessage(outcome));
      },
      tell,
    );
  });
}
