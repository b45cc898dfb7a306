import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DesignSnapshot } from '../../../src/workflow/design-snapshot.ts';
import type { WorkflowOutcome } from '../../../src/workflow/workflow-outcome.ts';
import { actor, createHarness, inState, waitFor, type Harness } from '../workflow-harness.ts';

function designOf(outcome: WorkflowOutcome): DesignSnapshot {
  if (!outcome.ok) throw new Error(`refused: ${outcome.reason}`);
  return outcome.design;
}

/**
 * Sheets wait for the critical-path jobs of their process (critical-path-gate.ts), but a view job that
 * only waits on the image model is not busy: under steady load such jobs are always in flight, and the
 * sheets used to wait their full 15 s each (bench:load: ~6 designs' sheets a minute at 300 designs a minute).
 */
describe('sheets while other designs wait on the image model', () => {
  let h: Harness;
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));

  beforeAll(async () => {
    h = await createHarness('sheets_while_views_wait');
  });
  afterAll(async () => {
    release();
    await h.close();
  });

  const startAndWait = async (userId: string, prompt: string) => {
    const design = designOf(
      await h.workflow.service.start({ workspaceId: h.workspaceId, actor: actor(userId), prompt }),
    );
    await waitFor(h.workflow, design.id, inState('awaiting_approval'));
    return design;
  };
  const approve = async (design: DesignSnapshot, userId: string) =>
    designOf(await h.workflow.service.approve({ designId: design.id, actor: actor(userId), iteration: 1 }));

  it("draws a design's sheets while another design's views wait on the model", async () => {
    const waiting = await startAndWait('U-waiting', 'a teapot whose views the model is slow to draw');
    const done = await startAndWait('U-done', 'a desk lamp in brushed brass');
    // From now on the teapot's view requests wait until the test lets them go.
    h.gemini.setLatency((request) => (request.texts.join(' ').includes('teapot') ? held : 0));
    await approve(waiting, 'U-waiting');
    await approve(done, 'U-done');
    await waitFor(h.workflow, done.id, inState('completed'));
    const started = Date.now();
    const sheets = await waitFor(h.workflow, done.id, (d) => d.revision?.contactSheetKey != null);
    // Without the model waits counted apart, the sheets waited 15 s for the teapot's views.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(sheets.revision?.specSheetKey).toBeTruthy();
    expect((await h.workflow.service.snapshot(waiting.id))?.state).toBe('generating_views');
    release();
    await waitFor(h.workflow, waiting.id, inState('completed'));
  });
});
