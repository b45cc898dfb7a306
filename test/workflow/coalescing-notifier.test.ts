import { describe, expect, it } from 'vitest';
import { CoalescingNotifier } from '../../src/workflow/coalescing-notifier.ts';
import type { DesignSnapshot } from '../../src/workflow/design-snapshot.ts';

const snapshot = (id: string, version: number) => ({ id, version }) as DesignSnapshot;

function recorder(delayMs = 0) {
  const seen: [string, number][] = [];
  return {
    seen,
    notify: async (design: DesignSnapshot) => {
      seen.push([design.id, design.version]);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    },
  };
}

describe('coalescing notifier', () => {
  it('turns a burst into the first and the newest delivery, per design', async () => {
    const inner = recorder(20);
    const notifier = new CoalescingNotifier(inner, { intervalMs: 50 });
    for (let version = 1; version <= 10; version++) void notifier.notify(snapshot('a', version));
    void notifier.notify(snapshot('b', 1));
    await notifier.flush();
    expect(inner.seen.filter(([id]) => id === 'a')).toEqual([
      ['a', 1],
      ['a', 10],
    ]);
    expect(inner.seen).toContainEqual(['b', 1]);
  });

  it('drops a snapshot older than one already delivered', async () => {
    const inner = recorder();
    const notifier = new CoalescingNotifier(inner, { intervalMs: 0 });
    await notifier.notify(snapshot('a', 5));
    await notifier.notify(snapshot('a', 3));
    await notifier.notify(snapshot('a', 6));
    expect(inner.seen).toEqual([
      ['a', 5],
      ['a', 6],
    ]);
  });

  it('tries a failed snapshot again, with growing pauses, until it is delivered', async () => {
    const seen: number[] = [];
    const notifier = new CoalescingNotifier(
      {
        notify: (design) => {
          seen.push(Date.now());
          return seen.length <= 2
            ? Promise.reject(new Error(`chat is down (v${design.version})`))
            : Promise.resolve();
        },
      },
      { intervalMs: 0, redeliveryMs: 40 },
    );
    await notifier.notify(snapshot('a', 1));
    expect(seen).toHaveLength(3);
    expect(seen[1]! - seen[0]!).toBeGreaterThanOrEqual(35);
    expect(seen[2]! - seen[1]!).toBeGreaterThanOrEqual(75);
  });

  it('gives up on a snapshot after five retries, and delivers a newer one instead of an old retry', async () => {
    const versions: number[] = [];
    const notifier = new CoalescingNotifier(
      {
        notify: (design) => {
          versions.push(design.version);
          return design.version === 1 ? Promise.reject(new Error('refused')) : Promise.resolve();
        },
      },
      { intervalMs: 0, redeliveryMs: 1 },
    );
    await notifier.notify(snapshot('a', 1));
    expect(versions).toEqual([1, 1, 1, 1, 1, 1]);
    const first = notifier.notify(snapshot('b', 1));
    await notifier.notify(snapshot('b', 2));
    await first;
    await notifier.flush();
    expect(versions.slice(6)).toEqual([1, 2]);
  });

  it('spaces deliveries of one design by the interval', async () => {
    const times: number[] = [];
    const notifier = new CoalescingNotifier(
      {
        notify: () => {
          times.push(Date.now());
          return Promise.resolve();
        },
      },
      { intervalMs: 100 },
    );
    await notifier.notify(snapshot('a', 1));
    await notifier.notify(snapshot('a', 2));
    expect(times).toHaveLength(2);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(95);
  });

  it('across processes: the message that reaches the platform last is re-sent if it was not the newest', async () => {
    // One design, committed at version 1 and then 2; the platform keeps whatever update lands last.
    let committed = 1;
    const fresh = {
      version: () => Promise.resolve(committed),
      snapshot: () => Promise.resolve(snapshot('a', committed)),
    };
    const run = async (withFresh: boolean) => {
      committed = 1;
      let shown = 0;
      const platform = (delayMs: number) => ({
        notify: async (design: DesignSnapshot) => {
          await new Promise((resolve) => setTimeout(resolve, delayMs));
          shown = design.version;
        },
      });
      const options = { intervalMs: 10, ...(withFresh ? { fresh } : {}) };
      const slowProcess = new CoalescingNotifier(platform(150), options);
      const fastProcess = new CoalescingNotifier(platform(5), options);
      const first = slowProcess.notify(snapshot('a', 1));
      await new Promise((resolve) => setTimeout(resolve, 20));
      committed = 2;
      await fastProcess.notify(snapshot('a', 2));
      await first;
      await slowProcess.flush();
      return shown;
    };
    expect(await run(false)).toBe(1); // the stale card the soak found
    expect(await run(true)).toBe(2);
  });

  it('sends the state committed just before the delivery, not the one it was handed earlier', async () => {
    const inner = recorder();
    let committed = 7;
    const notifier = new CoalescingNotifier(inner, {
      intervalMs: 0,
      fresh: {
        version: () => Promise.resolve(committed),
        snapshot: () => Promise.resolve(snapshot('a', committed)),
      },
    });
    await notifier.notify(snapshot('a', 4));
    expect(inner.seen).toEqual([['a', 7]]);
    committed = 8;
    await notifier.notify(snapshot('a', 7));
    expect(inner.seen).toEqual([['a', 7]]);
  });
});
