import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { startFacet, type FacetHandle } from '../../src/main.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { silentLogger } from '../workflow/workflow-harness.ts';

/** The limits as configured for `facet start`: one design generating per person, six requests a minute. */
describe('fairness limits from the configuration (playground)', () => {
  let test: TestDatabase;
  let facet: FacetHandle;
  const dataDir = path.join(tmpdir(), `facet-playground-limits-${process.pid}`);

  beforeAll(async () => {
    test = await createTestDatabase('playground_limits');
    facet = await startFacet(
      loadConfig({
        PORT: '0',
        DATABASE_URL: test.url,
        FACET_DATA_DIR: dataDir,
        FACET_MAX_GENERATING_PER_USER: '1',
        FACET_RATE_LIMIT: '6',
        FACET_STARTER_CREDITS: '20',
        LOG_LEVEL: 'silent',
      }),
      silentLogger,
    );
  });

  afterAll(async () => {
    await facet.close();
    await test.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const command = async (userId: string, text: string) => {
    const response = await fetch(`${facet.url}/playground/api/command`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId, text, requestId: `${userId}-${Math.random()}` }),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { reply?: string };
  };

  it('starts a person’s second design only once their first front view is done', async () => {
    await command('ben', '/design a folding bicycle');
    await command('ben', '/design a folding scooter');
    const rows = () =>
      test.db
        .selectFrom('designs')
        .innerJoin('design_iterations', 'design_iterations.design_id', 'designs.id')
        .select(['designs.prompt', 'designs.state', 'designs.admitted_at', 'design_iterations.completed_at'])
        .where('designs.requester_id', '=', 'ben')
        .orderBy('designs.created_at')
        .execute();
    await expect
      .poll(async () => (await rows()).map((row) => row.state), { timeout: 20_000 })
      .toEqual(['awaiting_approval', 'awaiting_approval']);
    const [first, second] = await rows();
    expect(second!.admitted_at!.getTime()).toBeGreaterThanOrEqual(first!.completed_at!.getTime());
  });

  it('asks a person over six requests a minute to slow down, and starts nothing for them', async () => {
    // All seven requests in one minute's window.
    while (Date.now() % 60_000 > 45_000) await new Promise((resolve) => setTimeout(resolve, 500));
    for (let i = 0; i < 6; i += 1)
      expect((await command('cyd', '/design help')).reply).toMatch(/Facet designs/);
    const seventh = await command('cyd', '/design a pocket radio');
    expect(seventh.reply).toMatch(
      /You're going a little fast: Facet takes up to 6 commands and clicks a minute/,
    );
    const cyds = await test.db.selectFrom('designs').select('id').where('requester_id', '=', 'cyd').execute();
    expect(cyds).toHaveLength(0);
    // Someone else is not slowed down.
    expect((await command('ada', '/design help')).reply).toMatch(/Facet designs/);
  });
});
