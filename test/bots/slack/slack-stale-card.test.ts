import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkflow } from '../../../src/workflow/workflow.ts';
import { InProcessJobQueue } from '../../../src/workflow/jobs/in-process-job-queue.ts';
import { OfflineImageModel } from '../../../src/ai/offline/offline-image-model.ts';
import { OfflineFeatureExtractor } from '../../../src/ai/offline/offline-feature-extractor.ts';
import { actor, inState, silentLogger, waitFor } from '../../workflow/workflow-harness.ts';
import { startSlackKit, type SlackKit } from './slack-kit.ts';

/** A process that commits a change and dies before updating the card: the reconciler shows it. */
describe('a card left behind by a process that died', () => {
  let kit: SlackKit;
  beforeAll(async () => {
    kit = await startSlackKit('slack_stale_card', { publicImages: true });
  });
  afterAll(() => kit.close());

  it('is brought up to date by the next reconcile', async () => {
    await kit.post(kit.command('an oak plant stand', 'U-stale'));
    const designId = await kit.designOf('U-stale');
    await waitFor(kit.h.workflow, designId, inState('awaiting_approval'));
    await kit.waitForButton(/^Approve\b/);
    // Everything shown: the kit's own card updates re-check the version after sending, so one still in
    // flight would show the change below by itself.
    await waitFor(kit.h.workflow, designId, (d) => d.iterations[0]!.features !== null);
    const shownNow = () =>
      kit.h.test.db
        .selectFrom('designs')
        .select(['version', 'shown_version'])
        .where('id', '=', designId)
        .executeTakeFirstOrThrow();
    await expect
      .poll(async () => {
        const row = await shownNow();
        return row.shown_version === row.version;
      })
      .toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The "dead" process: the same database, no chat platform, so its change is never shown.
    const silent = createWorkflow({
      db: kit.h.test.db,
      ledger: kit.h.ledger,
      jobs: new InProcessJobQueue({ logger: silentLogger }),
      model: new OfflineImageModel(),
      extractor: new OfflineFeatureExtractor(),
      images: kit.h.images,
      notifier: { notify: () => Promise.resolve() },
      clock: () => new Date(),
      holdTtlMs: 3_600_000,
      logger: silentLogger,
      reconcileEveryMs: 0,
    });
    const cancelled = await silent.service.cancel({ designId, actor: actor('U-stale') });
    expect(cancelled).toMatchObject({ ok: true, design: { state: 'cancelled' } });
    await silent.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(JSON.stringify(kit.lastCard().args.blocks)).not.toContain('Cancelled');

    // A few seconds are left for the usual path; this change is older than that.
    await sql`update designs set updated_at = updated_at - interval '30 seconds' where id = ${designId}`.execute(
      kit.h.test.db,
    );
    await kit.h.workflow.reconcile();
    await expect
      .poll(() => JSON.stringify(kit.lastCard().args.blocks), { timeout: 5_000 })
      .toContain('Cancelled');
    // The notifier records what it showed once Slack has answered the update: just after the card changes.
    await expect
      .poll(async () => {
        const row = await shownNow();
        return row.shown_version === row.version;
      })
      .toBe(true);
  });
});
