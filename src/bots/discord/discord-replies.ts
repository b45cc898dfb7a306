import {
  DiscordAPIError,
  InteractionResponseType,
  MessageFlags,
  type APIInteractionResponse,
} from 'discord.js';
import type { CardButton, DesignCard } from '../card/design-card.ts';
import type { ChatReplies } from '../chat/chat-request.ts';
import type { ChatText } from '../chat/chat-text.ts';
import type { Acknowledgement } from '../chat/first-answer.ts';
import { discordButtonRows, renderDiscordCard } from './discord-card.ts';
import type { DiscordCardOutbound } from './discord-card-outbound.ts';
import { renderDiscordChatText } from './discord-chat-text.ts';
import { discordViewEditModal } from './discord-view-edit-modal.ts';
import type { RemainingView } from '../../workflow/views.ts';
import { discordIterationModal, type IterationForm } from './discord-iteration-modal.ts';
import type { DiscordInteractionKind, DiscordResponder } from './discord-responder.ts';

const privately = (content: string) => ({
  content,
  flags: MessageFlags.Ephemeral as const,
  allowed_mentions: { parse: [] },
});

/**
 * "Working on it": a command's is a reply still to come (public when it will be the card), a button's or
 * form's a deferred update, so the card stays as it is until it changes.
 */
export function discordDeferral(
  kind: DiscordInteractionKind,
  visibility: Acknowledgement,
): APIInteractionResponse {
  if (kind !== 'command') return { type: InteractionResponseType.DeferredMessageUpdate };
  return {
    type: InteractionResponseType.DeferredChannelMessageWithSource,
    data: visibility === 'private' ? { flags: MessageFlags.Ephemeral } : {},
  };
}

/** Discord's codes for "the bot may not see or post in this channel". */
const cannotPostCodes = new Set([50001, 50013]);

/**
 * Answers one Discord interaction for the chat layer, in either mode (the responder carries the
 * difference). A command's first answer is a reply or a deferral; a button's or form's a deferred
 * update, so the card stays as it is until it changes.
 */
export class DiscordReplies implements ChatReplies {
  private deferred: Acknowledgement | undefined;

  /** `acknowledged`: the transport already gave this deferral as the first response (an early answer). */
  constructor(
    private readonly responder: DiscordResponder,
    private readonly cards: DiscordCardOutbound,
    acknowledged?: Acknowledgement,
  ) {
    this.deferred = acknowledged;
  }

  async acknowledge(visibility: Acknowledgement): Promise<void> {
    if (this.deferred) return;
    this.deferred = visibility;
    await this.responder.respond(discordDeferral(this.responder.kind, visibility));
  }

  tell(text: ChatText): Promise<void> {
    return this.answer(text, []);
  }

  tellWithActions(text: ChatText, actions: CardButton[][]): Promise<void> {
    return this.answer(text, actions);
  }

  /** A private answer, with buttons when there are any. */
  private async answer(text: ChatText, actions: CardButton[][]): Promise<void> {
    const content = renderDiscordChatText(text);
    const components = discordButtonRows(actions);
    const responder = this.responder;
    if (!this.deferred) {
      await responder.respond({
        type: InteractionResponseType.ChannelMessageWithSource,
        data: { ...privately(content), components },
      });
      return;
    }
    if (responder.kind === 'command') {
      if (this.deferred === 'private') {
        await responder.editOriginal({ content, components, allowed_mentions: { parse: [] } });
        return;
      }
      // The public "thinking…" was for a card that will not come: it goes, the answer is private.
      await responder.deleteOriginal().catch(() => undefined);
    }
    await responder.followUp({ ...privately(content), components });
  }

  /** Discord has no private message to someone else in a channel. */
  tellOther(): Promise<void> {
    return Promise.resolve();
  }

  /** Discord forms cannot show an error inside them: the answer is private instead. */
  rejectForm(text: string): Promise<void> {
    return this.tell([text]);
  }

  openFeedbackForm(target: { designId: string; iteration: number }): Promise<void> {
    return this.openIterationForm('feedback', target);
  }

  openDeclineForm(target: { designId: string; iteration: number }): Promise<void> {
    return this.openIterationForm('decline', target);
  }

  private async openIterationForm(
    form: IterationForm,
    target: { designId: string; iteration: number },
  ): Promise<void> {
    if (this.responder.kind === 'modal') throw new Error('a form cannot open another form');
    await this.responder.respond({
      type: InteractionResponseType.Modal,
      data: discordIterationModal(form, target),
    });
  }

  async openViewEditForm(target: { designId: string; view: RemainingView }): Promise<void> {
    if (this.responder.kind === 'modal') throw new Error('a form cannot open another form');
    await this.responder.respond({ type: InteractionResponseType.Modal, data: discordViewEditModal(target) });
  }

  openSettingsForm(): Promise<void> {
    return Promise.reject(new Error('Discord settings are command options, not a form'));
  }

  /** A new design's card: the deferred reply to its command, or a new channel message (a variation's). */
  async postCard(card: DesignCard): Promise<string> {
    if (this.responder.kind === 'command' && this.deferred === 'public')
      return this.responder.editOriginal(renderDiscordCard(card, null));
    return this.cards.send(this.responder.channelId, card);
  }

  cannotPost(error: unknown): boolean {
    return (
      error instanceof DiscordAPIError && typeof error.code === 'number' && cannotPostCodes.has(error.code)
    );
  }
}
