import type { RespondArguments } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { RemainingView } from '../../workflow/views.ts';
import type { WorkspaceInfo } from '../../workflow/workspace-directory.ts';
import type { CardButton, DesignCard } from '../card/design-card.ts';
import type { ChatReplies } from '../chat/chat-request.ts';
import type { ChatText } from '../chat/chat-text.ts';
import { renderSlackAnswer, renderSlackCard } from './slack-blocks.ts';
import { renderSlackChatText } from './slack-chat-text.ts';
import { viewEditModal } from './slack-view-edit-modal.ts';
import { iterationModal, type IterationForm } from './slack-iteration-modal.ts';
import { settingsModal } from './slack-settings-modal.ts';

/** How Slack takes the first answer to a request, which must come within 3 s. */
export type SlackFirstAnswer =
  /** A slash command: the ack itself can carry a private answer. */
  | {
      kind: 'command';
      ack: (answer?: { response_type: 'ephemeral'; text: string }) => Promise<void>;
      respond: (message: RespondArguments) => Promise<unknown>;
    }
  /** A button: acked on arrival; answers are ephemeral messages. */
  | { kind: 'action' }
  /** A modal submission: the ack closes the modal, or keeps it open with an error under `errorBlock`. */
  | {
      kind: 'view';
      ack: (answer?: { response_action: 'errors'; errors: Record<string, string> }) => Promise<void>;
      errorBlock: string;
    };

const platformErrorSchema = z.object({ data: z.object({ error: z.string() }) });

/**
 * Called right after an ack: in a burst, every other request waiting on this event loop is parsed and
 * acked before any listener starts its slow part (measured by bench/slack.ts: p99 roughly halves).
 */
function yieldToOtherAcks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Answers one Slack request for the chat layer. */
export class SlackReplies implements ChatReplies {
  private acked: boolean;

  constructor(
    private readonly first: SlackFirstAnswer,
    private readonly request: {
      client: WebClient;
      channelId: string | undefined;
      userId: string;
      triggerId: string | undefined;
      teamId: string;
      logger: Logger;
      /** Where answers to the sender go when there is no channel (a request from the Home tab). */
      homeNotes?: string[] | undefined;
    },
    options: { acknowledged?: boolean } = {},
  ) {
    // A button is acked on arrival; a request whose work was handed on was acked where it arrived.
    this.acked = first.kind === 'action' || options.acknowledged === true;
  }

  async acknowledge(): Promise<void> {
    if (this.acked) return;
    this.acked = true;
    await (this.first.kind === 'action' ? Promise.resolve() : this.first.ack());
    await yieldToOtherAcks();
  }

  async tell(text: ChatText): Promise<void> {
    const rendered = renderSlackChatText(text);
    const first = this.first;
    if (!this.acked && first.kind === 'command') {
      this.acked = true;
      await first.ack({ response_type: 'ephemeral', text: rendered });
      return;
    }
    await this.acknowledge();
    if (first.kind === 'command') {
      await first.respond({ response_type: 'ephemeral', text: rendered });
      return;
    }
    await this.tellOther(this.request.userId, text);
  }

  async tellWithActions(text: ChatText, actions: CardButton[][]): Promise<void> {
    const rendered = renderSlackChatText(text);
    const blocks = renderSlackAnswer(rendered, actions);
    const { channelId, client, userId } = this.request;
    await this.acknowledge();
    if (this.first.kind === 'command') {
      await this.first.respond({ response_type: 'ephemeral', text: rendered, blocks });
      return;
    }
    if (!channelId) return this.tell(text);
    await client.chat.postEphemeral({ channel: channelId, user: userId, text: rendered, blocks });
  }

  async tellOther(userId: string, text: ChatText): Promise<void> {
    const { channelId, client, homeNotes } = this.request;
    if (!channelId) {
      // A click on the Home tab has no channel: the sender's answers go on their Home, published after.
      if (userId === this.request.userId) homeNotes?.push(renderSlackChatText(text));
      return;
    }
    await client.chat.postEphemeral({ channel: channelId, user: userId, text: renderSlackChatText(text) });
  }

  async rejectForm(text: string): Promise<void> {
    const first = this.first;
    if (this.acked || first.kind !== 'view') return this.tell([text]);
    this.acked = true;
    await first.ack({ response_action: 'errors', errors: { [first.errorBlock]: text } });
  }

  openFeedbackForm(target: { designId: string; iteration: number }): Promise<void> {
    return this.openIterationForm('feedback', target, 'Request changes');
  }

  openDeclineForm(target: { designId: string; iteration: number }): Promise<void> {
    return this.openIterationForm('decline', target, 'Decline');
  }

  private async openIterationForm(
    form: IterationForm,
    target: { designId: string; iteration: number },
    button: string,
  ): Promise<void> {
    const { client, channelId, triggerId, logger } = this.request;
    await this.acknowledge();
    await client.views
      .open({
        trigger_id: triggerId ?? '',
        view: iterationModal(form, { ...target, channelId: channelId ?? '' }),
      })
      .catch(async (error: unknown) => {
        logger.warn({ err: error, designId: target.designId, form }, 'iteration modal not opened');
        await this.tell([`The form could not be opened (Slack was slow to answer); press ${button} again.`]);
      });
  }
  async openViewEditForm(target: { designId: string; view: RemainingView }): Promise<void> {
    const { client, channelId, triggerId, logger } = this.request;
    await this.acknowledge();
    await client.views
      .open({
        trigger_id: triggerId ?? '',
        view: viewEditModal({ ...target, channelId: channelId ?? '' }),
      })
      .catch(async (error: unknown) => {
        logger.warn({ err: error, designId: target.designId }, 'view edit modal not opened');
        await this.tell([
          'The change form could not be opened (Slack was slow to answer); press the Edit button again.',
        ]);
      });
  }

  async openSettingsForm(current: WorkspaceInfo): Promise<void> {
    const { client, triggerId, teamId } = this.request;
    const groups = await client.usergroups.list({ include_disabled: false });
    await client.views.open({
      trigger_id: triggerId ?? '',
      view: settingsModal({
        teamId,
        approverGroup: current.approverGroup,
        requestersApprove: current.requestersApprove,
        approvalNotices: current.approvalNotices,
        threadReplies: current.threadReplies,
        prices: current.prices,
        monthlyBudgetCents: current.monthlyBudgetCents,
        candidates: current.candidates,
        groups: (groups.usergroups ?? []).flatMap((g) =>
          g.id && g.handle ? [{ id: g.id, handle: g.handle }] : [],
        ),
      }),
    });
  }

  async postCard(card: DesignCard): Promise<string> {
    const posted = await this.request.client.chat.postMessage({
      channel: this.request.channelId ?? '',
      ...renderSlackCard(card, null),
    });
    if (!posted.ts) throw new Error('chat.postMessage returned no ts');
    return posted.ts;
  }

  /** Slack's answers when the bot may not post where the command was typed (private channel, DM). */
  cannotPost(error: unknown): boolean {
    const parsed = platformErrorSchema.safeParse(error);
    return (
      parsed.success &&
      ['not_in_channel', 'channel_not_found', 'is_archived'].includes(parsed.data.data.error)
    );
  }
}
