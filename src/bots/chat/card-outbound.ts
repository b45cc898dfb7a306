import type { Platform } from '../../platform.ts';
import type { DesignCard } from '../card/design-card.ts';
import type { ThreadImage, ThreadStatus } from '../card/design-thread.ts';

/** A posted card: the channel and message a platform keeps it in. */
export type CardMessage = { channelId: string; messageId: string };

/**
 * How a card carries its front view: a link the platform fetches itself, a file attached to the card
 * message, or not at all (each iteration's front view then goes into the thread).
 */
export type CardImageMode = 'link' | 'attach' | 'thread';

/** What the threaded-card notifier asks of a platform: render and send, nothing else. */
export interface CardOutbound<Where extends CardMessage = CardMessage> {
  readonly platform: Platform;
  /** Where the design's card is, once it has been posted. */
  locate(surface: Record<string, unknown>): Where | undefined;
  imageMode(): Promise<CardImageMode>;
  /** Edits the card whole; `upload` (attach mode) sends its front view along, once per image. */
  editCard(where: Where, card: DesignCard, options: { upload: boolean }): Promise<void>;
  /** Replies to the card message are its thread (Slack): there is no thread to make. */
  readonly repliesAreThread: boolean;
  /** Makes the card's thread and returns its id (not called when replies are the thread). */
  openThread(where: Where, name: string): Promise<string>;
  postThreadStatus(where: Where, threadId: string, status: ThreadStatus): Promise<string>;
  editThreadStatus(where: Where, threadId: string, messageId: string, status: ThreadStatus): Promise<void>;
  postThreadImage(where: Where, threadId: string, image: ThreadImage): Promise<string>;
}
