import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BurstGate } from '../../../src/bots/chat/burst-gate.ts';

/** Whether the promise has settled by now (after the microtasks already queued). */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await Promise.resolve();
  await Promise.resolve();
  return done;
}

describe('BurstGate: work after an acknowledgement waits for the burst to be acknowledged', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const gateOf = (maxWaitMs = 250) =>
    new BurstGate({ quietMs: 20, maxWaitMs, answerWindowMs: 3_000, now: () => Date.now() });

  it('lets lone work go once nothing has arrived for the quiet time', async () => {
    const gate = gateOf();
    const acknowledged = gate.arrived();
    await vi.advanceTimersByTimeAsync(5);
    acknowledged();
    const work = gate.afterBurst();
    await vi.advanceTimersByTimeAsync(14);
    expect(await settled(work)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(work)).toBe(true);
  });

  it('holds every piece of work while arrivals keep coming, and lets all go after the last', async () => {
    const gate = gateOf();
    const works: Promise<void>[] = [];
    // 20 arrivals 5 ms apart (a sender held up mid-burst), each acknowledged 2 ms after it arrived.
    for (let i = 0; i < 20; i++) {
      const acknowledged = gate.arrived();
      await vi.advanceTimersByTimeAsync(2);
      acknowledged();
      works.push(gate.afterBurst());
      await vi.advanceTimersByTimeAsync(3);
      for (const work of works) expect(await settled(work)).toBe(false);
    }
    // The last arrived 5 ms ago: 15 ms more of quiet.
    await vi.advanceTimersByTimeAsync(14);
    for (const work of works) expect(await settled(work)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    for (const work of works) expect(await settled(work)).toBe(true);
  });

  it('holds work while anything that arrived is still unanswered, up to the longest wait', async () => {
    const gate = gateOf(10_000);
    const slow = gate.arrived();
    const quick = gate.arrived();
    quick();
    // Calling it twice must not count the slow one as acknowledged.
    quick();
    const work = gate.afterBurst();
    await vi.advanceTimersByTimeAsync(500);
    expect(await settled(work)).toBe(false);
    slow();
    // The quiet has long passed: it goes at the next timer.
    await vi.advanceTimersByTimeAsync(0);
    expect(await settled(work)).toBe(true);
  });

  it('lets work go after the longest hold even while the burst goes on', async () => {
    const gate = gateOf(250);
    gate.arrived()();
    const first = gate.afterBurst();
    let later: Promise<void> | undefined;
    for (let elapsed = 0; elapsed < 400; elapsed += 5) {
      gate.arrived()();
      if (elapsed === 100) later = gate.afterBurst();
      await vi.advanceTimersByTimeAsync(5);
      expect(await settled(first)).toBe(elapsed + 5 >= 250);
      if (later) expect(await settled(later)).toBe(elapsed + 5 >= 350);
    }
  });

  it('counts an arrival as answered once its answer window has passed', async () => {
    const gate = gateOf(10_000);
    gate.arrived(); // never answered: its handler hangs
    gate.arrived()();
    const work = gate.afterBurst();
    await vi.advanceTimersByTimeAsync(2_999);
    expect(await settled(work)).toBe(false);
    // At 3 s it counts as answered; the quiet has long passed, so the work goes at the next timer.
    await vi.advanceTimersByTimeAsync(2);
    expect(await settled(work)).toBe(true);
  });

  it('lets all waiting work go at once when the process stops', async () => {
    const gate = gateOf(10_000);
    gate.arrived();
    const works = [gate.afterBurst(), gate.afterBurst()];
    await vi.advanceTimersByTimeAsync(100);
    for (const work of works) expect(await settled(work)).toBe(false);
    gate.releaseAll();
    for (const work of works) expect(await settled(work)).toBe(true);
  });
});
