import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { startFacet, type FacetHandle } from '../../src/main.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { silentLogger } from '../workflow/workflow-harness.ts';

/** Issue 14, item 5, on the playground: "Edit back view" opens the form; an empty one redraws the view. */
describe('playground: editing one view', () => {
  let test: TestDatabase;
  let facet: FacetHandle;
  const dataDir = path.join(tmpdir(), `facet-playground-view-edit-${process.pid}`);

  beforeAll(async () => {
    test = await createTestDatabase('playground_view_edit');
    facet = await startFacet(
      loadConfig({ PORT: '0', DATABASE_URL: test.url, FACET_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }),
      silentLogger,
    );
  });

  afterAll(async () => {
    await facet.close();
    await test.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const post = async (endpoint: string, body: unknown) =>
    (await (
      await fetch(`${facet.url}/playground/api/${endpoint}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    ).json()) as { reply?: string; modal?: Record<string, unknown>; error?: string };
  const design = async () =>
    (await test.db.selectFrom('designs').select(['id', 'state', 'round']).executeTakeFirst()) ?? {
      id: '',
      state: '',
      round: 0,
    };

  it('opens the form first, and redraws the view once it comes back (empty is fine)', async () => {
    await post('command', { userId: 'ben', text: '/design a linen lampshade', requestId: 'v1' });
    await expect.poll(async () => (await design()).state, { timeout: 20_000 }).toBe('awaiting_approval');
    const { id } = await design();
    await post('action', { userId: 'ben', actionId: `facet1:approve:${id}:1` });
    await expect.poll(async () => (await design()).state, { timeout: 20_000 }).toBe('completed');

    const opened = await post('action', { userId: 'ben', actionId: `facet1:edit_view:${id}:back` });
    expect(opened.modal).toEqual({ form: 'view_edit', designId: id, view: 'back' });
    expect((await design()).round).toBe(1);
    const refused = await post('action', { userId: 'cyd', actionId: `facet1:edit_view:${id}:back` });
    expect(refused.modal).toBeUndefined();
    expect(refused.reply).toMatch(/Only the person who asked for this design/);

    const tooLong = await post('feedback', {
      userId: 'ben',
      designId: id,
      view: 'back',
      feedback: 'x'.repeat(1001),
    });
    expect(tooLong.error).toMatch(/Keep it to 1000 characters/);
    await post('feedback', { userId: 'ben', designId: id, view: 'back', feedback: '' });
    await expect
      .poll(async () => `${(await design()).state} ${(await design()).round}`, { timeout: 20_000 })
      .toBe('completed 2');
  });
});
