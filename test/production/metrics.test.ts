import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { startFacet, type FacetHandle } from '../../src/main.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { silentLogger } from '../workflow/workflow-harness.ts';

/** /readyz and /metrics of a running Facet, after one design went all the way through the playground. */
describe('health and metrics', () => {
  let test: TestDatabase;
  let facet: FacetHandle;
  const dataDir = path.join(tmpdir(), `facet-metrics-${process.pid}`);

  beforeAll(async () => {
    test = await createTestDatabase('metrics');
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

  const api = (endpoint: string, body: unknown) =>
    fetch(`${facet.url}/playground/api/${endpoint}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const metric = async (pattern: RegExp) => {
    const text = await (await fetch(`${facet.url}/metrics`)).text();
    const match = pattern.exec(text);
    return match ? Number(match[1]) : undefined;
  };

  it('is ready, and counts designs, credits, model calls, phases and jobs', async () => {
    expect(await (await fetch(`${facet.url}/readyz`)).json()).toEqual({ status: 'ready' });
    await api('command', { userId: 'ben', text: '/design an espresso machine', requestId: 'm1' });
    const design = async () =>
      (await test.db.selectFrom('designs').select(['id', 'state']).executeTakeFirst()) ?? {
        id: '',
        state: '',
      };
    await expect.poll(async () => (await design()).state, { timeout: 20_000 }).toBe('awaiting_approval');
    await api('action', { userId: 'ben', actionId: `facet1:approve:${(await design()).id}:1` });
    await expect.poll(async () => (await design()).state, { timeout: 20_000 }).toBe('completed');

    const response = await fetch(`${facet.url}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(await metric(/^facet_designs\{state="completed"\} (\d+)$/m)).toBe(1);
    expect(await metric(/^facet_credits_total\{operation="capture"\} (\d+)$/m)).toBe(3);
    expect(await metric(/^facet_credits_total\{operation="reserve"\} (\d+)$/m)).toBe(3);
    expect(await metric(/^facet_model_seconds_count\{model="offline",outcome="ok"\} (\d+)$/m)).toBe(5);
    expect(await metric(/^facet_phase_seconds_count\{phase="front"\} (\d+)$/m)).toBe(1);
    expect(await metric(/^facet_phase_seconds_count\{phase="views"\} (\d+)$/m)).toBe(1);
    // It started at once (no line): one wait of 0 s, in the smallest bucket.
    expect(await metric(/^facet_phase_seconds_count\{phase="line"\} (\d+)$/m)).toBe(1);
    expect(await metric(/^facet_phase_seconds_bucket\{le="1",phase="line"\} (\d+)$/m)).toBe(1);
    expect(await metric(/^facet_designs_finished_total\{state="completed"\} (\d+)$/m)).toBe(1);
    expect(await metric(/^facet_jobs\{state="failed"\} (\d+)$/m)).toBe(0);
    expect(await metric(/^facet_process_resident_memory_bytes (\d+)$/m)).toBeGreaterThan(0);
  });
});
