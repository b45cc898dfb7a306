import type { RemainingView } from '../../workflow/views.ts';
import type { Platform } from '../../platform.ts';
import type { Actor } from '../../workflow/actor.ts';
import type { WorkspaceInfo, WorkspaceSettings } from '../../workflow/workspace-directory.ts';
import type { CardButton, DesignCard } from '../card/design-card.ts';
import type { ChatText } from './chat-text.ts';

/** Where a request came from and who sent it, in platform-neutral words. */
export type ChatOrigin = {
  platform: Platform;
  /** The Slack team or Discord guild; null outside one (a Discord DM). */
  workspace: string | null;
  workspaceName?: string | undefined;
  channelId: string;
  userId: string;
  /** The platform's id of this request: a retried delivery carries the same one. */
  requestId: string;
  /** Permissions Facet lacks in this channel, in the platform's words (none where it cannot tell). */
  missingPermissions: readonly string[];
  /** Typed inside a thread, where a design's own thread cannot be made. */
  inThread: boolean;
  /** Who the sender is to Facet (admin, groups): the platform may have to ask for it. */
  actor(workspace: WorkspaceInfo): Promise<Actor>;
};

/** A form coming back. `stale` is one the platform could not read (forged, or from an old version). */
export type ChatSubmission =
  | { kind: 'feedback'; designId: string; iteration: number; feedback: string }
  /** Why an approver declines this iteration. */
  | { kind: 'decline'; designId: string; iteration: number; reason: string }
  /** What should change in one view of a finished design; empty draws it again. */
  | { kind: 'view_edit'; designId: string; view: RemainingView; instruction: string }
  | { kind: 'settings'; workspace: string; settings: WorkspaceSettings }
  | { kind: 'stale'; form: 'feedback' | 'decline' | 'view_edit' | 'settings' };

/**
 * How the chat layer answers one request. The platform keeps track of its own deadlines: an answer
 * given before `acknowledge` is the first response (Slack's ack, Discord's reply), one after it a
 * follow-up.
 */
export interface ChatReplies {
  /** Says "working on it" within the platform's 3 s; `public` when the answer will be the card itself. */
  acknowledge(visibility: 'public' | 'private'): Promise<void>;
  /** A private answer to the sender. */
  tell(text: ChatText): Promise<void>;
  /** A private answer with buttons (card actions), a row of them per line of the list it answers with. */
  tellWithActions(text: ChatText, actions: CardButton[][]): Promise<void>;
  /** A private note to someone else in the channel, where the platform can (a grant's recipient). */
  tellOther(userId: string, text: ChatText): Promise<void>;
  /** Refuses a form submission; the form stays open where the platform can show errors in it. */
  rejectForm(text: string): Promise<void>;
  openFeedbackForm(target: { designId: string; iteration: number }): Promise<void>;
  /** The form that asks an approver why they decline this iteration (required text). */
  openDeclineForm(target: { designId: string; iteration: number }): Promise<void>;
  /** The form that asks what should change in one view of a finished design (optional text). */
  openViewEditForm(target: { designId: string; view: RemainingView }): Promise<void>;
  /** The admin settings form, on a platform that has one (ChatPlatform.settingsForm). */
  openSettingsForm(current: WorkspaceInfo): Promise<void>;
  /**
   * Posts a new design's card in the request's channel; returns the message's id, or null where the
   * platform shows cards by itself (the playground).
   */
  postCard(card: DesignCard): Promise<string | null>;
  /** The platform's answer to a post meaning Facet may not post in this channel. */
  cannotPost(error: unknown): boolean;
}

export type ChatRequest = { origin: ChatOrigin; replies: ChatReplies };
