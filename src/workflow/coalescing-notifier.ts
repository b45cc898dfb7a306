import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../storage/schema.ts';
import { loadSnapshot, type DesignSnapshot } from './design-snapshot.ts';
import { findDesignVersion } from './store/design-statements.ts';
import type { Notifier } from './ports/notifier.ts';

type Slot = {
  pending: DesignSnapshot | undefined;
  running: Promise<void> | undefined;
  lastSentAt: number;
  deliveredVersion: number;
  /** Consecutive failed deliveries; the snapshot is tried again after a growing pause. */
  failures: number;
  retryAt: number;
};

/** A design's last change may be its only one: a failed delivery is retried rather than left stale. */
const maxRedeliveries = 5;
const defaultRedeliveryMs = 1_000;

/** Idle designs remembered so a late, older snapshot cannot overwrite a newer card. */
const rememberedDesigns = 10_000;

/** A snapshot that arrived during an await (a property read TypeScript would narrow away). */
const pendingOf = (slot: Slot): DesignSnapshot | undefined => slot.pending;

/** Where the newest committed state of a design is read (see `fresh` below). */
export type FreshSnapshots = {
  version(designId: string): Promise<number | undefined>;
  snapshot(designId: string): Promise<DesignSnapshot | undefined>;
};

export function freshSnapshotsFrom(db: Kysely<Database>): FreshSnapshots {
  return {
    version: (designId) => findDesignVersion(db, designId),
    snapshot: (designId) => loadSnapshot(db, designId),
  };
}

/**
 * One delivery at a time per design, at most one per `intervalMs`: a burst of view completions becomes
 * one chat edit showing all of them. Only the newest snapshot waits; an older one arriving late is
 * dropped (by version), and the newest snapshot is always delivered.
 *
 * With `fresh`, the same holds across processes: each delivery sends the state as committed just
 * before it, and after it checks that nothing newer was committed meanwhile. Another process may
 * have shown that newer state first and been overwritten by ours; then ours is sent again. The last
 * message to reach the platform is therefore always followed by a check, so it cannot stay stale.
 */
export class CoalescingNotifier implements Notifier {
  private readonly slots = new Map<string, Slot>();

  constructor(
    private readonly inner: Notifier,
    private readonly options: {
      intervalMs: number;
      logger?: Logger | undefined;
      /** The first pause before a failed delivery is tried again; it doubles each time. */
      redeliveryMs?: number;
      fresh?: FreshSnapshots | undefined;
    },
  ) {}

  notify(design: DesignSnapshot): Promise<void> {
    let slot = this.slots.get(design.id);
    if (!slot) {
      slot = {
        pending: undefined,
        running: undefined,
        lastSentAt: 0,
        deliveredVersion: -1,
        failures: 0,
        retryAt: 0,
      };
      this.slots.set(design.id, slot);
      this.forgetIdle();
    }
    if (design.version <= slot.deliveredVersion) return slot.running ?? Promise.resolve();
    if (!slot.pending || slot.pending.version < design.version) slot.pending = design;
    slot.running ??= this.drain(design.id, slot);
    return slot.running;
  }

  /**
   * Delivers `design` even if its version went out before, in order with everything else for that
   * design: for a card posted just now, whose earlier deliveries found no message to edit.
   */
  redeliver(design: DesignSnapshot): Promise<void> {
    const slot = this.slots.get(design.id);
    if (slot && slot.deliveredVersion >= design.version) slot.deliveredVersion = design.version - 1;
    // A waiting snapshot of the same version was loaded before the card was recorded: it knows no
    // message to edit, so this one (which does) takes its place.
    if (slot?.pending && slot.pending.version <= design.version) slot.pending = design;
    return this.notify(design);
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
      const wait = Math.max(slot.lastSentAt + this.options.intervalMs, slot.retryAt) - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      let snapshot = slot.pending;
      slot.pending = undefined;
      slot.lastSentAt = Date.now();
      try {
        snapshot = await this.newest(snapshot);
        slot.deliveredVersion = Math.max(slot.deliveredVersion, snapshot.version);
        await this.inner.notify(snapshot);
        slot.failures = 0;
        slot.retryAt = 0;
        const committed = await this.options.fresh?.version(designId);
        if (committed !== undefined && committed > snapshot.version && !pendingOf(slot)) {
          const newer = await this.options.fresh?.snapshot(designId);
          if (newer) slot.pending = newer;
        }
      } catch (error) {
        // Every update re-renders the card whole, so a newer snapshot heals it; without one, this one
        // is tried again a few times.
        slot.failures += 1;
        const newer = pendingOf(slot);
        const retry = slot.failures <= maxRedeliveries && !newer;
        this.options.logger?.warn(
          { err: error, designId, version: snapshot.version, failures: slot.failures, retry },
          'notifying a design failed',
        );
        if (retry) {
          slot.pending = snapshot;
          const base = this.options.redeliveryMs ?? defaultRedeliveryMs;
          slot.retryAt = Date.now() + base * 2 ** (slot.failures - 1);
        } else if (!newer) slot.failures = 0;
      }
    }
    slot.running = undefined;
  }

  /** The snapshot as committed now, if it moved on since `snapshot` was loaded. */
  private async newest(snapshot: DesignSnapshot): Promise<DesignSnapshot> {
    if (!this.options.fresh) return snapshot;
    const committed = await this.options.fresh.version(snapshot.id);
    if (committed === undefined || committed <= snapshot.version) return snapshot;
    return (await this.options.fresh.snapshot(snapshot.id)) ?? snapshot;
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
