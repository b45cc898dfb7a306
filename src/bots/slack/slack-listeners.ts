import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { ChatBot } from '../chat/chat-bot.ts';
import type { SlackActors } from './slack-actors.ts';
import {
  iterationErrorBlock,
  iterationForms,
  iterationModalCallbackId,
  readIterationSubmission,
} from './slack-iteration-modal.ts';
import { slackLinkActionId } from './slack-blocks.ts';
import type { SlackHome } from './slack-home.ts';
import { slackHomeSettingsActionId } from './slack-home-view.ts';
import { parseSlackCommand } from './slack-platform.ts';
import type { SlackFirstAnswer } from './slack-replies.ts';
import { slackChatRequest, type SlackSender } from './slack-chat-request.ts';
import { registerSlackImageShortcut } from './slack-image-shortcut.ts';
import {
  readViewEditSubmission,
  viewEditErrorBlock,
  viewEditModalCallbackId,
} from './slack-view-edit-modal.ts';
import {
  readSettingsSubmission,
  settingsErrorBlock,
  settingsModalCallbackId,
} from './slack-settings-modal.ts';
import { registerSlackThreadReplies } from './slack-thread-replies.ts';

/**
 * `/design`, the card's buttons, the modals and the Home tab, translated for the chat layer: Slack's payloads in,
 * the chat layer's answers out. Nothing here decides what a request means.
 */
export function registerSlackListeners(
  app: App,
  deps: {
    bot: ChatBot;
    actors: SlackActors;
    home: SlackHome;
    /** Where Slack serves files (files.slack.com; the configured API's host in tests). */
    imageHosts: readonly string[];
    logger: Logger;
  },
) {
  const { bot } = deps;
  registerSlackImageShortcut(app, deps);
  const request = (client: WebClient, first: SlackFirstAnswer, from: SlackSender) =>
    slackChatRequest(client, first, from, deps);

  app.command('/design', async ({ ack, command, respond, client }) => {
    // Slack always sends `text`; a request without it gets the usage, not a crash (Bolt's types trust it).
    const text: unknown = command.text;
    const parsed = parseSlackCommand(typeof text === 'string' ? text : '');
    const first: SlackFirstAnswer = { kind: 'command', ack, respond };
    const from: SlackSender = {
      teamId: command.team_id,
      userId: command.user_id,
      channelId: command.channel_id,
      triggerId: command.trigger_id,
      requestId: command.trigger_id,
    };
    await bot.command(request(client, first, from), parsed);
  });

  // Slack opens a link button's URL itself but still sends the click: acknowledged, nothing else.
  app.action(slackLinkActionId, async ({ ack }) => {
    await ack();
  });

  /**
   * A button's request: from a message (in its channel), or from the Home tab, which has no channel:
   * answers to the clicker then gather in `homeNotes`, for the Home published after the click.
   */
  const buttonRequest = (client: WebClient, body: BlockAction<ButtonAction>, homeNotes: string[]) =>
    request(
      client,
      { kind: 'action' },
      {
        teamId: body.team?.id ?? body.user.team_id ?? '',
        userId: body.user.id,
        channelId: body.channel?.id,
        triggerId: body.trigger_id,
        requestId: body.trigger_id,
        homeNotes,
      },
    );
  const republishHome = (client: WebClient, body: BlockAction<ButtonAction>, notes: string[]) =>
    deps.home.publish(client, body.team?.id ?? body.user.team_id ?? '', body.user.id, notes);

  app.action<BlockAction<ButtonAction>>(/^facet1:/, async ({ ack, body, action, client }) => {
    await ack();
    const homeNotes: string[] = [];
    await bot.click(buttonRequest(client, body, homeNotes), action.action_id);
    // The Home shows what changed (an approved design leaves the list), and any answer, to the clicker.
    if (body.view?.type === 'home') await republishHome(client, body, homeNotes);
  });

  // An admin's "Open settings" on the Home tab: the same as `/design settings` typed in a channel.
  app.action<BlockAction<ButtonAction>>(slackHomeSettingsActionId, async ({ ack, body, client }) => {
    await ack();
    const homeNotes: string[] = [];
    await bot.command(buttonRequest(client, body, homeNotes), { kind: 'settings', change: null });
    if (homeNotes.length > 0) await republishHome(client, body, homeNotes);
  });

  app.event('app_home_opened', async ({ event, body, client }) => {
    if (event.tab !== 'home') return;
    await deps.home.publish(client, body.team_id, event.user);
  });

  // The text forms differ only in how their submission is read and where errors go.
  const changeForms = [
    ...iterationForms.map((form) => ({
      callbackId: iterationModalCallbackId(form),
      read: (view: unknown) => readIterationSubmission(form, view),
      errorBlock: iterationErrorBlock(form),
    })),
    { callbackId: viewEditModalCallbackId, read: readViewEditSubmission, errorBlock: viewEditErrorBlock },
  ];
  for (const form of changeForms)
    app.view(form.callbackId, async ({ ack, body, view, client }) => {
      const { submission, channelId } = form.read(view);
      const teamId = body.team?.id ?? body.user.team_id ?? '';
      const homeNotes: string[] = [];
      // Whether the form was refused inside it (an error under its field): then nothing changed.
      const answered = { inForm: false };
      await bot.submit(
        request(
          client,
          {
            kind: 'view',
            ack: (answer) => {
              if (answer !== undefined) answered.inForm = true;
              return ack(answer);
            },
            errorBlock: form.errorBlock,
          },
          {
            teamId,
            userId: body.user.id,
            channelId,
            triggerId: undefined,
            requestId: view.id,
            homeNotes,
          },
        ),
        submission,
      );
      // A form without a channel was opened from the Home tab (Decline there): once it went through, the
      // Home shows the outcome. A refused one changes nothing, not even by publishing a Home (which would
      // make the sender's workspace and account); its answer was given in the form or is dropped.
      if (!channelId && submission.kind !== 'stale' && !answered.inForm && homeNotes.length === 0)
        await deps.home.publish(client, teamId, body.user.id, homeNotes);
    });

  app.view(settingsModalCallbackId, async ({ ack, body, view, client }) => {
    const submission = readSettingsSubmission(view);
    // A field's own error (a price out of range) goes under that field.
    if ('errors' in submission) return ack({ response_action: 'errors', errors: submission.errors });
    await bot.submit(
      request(
        client,
        { kind: 'view', ack: (answer) => ack(answer), errorBlock: settingsErrorBlock },
        {
          teamId: body.team?.id ?? body.user.team_id ?? '',
          userId: body.user.id,
          channelId: undefined,
          triggerId: undefined,
          requestId: view.id,
        },
      ),
      submission,
    );
  });

  registerSlackThreadReplies(app, deps);
}
