import { request as httpRequest } from 'node:http';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { startFacet, type FacetHandle } from '../../src/main.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { silentLogger } from '../workflow/workflow-harness.ts';

type Answer = { status: number; body: string };

/** Issue 17: DNS rebinding, request ids shared between people, and a reused grant id. */
describe('playground hardening', () => {
  let test: TestDatabase;
  let facet: FacetHandle;
  let port: number;
  const dataDir = path.join(tmpdir(), `facet-playground-hardening-${process.pid}`);

  beforeAll(async () => {
    test = await createTestDatabase('playground_hardening');
    facet = await startFacet(
      loadConfig({
        PORT: '0',
        DATABASE_URL: test.url,
        FACET_DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
        PUBLIC_URL: 'https://facet.example.com',
      }),
      silentLogger,
    );
    port = Number(new URL(facet.url).port);
  });

  afterAll(async () => {
    await facet.close();
    await test.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** A request with the Host (and Origin) a browser would send for a page at `host`. */
  function send(method: string, pathname: string, host: string, body?: unknown): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const request = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method,
          path: pathname,
          headers: {
            host,
            origin: `http://${host}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
        },
        (response) => {
          // The event stream never ends: its status is the answer.
          if (response.headers['content-type']?.startsWith('text/event-stream')) {
            response.destroy();
            return resolve({ status: response.statusCode ?? 0, body: '' });
          }
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
        },
      );
      request.on('error', reject);
      request.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  const balanceOf = async (user: string) =>
    (
      await test.db
        .selectFrom('credit_accounts')
        .select(['posted_credits'])
        .where('user_id', '=', user)
        .executeTakeFirst()
    )?.posted_credits;

  it('answers only requests addressed to the loopback or PUBLIC_URL (DNS rebinding)', async () => {
    const evil = `evil.example:${port}`;
    const grant = { userId: 'ada', text: '/design grant @cyd 7', requestId: 'rebind' };
    expect(await send('POST', '/playground/api/command', evil, grant)).toMatchObject({ status: 421 });
    expect(await send('GET', '/playground/api/users', evil)).toMatchObject({ status: 421 });
    expect(await send('GET', '/playground/api/events', evil)).toMatchObject({ status: 421 });
    expect(await send('GET', '/playground/api/designs', evil)).toMatchObject({ status: 421 });
    expect(await send('GET', '/', evil)).toMatchObject({ status: 421 });
    // The right name on another port is another origin too.
    expect(await send('GET', '/playground/api/users', `127.0.0.1:${port + 1}`)).toMatchObject({
      status: 421,
    });
    expect(await balanceOf('cyd')).toBeUndefined();

    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, 'facet.example.com']) {
      expect((await send('GET', '/playground/api/users', host)).status, host).toBe(200);
      expect((await send('GET', '/playground/api/events', host)).status, host).toBe(200);
    }
    const granted = await send('POST', '/playground/api/command', `localhost:${port}`, grant);
    expect(granted.status).toBe(200);
    expect(await balanceOf('cyd')).toBe(17);
  });

  const command = (userId: string, text: string, requestId: string) =>
    send('POST', '/playground/api/command', `127.0.0.1:${port}`, { userId, text, requestId });

  it("a request id is each person's own: the same id from someone else starts their design", async () => {
    expect((await command('ben', '/design a walnut desk lamp', 'same-id')).status).toBe(200);
    expect((await command('ada', '/design a brass door handle', 'same-id')).status).toBe(200);
    const designs = await test.db
      .selectFrom('designs')
      .select(['requester_id', 'prompt'])
      .where('prompt', 'in', ['a walnut desk lamp', 'a brass door handle'])
      .orderBy('requester_id')
      .execute();
    expect(designs).toEqual([
      { requester_id: 'ada', prompt: 'a brass door handle' },
      { requester_id: 'ben', prompt: 'a walnut desk lamp' },
    ]);
    // The same person's id again for another prompt starts nothing, and says so.
    const reused = await command('ben', '/design a copper kettle', 'same-id');
    expect(reused.status).toBe(200);
    expect(reused.body).toMatch(/already used to start another design, so nothing new was started/);
    const kettles = await test.db
      .selectFrom('designs')
      .select('id')
      .where('prompt', '=', 'a copper kettle')
      .execute();
    expect(kettles).toEqual([]);
  });

  it('a grant id reused with another amount is refused clearly, not a 500', async () => {
    expect((await command('ada', '/design grant @ben 2', 'grant-id')).body).toMatch(/Granted 2 credits/);
    const reused = await command('ada', '/design grant @ben 3', 'grant-id');
    expect(reused.status).toBe(200);
    expect(reused.body).toMatch(/already used for a different grant, so nothing was granted/);
    const again = await command('ada', '/design grant @ben 2', 'grant-id');
    expect(again.body).toMatch(/Already granted/);
    expect(await balanceOf('ben')).toBe(12);
  });

  it('answers an over-long feedback by its limit, not as a request it did not understand', async () => {
    const answer = await send('POST', '/playground/api/feedback', `127.0.0.1:${port}`, {
      userId: 'ben',
      designId: '3f2a8c1e-0000-4000-8000-000000000001',
      iteration: 1,
      feedback: 'x'.repeat(10_001),
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatch(/Keep it to 1000 characters or fewer \(this is 10001\)/);
  });
});
