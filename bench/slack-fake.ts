/*
 * The fake Slack of bench/slack.ts in a process of its own (bench/slack-fake-process.ts), as Slack is
 * remote: inline, its HTTP server and Block Kit checks share the measured event loop (~0.3 s of it per
 * run). The bench reads back only what it counts: the cards of the burst and the replies.
 */
import { forkChild } from './forked-child.ts';

/** A card posted in the channel (not in a thread): its text and when the fake received it (Date.now()). */
export type PostedCard = { text: string; at: number };

export type SlackFakeRequest =
  | { id: number; op: 'start'; arg: null }
  | { id: number; op: 'cards'; arg: string }
  | { id: number; op: 'responses' | 'close'; arg: null };

export type ForkedSlackFake = {
  url: string;
  apiUrl: string;
  /** Cards whose text matches `pattern` (a RegExp source). */
  cards(pattern: string): Promise<PostedCard[]>;
  /** How many bodies were POSTed to response URLs. */
  responses(): Promise<number>;
  close(): Promise<void>;
};

export async function forkSlackFake(): Promise<ForkedSlackFake> {
  const child = forkChild<SlackFakeRequest['op']>(
    new URL('./slack-fake-process.ts', import.meta.url),
    'fake Slack',
    {
      nice: 19,
    },
  );
  const { url, apiUrl } = await child.call<{ url: string; apiUrl: string }>('start', null);
  return {
    url,
    apiUrl,
    cards: (pattern) => child.call('cards', pattern),
    responses: () => child.call('responses', null),
    close: () => child.close(),
  };
}
