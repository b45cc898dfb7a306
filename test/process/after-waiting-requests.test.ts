import { describe, expect, it } from 'vitest';
import { afterWaitingRequests } from '../../src/process/after-waiting-requests.ts';
import type { DesignService } from '../../src/workflow/design-service.ts';

/** Records the order of events; stands in for the service only to observe when its methods run. */
class RecordingService {
  readonly events: string[] = [];
  start(request: { prompt: string }) {
    this.events.push(`start ${request.prompt}`);
    return Promise.resolve({ ok: true, by: this });
  }
  snapshot(id: string) {
    this.events.push(`snapshot ${id}`);
    return Promise.resolve(id);
  }
}

/** Pushes `label` once per turn of the event loop (each in a check phase of its own), `turns` times. */
function everyTurn(events: string[], label: string, turns: number) {
  let turn = 0;
  const next = () =>
    setImmediate(() => {
      events.push(`${label} ${++turn}`);
      if (turn < turns) next();
    });
  next();
}

describe('afterWaitingRequests', () => {
  it('starts changes one per turn of the event loop, after what was waiting; reads at once', async () => {
    const inner = new RecordingService();
    const service = afterWaitingRequests(inner as unknown as DesignService) as unknown as RecordingService;
    // Stands for requests read in the poll phase of each turn.
    everyTurn(inner.events, 'turn', 4);
    const started = [
      service.start({ prompt: 'a' }),
      service.start({ prompt: 'b' }),
      service.start({ prompt: 'c' }),
    ];
    const read = service.snapshot('d1');
    expect(inner.events).toEqual(['snapshot d1']);
    const results = await Promise.all(started);
    expect(inner.events).toEqual([
      'snapshot d1',
      'turn 1',
      'start a',
      'turn 2',
      'start b',
      'turn 3',
      'start c',
    ]);
    // The service's own `this` and answers come through.
    expect(results[0]).toEqual({ ok: true, by: inner });
    expect(await read).toBe('d1');
  });
});
