import { describe, expect, it } from 'vitest';
import { CriticalPathGate } from '../../../src/workflow/design-jobs/critical-path-gate.ts';
import { offPathRender } from '../../../src/workflow/design-jobs/off-path-render.ts';

describe('sheet renders off the critical path', () => {
  it('wait for a quiet critical path at most their time from when they asked, not one after another', async () => {
    const gate = new CriticalPathGate();
    let finish!: () => void;
    // A critical-path job that runs all along, as under steady load.
    const critical = gate.whileCritical(() => new Promise<void>((resolve) => (finish = resolve)));
    const render = offPathRender(gate, 500);
    const started = Date.now();
    const order: number[] = [];
    await Promise.all(
      [1, 2, 3].map((n) =>
        render(async () => {
          order.push(n);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }),
      ),
    );
    const took = Date.now() - started;
    // One at a time and in order; all three within one wait (about 500 ms) and their own work, not 3 x 500.
    expect(order).toEqual([1, 2, 3]);
    expect(took).toBeGreaterThanOrEqual(490);
    // Waiting one after another would take at least 1,500 ms.
    expect(took).toBeLessThan(1_400);
    finish();
    await critical;
  });

  it('go at once when the critical path is quiet, and as soon as it becomes quiet', async () => {
    const gate = new CriticalPathGate();
    const render = offPathRender(gate, 10_000);
    const quiet = Date.now();
    await render(() => Promise.resolve());
    expect(Date.now() - quiet).toBeLessThan(100);
    let finish!: () => void;
    const critical = gate.whileCritical(() => new Promise<void>((resolve) => (finish = resolve)));
    const waiting = render(() => Promise.resolve('drawn'));
    setTimeout(() => finish(), 100);
    const started = Date.now();
    expect(await waiting).toBe('drawn');
    expect(Date.now() - started).toBeLessThan(1_000);
    await critical;
  });

  it('go while the critical-path jobs only wait on their model, and wait again once one is busy', async () => {
    const gate = new CriticalPathGate();
    const render = offPathRender(gate, 10_000);
    let answer!: () => void;
    let done!: () => void;
    const critical = gate.whileCritical(async () => {
      // A view job waiting seconds on the image model, then storing what came back.
      await gate.whileWaitingOnModel(() => new Promise<void>((resolve) => (answer = resolve)));
      await new Promise<void>((resolve) => (done = resolve));
    });
    const started = Date.now();
    expect(await render(() => Promise.resolve('drawn'))).toBe('drawn');
    expect(Date.now() - started).toBeLessThan(1_000);
    answer();
    await new Promise((resolve) => setTimeout(resolve, 0));
    let drawn = false;
    const waiting = render(() => Promise.resolve((drawn = true)));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(drawn).toBe(false);
    done();
    await waiting;
    expect(drawn).toBe(true);
    await critical;
  });
});
