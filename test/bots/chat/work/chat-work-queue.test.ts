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
    await expectEachWorkedOnOnce(prefix, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});

const numbersTo = (last: number) => Array.from({ length: last }, (_, i) => i + 1);

/** A worker on `prefix` works on exactly the pieces numbered `numbers`, each once. */
async function expectEachWorkedOnOnce(prefix: string, numbers: number[]): Promise<void> {
  const working = new BullMQChatWorkQueue({ redisUrl, prefix, logger: silentLogger });
  const seen: number[] = [];
  await working.process((piece) => {
    seen.push((JSON.parse(piece.request) as { n: number }).n);
    return Promise.resolve();
  });
  await expect.poll(() => seen.length).toBe(numbers.length);
  await delay(50);
  await working.close();
  expect([...seen].sort((a, b) => a - b)).toEqual(numbers);
}

describe('chat work queue in Redis: a burst waits for its end', () => {
  /** Holds the event loop for `ms`, as reading a request does: a burst is read over several turns. */
  const busy = (ms: number) => {
    const until = performance.now() + ms;
    while (performance.now() < until);
  };
  /**
   * Adds `count` pieces, one per turn of the event loop, as requests read from sockets are, each turn then
   * busy 2 ms. Each add is made from a timer, which runs before the turn's check phase as socket reads do
   * (a timer set for 1 ms is due at the next turn after 2 busy ms; the thread pool's callbacks, under a
   * test runner, may skip a turn). Returns when each add was made and resolved.
   */
  const addOnePerTurn = (queue: ChatWorkQueue, count: number) =>
    new Promise<{ madeAt: number[]; added: Promise<number>[] }>((resolve) => {
      const madeAt: number[] = [];
      const added: Promise<number>[] = [];
      const next = (n: number) => {
        madeAt.push(performance.now());
        added.push(queue.add(work(n)).then(() => performance.now()));
        if (n < count) setTimeout(() => next(n + 1), 1);
        else resolve({ madeAt, added });
        busy(2);
      };
      setTimeout(() => next(1), 1);
    });

  /** A receiving process's queue on a prefix of its own, holding bursts up to `burstWaitMs`. */
  const receivingQueue = (burstWaitMs: number) => {
    const prefix = `chat-work-${randomUUID()}`;
    return {
      prefix,
      receiving: new BullMQChatWorkQueue({ redisUrl, prefix, logger: silentLogger, burstWaitMs }),
    };
  };

  it('sends adds that keep coming turn after turn once a turn adds nothing, all of them once', async () => {
    const { prefix, receiving } = receivingQueue(10_000);
    const { madeAt, added } = await addOnePerTurn(receiving, 20);
    const resolvedAt = await Promise.all(added);
    // Sent one turn at a time, the first would be in Redis ~1 ms after it was made, long before the 20th.
    expect(Math.min(...resolvedAt)).toBeGreaterThan(Math.max(...madeAt));
    await receiving.close();
    await expectEachWorkedOnOnce(prefix, numbersTo(20));
  });

  it('holds a burst no longer than burstWaitMs while adds keep coming', async () => {
    const { receiving } = receivingQueue(100);
    // Its connection open first: a batch sent at the end of its turn is then in Redis within milliseconds.
    await receiving.add(work(0));
    // 150 adds, one every turn of at least 2 ms: the first go after ~100 ms, not when the adds stop.
    const { madeAt, added } = await addOnePerTurn(receiving, 150);
    const firstResolved = await added[0]!;
    expect(firstResolved - madeAt[0]!).toBeGreaterThanOrEqual(100);
    expect(firstResolved).toBeLessThan(madeAt[madeAt.length - 1]!);
    await Promise.all(added);
    await receiving.close();
  });

  it('sends a lone add after its turn, however long a burst may be held', async () => {
    const { prefix, receiving } = receivingQueue(10_000);
    await receiving.add(work(0));
    const started = performance.now();
    await receiving.add(work(1));
    expect(performance.now() - started).toBeLessThan(1000);
    await receiving.close();
    await expectEachWorkedOnOnce(prefix, [0, 1]);
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
