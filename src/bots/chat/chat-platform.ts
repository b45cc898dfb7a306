import type { Platform } from '../../platform.ts';
import type { ChatOrigin } from './chat-request.ts';
import type { ChatWords } from './chat-words.ts';

/** What the chat layer must know of a platform beyond one request: its words and where its cards live. */
export type ChatPlatform = {
  platform: Platform;
  words: ChatWords;
  /** What a new design records of where its card goes (designs.surface.<platform>). */
  cardPlace(origin: ChatOrigin): Record<string, string>;
  /** The field of that record holding the card's message id once posted. */
  cardMessageField: string;
  /** Settings are changed in a form the platform opens (Slack), rather than with the command's options. */
  settingsForm: boolean;
  /** A link to a design's card for `/design history`, where the platform has one. */
  cardLink(surface: Record<string, unknown>): Promise<string | undefined>;
};
