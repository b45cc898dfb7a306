import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { ChatBot } from '../chat/chat-bot.ts';
import type { ChatOrigin } from '../chat/chat-request.ts';
import { formDesignCommand } from '../chat/design-command.ts';
import type { SlackActors } from './slack-actors.ts';
import {
  newDesignChannelBlock,
  newDesignModal,
  newDesignModalCallbackId,
  newDesignPromptBlock,
  newDesignShortcutId,
  readNewDesignSubmission,
} from './slack-new-design-modal.ts';
import { SlackNewDesignReplies } from './slack-new-design-replies.ts';

/**
 * The "New design" global shortcut: it opens a form, and the form's submission is `/design <prompt>`
 * typed in the chosen channel, through the same chat-layer call. Only the form is Slack's own here.
 */
export function registerSlackNewDesign(
  app: App,
  deps: { bot: ChatBot; actors: SlackActors; logger: Logger },
): void {
  app.shortcut({ callback_id: newDesignShortcutId, type: 'shortcut' }, async ({ ack, shortcut, client }) => {
    await ack();
    // The trigger lasts 3 s and works once: the form opens first, with nothing to check before it
    // (credits and limits are checked on submit, as a typed `/design` is).
    await client.views
      .open({ trigger_id: shortcut.trigger_id, view: newDesignModal() })
      .catch((error: unknown) => {
        deps.logger.warn({ err: error, userId: shortcut.user.id }, 'new design form not opened');
      });
  });

  app.view(newDesignModalCallbackId, async ({ ack, body, view, client }) => {
    const read = readNewDesignSubmission(view);
    if (read.kind === 'stale')
      return ack({ response_action: 'errors', errors: { [newDesignPromptBlock]: read.error } });
    if (read.kind === 'no_channel')
      return ack({ response_action: 'errors', errors: { [newDesignChannelBlock]: read.error } });
    const teamId = body.team?.id ?? body.user.team_id ?? '';
    const userId = body.user.id;
    const origin: ChatOrigin = {
      platform: 'slack',
      workspace: teamId === '' ? null : teamId,
      channelId: read.channelId,
      userId,
      // A form is submitted once; its view id keys the design, so a repeated delivery starts nothing new.
      requestId: view.id,
      // Slack says whether Facet may post only by refusing the post.
      missingPermissions: [],
      inThread: false,
      actor: (workspace) => deps.actors.actorFor(client, workspace, userId),
    };
    const replies = new SlackNewDesignReplies((answer) => ack(answer), newDesignPromptBlock, {
      client,
      channelId: read.channelId,
      userId,
      teamId,
      logger: deps.logger,
    });
    await deps.bot.command({ origin, replies }, formDesignCommand(read.prompt));
  });
}
