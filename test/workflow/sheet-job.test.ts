import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalImageStore } from '../../src/storage/images/local-image-store.ts';
import type { ImageStore } from '../../src/workflow/ports/image-store.ts';
import { actor, createHarness, inState, waitFor, type Harness } from './workflow-harness.ts';

/** A store whose disk refuses spec sheets, and only them: the contact sheet is still made. */
function refusingSpecSheets(store: ImageStore): ImageStore {
  return {
    name: store.name,
    put: (key, png) =>
      key.includes('/spec-sheet.') ? Promise.reject(new Error('disk full')) : store.put(key, png),
    get: (key) => store.get(key),
    url: (key, options) => store.url(key, options),
  };
}

describe('sheet job when the spec sheet cannot be made', () => {
  let h: Harness;
  let dir: string;
  const logged: { level: number; msg: string; designId?: string }[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'facet-sheet-job-'));
    const local = new LocalImageStore({ dir, publicUrl: 'http://127.0.0.1:9', secret: 'test-secret' });
    const logger = pino(
      { level: 'warn' },
      { write: (line: string) => logged.push(JSON.parse(line) as (typeof logged)[number]) },
    );
    h = await createHarness('sheet_job', { images: refusingSpecSheets(local), workflow: { logger } });
  });
  afterAll(async () => {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('leaves the design complete with its contact sheet and no spec sheet, logged once it gives up', async () => {
    const started = await h.workflow.service.start({
      workspaceId: h.workspaceId,
      actor: actor('U-full'),
      prompt: 'a folding step stool',
    });
    if (!started.ok) throw new Error(started.reason);
    const id = started.design.id;
    await waitFor(h.workflow, id, inState('awaiting_approval'));
    await h.workflow.service.approve({ designId: id, actor: actor('U-full'), iteration: 1 });
    const done = await waitFor(h.workflow, id, (d) => d.revision?.contactSheetKey != null);
    expect(done.state).toBe('completed');
    expect(done.revision!.specSheetKey).toBeNull();
    expect(done.charged).toBe(3);
    // Retried while attempts were left (the harness's queue makes 4), then given up on, with the reason.
    const about = logged.filter((line) => line.designId === id);
    expect(about.filter((line) => line.msg === 'spec sheet failed')).toHaveLength(3);
    expect(about.filter((line) => line.level === 50).map((line) => line.msg)).toEqual([
      'the spec sheet could not be made; the design stays without one',
    ]);
    // The reconciler does not try it again: the round has its contact sheet.
    expect(await h.workflow.reconcile()).toBe(0);
  });
});
