import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../storage/schema.ts';
import { loadSnapshot, type DesignSnapshot } from './design-snapshot.ts';
import type { Notifier } from './ports/notifier.ts';

type Slot = { again: boolean };

/** Designs whose last delivered version is remembered, so a slow, older load never follows a newer one. */
const rememberedDesigns = 10_000;

/**
 * Turns "design X changed" into notifier calls. A snapshot is several reads, and a burst of view
 * completions would otherwise load one per change: here at most one load per design is in flight, and
 * changes that land meanwhile cause exactly one more, so the newest state is always delivered and the
 * notifier never sees a version older than one it was already given.
 */
export class SnapshotPublisher {
  private readonly loading = new Map<string, Slot>();
  private readonly delivered = new Map<string, number>();
  private readonly drains = new Set<Promise<void>>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly notifier: Notifier,
    private readonly logger: Logger,
  ) {}

  /** Coalesced and in the background: for jobs, which do not answer anyone. */
  publish(designId: string): void {
    const slot = this.loading.get(designId);
    if (slot) {
      slot.again = true;
      return;
    }
    const fresh: Slot = { again: true };
    this.loading.set(designId, fresh);
    const drain = this.drain(designId, fresh).finally(() => {
      this.loading.delete(designId);
      this.drains.delete(drain);
    });
    this.drains.add(drain);
  }

  /** Loaded now, delivered, and returned: for commands, whose answer is the snapshot. */
  async publishNow(designId: string): Promise<DesignSnapshot | undefined> {
    const design = await loadSnapshot(this.db, designId);
    if (design) this.deliver(design);
    return design;
  }

  /** Resolves once every pending change has been loaded and handed to the notifier (tests, shutdown). */
  async flush(): Promise<void> {
    while (this.drains.size > 0) await Promise.all([...this.drains]);
  }

  private async drain(designId: string, slot: Slot): Promise<void> {
    while (slot.again) {
      slot.again = false;
      try {
        const design = await loadSnapshot(this.db, designId);
        if (design) this.deliver(design);
      } catch (error) {
        // The next change, or the reconciler's, publishes again; a card is re-rendered whole each time.
        this.logger.warn({ err: error, designId }, 'loading a design to show it failed');
      }
    }
  }

  private deliver(design: DesignSnapshot): void {
    if ((this.delivered.get(design.id) ?? -1) >= design.version) return;
    this.delivered.delete(design.id);
    this.delivered.set(design.id, design.version);
    if (this.delivered.size > rememberedDesigns) {
      const oldest = this.delivered.keys().next().value;
      if (oldest !== undefined) this.delivered.delete(oldest);
    }
    this.notifier.notify(design).catch((error: unknown) => {
      this.logger.warn({ err: error, designId: design.id }, 'notifying a design failed');
    });
  }
}
