import { expect } from 'vitest';
import { InProcessJobQueue } from '../../src/workflow/jobs/in-process-job-queue.ts';
import { silentLogger, type Harness } from './workflow-harness.ts';

/**
 * Runs a completed design's sheet job (sheet:<design>) again, twice at once, each run on a workflow and
 * queue of its own: as when a stalled job is taken over while its first run still works. Its sheets are
 * detached first, as if no run had attached them yet, so both runs render and both try to attach.
 * Returns once both have finished and, with `shownOnCard` (a chat platform behind the harness), once the
 * platform has shown the design's newest version. Other unfinished designs of the harness are resumed too.
 */
export async function rerunSheetJobTwice(
  h: Harness,
  designId: string,
  options: { shownOnCard?: boolean } = {},
): Promise<void> {
  await h.test.db
    .updateTable('revisions')
    .set({ contact_sheet_key: null, spec_sheet_key: null })
    .where('design_id', '=', designId)
    .execute();
  const queues = [0, 1].map(
    () => new InProcessJobQueue({ backoffMs: 20, attempts: 4, logger: silentLogger }),
  );
  // Each worker starts by resuming unfinished designs: both queue the design's sheet job.
  const workflows = await Promise.all(queues.map((jobs) => h.makeWorkflow({ jobs })));
  const sheetsAttached = async () => {
    const revision = await h.test.db
      .selectFrom('revisions')
      .select(['contact_sheet_key', 'spec_sheet_key'])
      .where('design_id', '=', designId)
      .executeTakeFirstOrThrow();
    return revision.contact_sheet_key !== null && revision.spec_sheet_key !== null;
  };
  // Delayed jobs (other designs' expiries) are not waited for: closing the queues drops them.
  const running = async () => {
    const counts = await Promise.all(queues.map((queue) => queue.counts()));
    return counts.some((c) => c.waiting + c.active > 0);
  };
  await expect
    .poll(async () => (await sheetsAttached()) && !(await running()), { timeout: 15_000 })
    .toBe(true);
  await Promise.all(workflows.map((workflow) => workflow.close()));
  if (!options.shownOnCard) return;
  await expect
    .poll(
      async () => {
        const design = await h.test.db
          .selectFrom('designs')
          .select(['version', 'shown_version'])
          .where('id', '=', designId)
          .executeTakeFirstOrThrow();
        return (design.shown_version ?? 0) >= design.version;
      },
      { timeout: 15_000 },
    )
    .toBe(true);
}
