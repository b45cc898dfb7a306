import type { ChatWorkQueue } from '../../src/bots/chat/work/chat-work.ts';

/**
 * A chat work queue with Redis away: every add fails, as BullMQ's does while its connection is down.
 * `refused` lists the platform of each piece it refused.
 */
export function refusingChatWorkQueue(): { queue: ChatWorkQueue; refused: string[] } {
  const refused: string[] = [];
  const queue: ChatWorkQueue = {
    add: (work) => {
      refused.push(work.platform);
      return Promise.reject(new Error('Connection is closed.'));
    },
    process: () => Promise.reject(new Error('a refusing queue processes nothing')),
    close: () => Promise.resolve(),
  };
  return { queue, refused };
}
