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
    // A scrape before any design: later scrapes add up only what the journal gained since.
    expect(await metric(/^facet_credits_total\{operation="capture"\} (\d+)$/m)).toBeUndefined();
    expect(await metric(/^facet_designs\{state="awaiting_approval"\} (\d+)$/m)).toBe(0);
    await api('command', { userId: 'ben', text: '/design an espresso machine', requestId: 'm1' });
    const design = async () =>
      (await test.db.selectFrom('designs').select(['id', 'state']).executeTakeFirst()) ?? {
        id: '',
        state: '',
      };
    await expect.poll(async () => (await design()).state, { timeout: 20_000 }).toBe('awaiting_approval');
    expect(await metric(/^facet_designs\{state="awaiting_approval"\} (\d+)$/m)).toBe(1);
    expect(await metric(/^facet_credits_total\{operation="reserve"\} (\d+)$/m)).toBe(3);
    await api('action', { userId: 'ben', actionId: `facet1:approve:${(await design()).id}:1` });
    await expect.poll(async () => (await design()).state, { timeout: 20_000 }).toBe('completed');

    const response = await fetch(`${facet.url}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    // Only unfinished designs are counted by state; finished ones are facet_designs_finished_total.
    expect(await metric(/^facet_designs\{state="generating_views"\} (\d+)$/m)).toBe(0);
    expect(await metric(/^facet_designs\{state="completed"\} (\d+)$/m)).toBeUndefined();
    expect(await metric(/^facet_credits_total\{operation="capture"\} (\d+)$/m)).toBe(3);
    expect(await metric(/^facet_credits_total\{operation="reserve"\} (\d+)$/m)).toBe(3);
    expect(await metric(/^facet_model_seconds_count\{model="offline",outcome="ok"\} (\d+)$/m)).toBe(5);
    // Every model call by provider, model, purpose and outcome: the offline renderer and palette reader.
    const calls = (purpose: string, model: string) =>
      metric(
        new RegExp(
          `^facet_model_calls_total\\{provider="offline",model="${model}",purpose="${purpose}",outcome="ok"\\} (\\d+)$`,
          'm',
        ),
      );
    expect(await calls('front', 'offline-renderer')).toBe(1);
    expect(await calls('view', 'offline-renderer')).toBe(4);
    expect(await calls('features', 'offline-palette')).toBe(1);
    expect(await metric(/^facet_model_call_seconds_count\{provider="offline",purpose="view"\} (\d+)$/m)).toBe(
      4,
    );
    // The offline models cost nothing.
    expect(
      await metric(/^facet_model_cost_usd_total\{provider="offline",model="offline-renderer"\} (\d+)$/m),
    ).toBe(0);
    expect(await metric(/^facet_phase_seconds_count\{phase="front"\} (\d+)$/m)).toBe(1);
    expect(await metric(/^facet_phase_seconds_count\{phase="views"\} (\d+)$/m)).toBe(1);
    // It started at once (no line): one wait of 0 s, in the smallest bucket.
    expect(await metric(/^facet_phase_seconds_count\{phase="line"\} (\d+)$/m)).toBe(1);
    expect(await metric(/^facet_phase_seconds_bucket\{le="1",phase="line"\} (\d+)$/m)).toBe(1);
    expect(await metric(/^facet_designs_finished_total\{state="completed"\} (\d+)$/m)).toBe(1);
    expect(await metric(/^facet_jobs\{state="failed"\} (\d+)$/m)).toBe(0);
    expect(await metric(/^facet_process_resident_memory_bytes (\d+)$/m)).toBeGreaterThan(0);
  });

  it('is served on a port of its own when asked, and only to a scrape with the token', async () => {
    const token = 'metrics-token-0123456789';
    const guarded = await startFacet(
      loadConfig({
        PORT: '0',
        DATABASE_URL: test.url,
        FACET_DATA_DIR: `${dataDir}-guarded`,
        LOG_LEVEL: 'silent',
        FACET_METRICS_PORT: '0',
        FACET_METRICS_TOKEN: token,
      }),
      silentLogger,
    );
    try {
      expect(guarded.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${guarded.url}/metrics`)).status).toBe(404);
      const scrape = (authorization?: string) =>
        fetch(`${guarded.metricsUrl}/metrics`, authorization ? { headers: { authorization } } : {});
      expect((await scrape()).status).toBe(401);
      expect((await scrape(`Bearer ${token}x`)).status).toBe(401);
      expect((await scrape(`Basic ${token}`)).status).toBe(401);
      const scraped = await scrape(`Bearer ${token}`);
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toMatch(/^facet_designs\{state="queued"\} 0$/m);
      expect((await fetch(`${guarded.metricsUrl}/healthz`)).status).toBe(404);
    } finally {
      await guarded.close();
      await rm(`${dataDir}-guarded`, { recursive: true, force: true });
    }
  });
});
