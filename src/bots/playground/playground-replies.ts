import type { RemainingView } from '../../workflow/views.ts';
import type { CardButton } from '../card/design-card.ts';
import type { ChatReplies } from '../chat/chat-request.ts';
import { plainChatText, type ChatText } from '../chat/chat-text.ts';

/** What the page shows after a command or click: a private note, a form to open, or nothing. */
export type PlaygroundAnswer = {
  reply?: string;
  /**
   * A form to open: changes to an iteration's front view, a reason to decline it, or changes to one view
   * of a finished design.
   */
  modal?:
    | { form: 'feedback' | 'decline'; designId: string; iteration: number }
    | { form: 'view_edit'; designId: string; view: RemainingView };
  /** For the feedback form: shown inside it, which stays open. */
  error?: string;
  /** Buttons under the note (`/design pending`), a row per design. */
  actions?: CardButton[][];
  /** A reply in a design's thread was taken as Request changes: the mark the page puts on it. */
  reaction?: string;
};

/** The page asks and waits: every answer to a request goes back in its HTTP response. */
export class PlaygroundReplies implements ChatReplies {
  readonly answer: PlaygroundAnswer = {};

  acknowledge(): Promise<void> {
    return Promise.resolve();
  }

  tell(text: ChatText): Promise<void> {
    this.answer.reply = plainChatText(text, (id) => `@${id}`);
    return Promise.resolve();
  }

  tellWithActions(text: ChatText, actions: CardButton[][]): Promise<void> {
    this.answer.actions = actions;
    return this.tell(text);
  }

  /** Everyone shares one page: there is nobody else to tell privately. */
  tellOther(): Promise<void> {
    return Promise.resolve();
  }

  rejectForm(text: string): Promise<void> {
    this.answer.error = text;
    return Promise.resolve();
  }

  openFeedbackForm(target: { designId: string; iteration: number }): Promise<void> {
    this.answer.modal = { form: 'feedback', ...target };
    return Promise.resolve();
  }

  openDeclineForm(target: { designId: string; iteration: number }): Promise<void> {
    this.answer.modal = { form: 'decline', ...target };
    return Promise.resolve();
  }

  openViewEditForm(target: { designId: string; view: RemainingView }): Promise<void> {
    this.answer.modal = { form: 'view_edit', ...target };
    return Promise.resolve();
  }

  openSettingsForm(): Promise<void> {
    return Promise.reject(new Error('the playground has no settings form'));
  }

  /** The page shows every design of the playground by itself (PlaygroundHub). */
  postCard(): Promise<null> {
    return Promise.resolve(null);
  }

  cannotPost(): boolean {
    return false;
  }
}
