import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatWork, ChatWorkQueue } from '../../../../src/bots/chat/work/chat-work.ts';
import { BullMQChatWorkQueue } from '../../../../src/bots/chat/work/bullmq-chat-work-queue.ts';
import { InProcessChatWorkQueue } from '../../../../src/bots/chat/work/in-process-chat-work-queue.ts';
import { silentLogger } from '../../../workflow/workflow-harness.ts';

/** A Redis database of its own; each queue here has a prefix of its own. */
const redisUrl = 'redis://127.0.0.1:6379/14';

const work = (n: number): ChatWork => ({
  platform: 'discord',
  request: `{"n":${n}}`,
  acknowledged: 'private',
});

/** What both queues promise: everything added is worked on once, whichever process adds it. */
describe.each([
  ['in process', () => new InProcessChatWorkQueue(silentLogger)],
  [
    'BullMQ',
    () => new BullMQChatWorkQueue({ redisUrl, prefix: `chat-work-${randomUUID()}`, logger: silentLogger }),
  ],
] as const)('chat work queue (%s)', (_name, make) => {
  const opened: ChatWorkQueue[] = [];
  const open = () => {
    const queue = make();
    opened.push(queue);
    return queue;
  };

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((queue) => queue.close()));
  });

  it('keeps what is added before anyone works, then works on each piece once, a failure stopping nothing', async () => {
    const queue = open();
    for (let n = 1; n <= 5; n++) await queue.add(work(n));
    await delay(50);
    const seen: number[] = [];
    await queue.process((piece) => {
      const n = (JSON.parse(piece.request) as { n: number }).n;
      seen.push(n);
      return n === 2 ? Promise.reject(new Error('this one fails')) : Promise.resolve();
    });
    await expect.poll(() => seen.length).toBe(5);
    await delay(100);
    // The failed piece is not run again: at most once.
    expect([...seen].sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('works on each of a burst added in one turn once', async () => {
    const queue = open();
    const seen: number[] = [];
    await queue.process((piece) => {
      seen.push((JSON.parse(piece.request) as { n: number }).n);
      return Promise.resolve();
    });
    await Promise.all(Array.from({ length: 40 }, (_, i) => queue.add(work(i + 1))));
    await expect.poll(() => seen.length).toBe(40);
    await delay(50);
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('refuses new work once closed, after finishing what it had', async () => {
    const queue = open();
    const done: number[] = [];
    await queue.process(async (piece) => {
      await delay(30);
      done.push((JSON.parse(piece.request) as { n: number }).n);
    });
    await queue.add(work(1));
    await expect.poll(() => done.length, { timeout: 2000 }).toBe(1);
    await queue.close();
    await expect(queue.add(work(2))).rejects.toThrow(/closed/);
  });
});

describe('chat work queue in Redis', () => {
  it('keeps a burst added just before close: the adds of a turn reach Redis together, before it closes', async () => {
    const prefix = `chat-work-${randomUUID()}`;
    const receiving = new BullMQChatWorkQueue({ redisUrl, prefix, logger: silentLogger });
    await receiving.add(work(1));
    const added = Array.from({ length: 9 }, (_, i) => receiving.add(work(i + 2)));
    await receiving.close();
    await Promise.all(added);
    const working = new BullMQChatWorkQueue({ redisUrl, prefix, logger: silentLogger });
    const seen: number[] = [];
    await working.process((piece) => {
      seen.push((JSON.parse(piece.request) as { n: number }).n);
      return Promise.resolve();
    });
    await expect.poll(() => seen.length).toBe(10);
    await working.close();
    expect([...seen].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});

describe('chat work queue in process', () => {
  it('finishes work added just before shutdown: its requests were answered already', async () => {
    const queue = new InProcessChatWorkQueue(silentLogger);
    const done: number[] = [];
    await queue.process(async (piece) => {
      await delay(20);
      done.push((JSON.parse(piece.request) as { n: number }).n);
    });
    await queue.add(work(1));
    await queue.add(work(2));
    await queue.close();
    expect(done.sort()).toEqual([1, 2]);
  });
});
