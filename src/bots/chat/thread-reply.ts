import type { DesignState } from '../../workflow/machine/design-state.ts';
import { maxFeedbackLength } from '../../workflow/prompts.ts';

/** A message someone wrote in a thread, as a platform hands it to the chat layer. */
export type ThreadReply = {
  /**
   * Whose thread it is: the card message it hangs from (Slack's thread ts, with the channel, since a ts is
   * unique only there; Discord's thread id, which is the card message's id), or the design itself where
   * the platform knows it (the playground's thread panel).
   */
  threadOf: { cardMessage: string; channelId?: string | undefined } | { designId: string };
  text: string;
  /** The platform's id of the reply: a redelivery carries the same one, and is handled once. */
  messageId: string;
};

/** How the chat layer answers a thread reply: a mark on the reply, or a word to its author alone. */
export interface ThreadReplyAnswers {
  /** Marks the reply as taken (a reaction on it). */
  react(): Promise<void>;
  /** A private answer to the reply's author (in the thread where the platform cannot whisper). */
  tell(text: string): Promise<void>;
}

/**
 * What a reply means. Only someone who may ask for changes is ever answered: anyone else's words in a
 * thread are conversation, and so is anything said once the front view is no longer waiting (a finished
 * design's thread is where people say what they think of it).
 */
export type ThreadReplyDecision =
  | { kind: 'ignore' }
  | { kind: 'wait'; text: string }
  | { kind: 'refuse'; text: string }
  | { kind: 'request_changes'; feedback: string };

const waitingStates: ReadonlySet<DesignState> = new Set(['queued', 'generating_front']);

export function decideThreadReply(reply: {
  state: DesignState;
  iteration: number;
  /** The author may ask for changes to this design (its requester, an approver, an admin). */
  allowed: boolean;
  text: string;
}): ThreadReplyDecision {
  if (!reply.allowed) return { kind: 'ignore' };
  if (waitingStates.has(reply.state))
    return {
      kind: 'wait',
      text: `Iteration ${reply.iteration} is still being drawn: wait for this iteration, then reply again with what should change. Nothing was reserved for this reply.`,
    };
  if (reply.state !== 'awaiting_approval') return { kind: 'ignore' };
  // The same words and limits as the Request changes form.
  const feedback = reply.text.trim();
  if (feedback === '') return { kind: 'refuse', text: 'Say what should change.' };
  if (feedback.length > maxFeedbackLength)
    return {
      kind: 'refuse',
      text: `Keep it to ${maxFeedbackLength} characters or fewer (this is ${feedback.length}).`,
    };
  return { kind: 'request_changes', feedback };
}

/** The chat_posts key that makes one reply count once, however often the platform delivers it. */
export const threadReplyKey = (messageId: string) => `reply:${messageId}`;
