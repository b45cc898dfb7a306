import type { Logger } from 'pino';
import type { DesignSnapshot } from './design-snapshot.ts';
import type { Notifier } from './ports/notifier.ts';

type Slot = {
  pending: DesignSnapshot | undefined;
  running: Promise<void> | undefined;
  lastSentAt: number;
  deliveredVersion: number;
};

/** Idle designs remembered so a late, older snapshot cannot overwrite a newer card. */
const rememberedDesigns = 10_000;

/**
 * One delivery at a time per design, at most one per `intervalMs`: a burst of view completions becomes
 * one chat edit showing all of them. Only the newest snapshot waits; an older one arriving late is
 * dropped (by version), and the newest snapshot is always delivered.
 */
export class CoalescingNotifier implements Notifier {
  private readonly slots = new Map<string, Slot>();

  constructor(
    private readonly inner: Notifier,
    private readonly options: { intervalMs: number; logger?: Logger | undefined },
  ) {}

  notify(design: DesignSnapshot): Promise<void> {
    let slot = this.slots.get(design.id);
    if (!slot) {
      slot = { pending: undefined, running: undefined, lastSentAt: 0, deliveredVersion: -1 };
      this.slots.set(design.id, slot);
      this.forgetIdle();
    }
    if (design.version <= slot.deliveredVersion) return slot.running ?? Promise.resolve();
    if (!slot.pending || slot.pending.version < design.version) slot.pending = design;
    slot.running ??= this.drain(design.id, slot);
    return slot.running;
  }

  /** Resolves when every design's newest snapshot has been delivered (tests, shutdown). */
  async flush(): Promise<void> {
    for (;;) {
      const running = [...this.slots.values()].flatMap((slot) => (slot.running ? [slot.running] : []));
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  private async drain(designId: string, slot: Slot): Promise<void> {
    while (slot.pending) {
      const wait = slot.lastSentAt + this.options.intervalMs - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const snapshot = slot.pending;
      slot.pending = undefined;
      slot.lastSentAt = Date.now();
      slot.deliveredVersion = snapshot.version;
      try {
        await this.inner.notify(snapshot);
      } catch (error) {
        // The card heals at the next change: every update re-renders it whole.
        this.options.logger?.warn(
          { err: error, designId, version: snapshot.version },
          'notifying a design failed',
        );
      }
    }
    slot.running = undefined;
  }

  private forgetIdle(): void {
    if (this.slots.size <= rememberedDesigns) return;
    for (const [id, slot] of this.slots) {
      if (!slot.running) {
        this.slots.delete(id);
        return;
      }
    }
  }
}
