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

describe('afterWaitingRequests', () => {
  it('starts a change only after the I/O callbacks already waiting, and reads at once', async () => {
    const inner = new RecordingService();
    const service = afterWaitingRequests(inner as unknown as DesignService) as unknown as RecordingService;
    // Stands for a request whose socket became readable before the change was asked for.
    setImmediate(() => inner.events.push('waiting request'));
    const started = service.start({ prompt: 'a mug' });
    const read = service.snapshot('d1');
    expect(inner.events).toEqual(['snapshot d1']);
    await Promise.resolve();
    expect(inner.events).toEqual(['snapshot d1']);
    const result = await started;
    expect(inner.events).toEqual(['snapshot d1', 'waiting request', 'start a mug']);
    // The service's own `this` and answer come through.
    expect(result).toEqual({ ok: true, by: inner });
    expect(await read).toBe('d1');
  });
});
