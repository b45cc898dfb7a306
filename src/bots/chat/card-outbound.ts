import type { Platform } from '../../platform.ts';
import type { DesignCard } from '../card/design-card.ts';
import type { ThreadNotice } from '../card/design-notices.ts';
import type { ThreadImage, ThreadStatus } from '../card/design-thread.ts';

/** A posted card: the channel and message a platform keeps it in. */
export type CardMessage = { channelId: string; messageId: string };

/**
 * How a card carries its front view: a link the platform fetches itself, a file attached to the card
 * message, a file uploaded once and shown by its id on the card and in the thread ('upload'), or not
 * at all (each iteration's front view then goes into the thread).
 */
export type CardImageMode = 'link' | 'attach' | 'upload' | 'thread';

/** 'upload' mode: the platform's file id of each image uploaded so far, by image-store key. */
export type UploadedImages = ReadonlyMap<string, string>;

/**
 * A platform that shows a thread's images together, in one message per round that grows as they arrive
 * (Discord's media gallery), rather than in a post each.
 */
export interface ThreadGallery<Where extends CardMessage = CardMessage> {
  /** The most images one gallery message holds; more go into the round's next one. */
  readonly maxImages: number;
  /** Posts a gallery of these images; returns its message id. */
  post(where: Where, threadId: string, images: ThreadImage[]): Promise<string>;
  /** Makes a posted gallery show exactly these images; files it carries already are kept, not sent again. */
  edit(where: Where, threadId: string, messageId: string, images: ThreadImage[]): Promise<void>;
}

/** What the threaded-card notifier asks of a platform: render and send, nothing else. */
export interface CardOutbound<Where extends CardMessage = CardMessage> {
  readonly platform: Platform;
  /** Where the design's card is, once it has been posted. */
  locate(surface: Record<string, unknown>): Where | undefined;
  imageMode(): Promise<CardImageMode>;
  /**
   * 'upload' mode: puts an image on the platform without showing it anywhere (called once per image);
   * returns the platform's file id.
   */
  uploadImage?(where: Where, image: { imageKey: string; title: string }): Promise<string>;
  /**
   * Edits the card whole; `upload` (attach mode) sends its front view along, once per image. In
   * 'upload' mode the front view is shown from `uploaded`, or not yet when it is missing there.
   */
  editCard(
    where: Where,
    card: DesignCard,
    options: { upload: boolean; uploaded?: UploadedImages },
  ): Promise<void>;
  /** Replies to the card message are its thread (Slack): there is no thread to make. */
  readonly repliesAreThread: boolean;
  /** Makes the card's thread and returns its id (not called when replies are the thread). */
  openThread(where: Where, name: string): Promise<string>;
  postThreadStatus(where: Where, threadId: string, status: ThreadStatus): Promise<string>;
  editThreadStatus(where: Where, threadId: string, messageId: string, status: ThreadStatus): Promise<void>;
  /** A notice in the thread; only its `pings` may notify anyone. */
  postThreadNotice(where: Where, threadId: string, notice: ThreadNotice): Promise<string>;
  /**
   * Where a platform can ask approvers one by one (Slack): the members of a group, and a direct message
   * to one of them that links to the card. A platform without them mentions the group in the thread.
   */
  groupMembers?(where: Where, group: string): Promise<string[]>;
  postDirect?(where: Where, userId: string, text: ThreadNotice['text']): Promise<string>;
  /** Where present, the thread's images go into galleries instead of `postThreadImage`. */
  readonly gallery?: ThreadGallery<Where>;
  /** In 'upload' mode `uploaded` holds the image's file id. */
  postThreadImage(
    where: Where,
    threadId: string,
    image: ThreadImage,
    uploaded?: UploadedImages,
  ): Promise<string>;
}
