import { createServer } from 'node:net';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { startFacet } from '../../src/main.ts';
import { startFakeSlack, type FakeSlack } from '../fakes/fake-slack-api.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { silentLogger } from '../workflow/workflow-harness.ts';

/** A port the OS just handed out, free again: the server under test must be reachable while it starts. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Issue 14, item 7: /readyz said ready about a second before /slack/events was served (404 meanwhile,
 * which Slack shows as dispatch_failed during a rolling restart). Ready means every platform is attached.
 */
describe('readiness during start', () => {
  let test: TestDatabase;
  let slack: FakeSlack;
  const dataDir = path.join(tmpdir(), `facet-readiness-${process.pid}`);

  beforeAll(async () => {
    test = await createTestDatabase('readiness');
    slack = await startFakeSlack();
  });

  afterAll(async () => {
    await slack.close();
    await test.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('is not ready until /slack/events is served', async () => {
    // On a quick machine the start can finish between two polls; a lock on the designs table holds it
    // (recovery reads them before the platforms attach) until a poll has seen it starting.
    const locker = new pg.Client({ connectionString: test.url });
    await locker.connect();
    await locker.query('begin');
    await locker.query('lock table designs in access exclusive mode');
    let locked = true;
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const starting = startFacet(
      loadConfig({
        PORT: String(port),
        DATABASE_URL: test.url,
        FACET_DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
        SLACK_BOT_TOKEN: 'xoxb-ready',
        SLACK_SIGNING_SECRET: 'ready-secret',
        SLACK_API_URL: slack.apiUrl,
      }),
      silentLogger,
    );
    const progress = { started: false };
    void starting.then(() => (progress.started = true));
    const seen: string[] = [];
    while (!progress.started) {
      const ready = await fetch(`${base}/readyz`).catch(() => undefined);
      if (ready) {
        const { status } = (await ready.json()) as { status: string };
        seen.push(status);
        if (status === 'starting' && locked) {
          locked = false;
          await locker.query('commit');
        }
        if (ready.status === 200) {
          // Unsigned: a served endpoint refuses it (401); one not mounted yet answers 404.
          const events = await fetch(`${base}/slack/events`, { method: 'POST', body: 'x' });
          expect(events.status).toBe(401);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const facet = await starting;
    if (locked) await locker.query('commit');
    await locker.end();
    try {
      expect(seen).toContain('starting');
      expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready' });
    } finally {
      await facet.close();
    }
  });
});
