import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import type { Database } from '../../storage/schema.ts';
import { decide } from '../machine/decide.ts';
import {
  admitDesigns,
  bumpWaitingDesigns,
  countGeneratingByRequester,
  listWaitingDesigns,
  listWorkspacesWithLine,
  lockWorkspace,
} from '../store/admission-statements.ts';
import { chooseAdmissions, type GeneratingCaps } from './choose-admissions.ts';

export type AdmittedDesign = { id: string; iteration: number };

type AdmissionDeps = {
  db: Kysely<Database>;
  caps: GeneratingCaps;
  clock: Clock;
  logger: Logger;
  /** Queues an admitted design's front view and shows it. */
  started(design: AdmittedDesign): Promise<void>;
  /** Shows a design still waiting: its place in line changed. */
  moved(designId: string): void;
};

// Cards of designs further back are refreshed when they come this close; a long line would otherwise
// mean an edit of every card each time one design starts.
const refreshedPlaces = 25;

/**
 * The line in front of the image model: designs wait (state `queued`) while their workspace or their
 * requester has as many designs generating as the caps allow, and start oldest first as slots free.
 * Every admission locks the workspace row, so two processes freeing slots at once cannot both fill
 * the same one.
 */
export class DesignAdmission {
  constructor(private readonly deps: AdmissionDeps) {}

  private get uncapped(): boolean {
    return this.deps.caps.perWorkspace === Infinity && this.deps.caps.perUser === Infinity;
  }

  /**
   * Admits what fits now that `designId` has joined the line, inside the transaction that created it.
   * The caller queues the front views of what was admitted once it has committed.
   */
  async admitNew(trx: Kysely<Database>, workspaceId: string, designId: string): Promise<AdmittedDesign[]> {
    // Without caps a new design starts at once whatever else runs, so a burst of new designs need not
    // queue on the workspace lock. (Designs left waiting from when there were caps start at the
    // reconciler's next pass, or when a slot frees.)
    if (this.uncapped) return this.admit(trx, [designId]);
    // Locked until commit: the caps are counted and filled one new design at a time.
    await lockWorkspace(trx, workspaceId);
    return this.admitWithin(trx, workspaceId);
  }

  /** Admits what fits, inside a transaction that already holds the workspace row (`lockWorkspace`). */
  private async admitWithin(trx: Kysely<Database>, workspaceId: string): Promise<AdmittedDesign[]> {
    // Without caps nothing needs counting: every waiting design is admitted.
    const uncapped = this.uncapped;
    const [waiting, generating] = await Promise.all([
      listWaitingDesigns(trx, workspaceId),
      uncapped ? [] : countGeneratingByRequester(trx, workspaceId),
    ]);
    if (waiting.length === 0) return [];
    const byUser = new Map(generating.map((row) => [row.requester_id, Number(row.count)]));
    return this.admit(trx, chooseAdmissions(waiting, byUser, this.deps.caps));
  }

  private async admit(trx: Kysely<Database>, chosen: readonly string[]): Promise<AdmittedDesign[]> {
    if (chosen.length === 0) return [];
    // Decided by the machine like every other transition; `queued` in the where clause is the CAS.
    const next = decide(
      {
        state: 'queued',
        iteration: 1,
        requesterId: '',
        failedPhase: null,
        policy: { approverGroup: null, requestersApprove: null },
        candidates: 1,
        picked: null,
      },
      { type: 'admit' },
    );
    if (!next.ok) throw new Error('the machine refused to admit a waiting design');
    const now = this.deps.clock();
    return admitDesigns(trx, { designIds: chosen, next: next.next, now });
  }

  /**
   * After a slot was freed: starts whatever now fits. `refresh` re-shows the waiting cards even when
   * nothing started (one left the line). Never throws: the reconciler tries again.
   */
  async admitWaiting(workspaceId: string, options: { refresh?: boolean } = {}): Promise<number> {
    try {
      // Not looked for before the lock: a design being created now holds it until it commits, and read
      // before that commit it would be missed (it counted this slot as taken, so nobody would start it).
      const admitted = await this.deps.db.transaction().execute(async (trx) => {
        await lockWorkspace(trx, workspaceId);
        return this.admitWithin(trx, workspaceId);
      });
      await this.afterCommit(workspaceId, admitted, options.refresh ?? false);
      return admitted.length;
    } catch (error) {
      this.deps.logger.warn({ err: error, workspaceId }, 'admitting waiting designs failed; will retry');
      return 0;
    }
  }

  /**
   * After a commit that freed a generating slot or took a design out of the line. Without caps no
   * design waits for a slot (the reconciler starts any left from when there were caps), so there is
   * nothing to look for.
   */
  async lineMoved(workspaceId: string, how: { slotFreed: boolean }): Promise<number> {
    if (this.uncapped) return 0;
    return this.admitWaiting(workspaceId, { refresh: !how.slotFreed });
  }

  /** Every workspace with a line (the reconciler: a slot freed while the database was down). */
  async admitEverywhere(): Promise<number> {
    const workspaces = await listWorkspacesWithLine(this.deps.db);
    let admitted = 0;
    for (const workspaceId of workspaces) admitted += await this.admitWaiting(workspaceId);
    return admitted;
  }

  /** Starts what was admitted and refreshes the places of those still waiting. */
  private async afterCommit(
    workspaceId: string,
    admitted: readonly AdmittedDesign[],
    refresh: boolean,
  ): Promise<void> {
    if (admitted.length === 0 && !refresh) return;
    await Promise.all(admitted.map((design) => this.deps.started(design)));
    // A new place in line is a new version of the card: every platform shows only newer versions.
    const stillWaiting = await bumpWaitingDesigns(this.deps.db, workspaceId, refreshedPlaces);
    for (const id of stillWaiting) this.deps.moved(id);
  }
}
