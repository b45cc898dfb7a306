import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { startFacet, type FacetHandle } from '../../src/main.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { silentLogger } from '../workflow/workflow-harness.ts';

/** The playground API answers bad input clearly and changes nothing. */
describe('playground API', () => {
  let test: TestDatabase;
  let facet: FacetHandle;
  const dataDir = path.join(tmpdir(), `facet-playground-api-${process.pid}`);

  beforeAll(async () => {
    test = await createTestDatabase('playground_api');
    facet = await startFacet(
      loadConfig({
        PORT: '0',
        DATABASE_URL: test.url,
        FACET_DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
        FACET_MONTHLY_BUDGET_USD: '25',
      }),
      silentLogger,
    );
  });

  afterAll(async () => {
    await facet.close();
    await test.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const post = async (endpoint: string, body: unknown, raw?: string) => {
    const response = await fetch(`${facet.url}/playground/api/${endpoint}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: raw ?? JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { reply?: string; error?: string } };
  };

  const designCount = async () =>
    Number(
      (await test.db.selectFrom('designs').select(test.db.fn.countAll().as('n')).executeTakeFirstOrThrow()).n,
    );

  it('refuses malformed, oversized, unknown-user and forged requests without changing anything', async () => {
    expect(await post('command', undefined, '{not json')).toMatchObject({
      status: 400,
      body: { reply: expect.stringMatching(/not JSON/) as unknown },
    });
    expect(
      (
        await post(
          'command',
          undefined,
          JSON.stringify({ userId: 'ben', text: 'x'.repeat(40_000), requestId: 'a' }),
        )
      ).status,
    ).toBe(400);
    expect(
      (await post('command', { userId: 'mallory', text: '/design a lamp', requestId: 'b' })).status,
    ).toBe(400);
    expect(
      (await post('action', { userId: 'ben', actionId: 'facet1:approve:not-a-uuid:1' })).body.reply,
    ).toMatch(/not one of ours/);
    expect(
      (
        await post('action', {
          userId: 'ben',
          actionId: 'facet1:cancel:3f2a8c1e-0000-4000-8000-000000000001',
        })
      ).body.reply,
      // The same answer as Slack and Discord give for a design that is not this workspace's.
    ).toMatch(/That design no longer exists/);
    expect(
      (await post('feedback', { userId: 'ben', designId: 'nope', iteration: 1, feedback: 'x' })).status,
    ).toBe(400);
    expect((await fetch(`${facet.url}/playground/api/nothing`)).status).toBe(404);
    // Another website cannot drive the playground: no JSON without a preflight, and no foreign Origin.
    const command = JSON.stringify({ userId: 'ada', text: '/design grant @ben 500', requestId: 'csrf' });
    const plain = await fetch(`${facet.url}/playground/api/command`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: command,
    });
    expect(plain.status).toBe(403);
    const foreign = await fetch(`${facet.url}/playground/api/command`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: command,
    });
    expect(foreign.status).toBe(403);
    expect(await designCount()).toBe(0);
  });

  it('answers usage, help, an over-long prompt, a non-admin grant and a resubmitted command', async () => {
    expect((await post('command', { userId: 'ben', text: 'hello', requestId: 'c' })).body.reply).toMatch(
      /Commands start with `\/design`/,
    );
    expect(
      (await post('command', { userId: 'ben', text: '/design help', requestId: 'd' })).body.reply,
    ).toMatch(/grant @ben 10/);
    expect(
      (await post('command', { userId: 'ben', text: `/design ${'x'.repeat(2001)}`, requestId: 'e' })).body
        .reply,
    ).toMatch(/keep it to 2000/);
    expect(
      (await post('command', { userId: 'ben', text: '/design grant @cyd 5', requestId: 'f' })).body.reply,
    ).toMatch(/Only workspace admins/);
    expect(
      (await post('command', { userId: 'ada', text: '/design grant @cyd 5', requestId: 'g' })).body.reply,
    ).toMatch(/Granted 5 credits to @cyd: they now have 15/);
    const once = { userId: 'cyd', text: '/design a walnut stool', requestId: 'same-submit' };
    expect((await post('command', once)).body).toEqual({});
    expect((await post('command', once)).body).toEqual({});
    expect(await designCount()).toBe(1);
  });

  it('links each card to its design page, which opens with the design on it', async () => {
    const designs = await fetch(`${facet.url}/playground/api/designs`);
    const list = (await designs.json()) as {
      card: { prompt: string; link?: { label: string; url: string } };
    }[];
    const stool = list.find((design) => design.card.prompt === 'a walnut stool');
    expect(stool?.card.link?.label).toBe('Open design page');
    const url = new URL(stool!.card.link!.url);
    expect(url.origin).toBe(new URL(facet.url).origin);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('a walnut stool');
    url.searchParams.set('k', 'forged');
    expect((await fetch(url)).status).toBe(404);
  });

  it("shows admins this month's AI usage against the operator's default budget", async () => {
    expect(
      (await post('command', { userId: 'ben', text: '/design usage', requestId: 'u1' })).body.reply,
    ).toMatch(/Only workspace admins/);
    const usage = (await post('command', { userId: 'ada', text: '/design usage', requestId: 'u2' })).body
      .reply;
    expect(usage).toMatch(/AI usage in \w+ \d{4} \(UTC\)/);
    expect(usage).toMatch(/Monthly AI budget: \$25\.00 \(the operator’s default\), \d+% used/);
  });

  it('lists, for the chosen user only, what waits for their approval and their designs; and /design pending', async () => {
    type Home = {
      waiting: {
        designId: string;
        prompt: string;
        requesterId: string;
        buttons: { id: string; label: string }[];
      }[];
      designs: { prompt: string; state: string; credits: string }[];
      credits: { available: number };
      settings: string | null;
    };
    const home = async (user: string) => {
      const response = await fetch(`${facet.url}/playground/api/home?user=${user}`);
      expect(response.status).toBe(200);
      return (await response.json()) as Home;
    };
    expect((await fetch(`${facet.url}/playground/api/home?user=mallory`)).status).toBe(400);
    // Cyd's walnut stool waits: the playground has no approver group, so she approves her own, as does Ada.
    const stool = (
      await test.db
        .selectFrom('designs')
        .select('id')
        .where('prompt', '=', 'a walnut stool')
        .executeTakeFirstOrThrow()
    ).id;
    await expect
      .poll(
        async () =>
          (
            await test.db
              .selectFrom('designs')
              .select('state')
              .where('id', '=', stool)
              .executeTakeFirstOrThrow()
          ).state,
        { timeout: 20_000 },
      )
      .toBe('awaiting_approval');
    const [cyd, ada, ben] = [await home('cyd'), await home('ada'), await home('ben')];
    expect(cyd.waiting.map((w) => [w.prompt, w.requesterId])).toEqual([['a walnut stool', 'cyd']]);
    // The requester cancels rather than declines her own: Approve only.
    expect(cyd.waiting[0]!.buttons.map((b) => b.label)).toEqual(['Approve (3 credits)']);
    expect(cyd.designs).toEqual([
      expect.objectContaining({
        prompt: 'a walnut stool',
        state: 'waiting for approval',
        credits: '3 credits reserved',
      }),
    ]);
    expect(cyd.settings).toBeNull();
    expect(ada.waiting[0]!.buttons.map((b) => b.label)).toEqual(['Approve (3 credits)', 'Decline']);
    expect(ada.designs).toEqual([]);
    expect(ada.settings).toMatch(/Requesters approve their own designs: yes \(the default\)/);
    // Ben may approve nothing of Cyd's and has no designs.
    expect(ben).toMatchObject({ waiting: [], designs: [], settings: null });

    const pending = (await post('command', { userId: 'ada', text: '/design pending', requestId: 'p1' }))
      .body as {
      reply: string;
      actions: { id: string; label: string }[][];
    };
    expect(pending.reply).toMatch(
      /^Waiting for your approval \(oldest first\)\n1\. a walnut stool by @cyd: iteration 1/,
    );
    expect(pending.actions).toEqual([
      [
        expect.objectContaining({ id: `facet1:approve:${stool}:1`, label: 'Approve #1 (3 credits)' }),
        expect.objectContaining({ id: `facet1:decline:${stool}:1`, label: 'Decline #1' }),
      ],
    ]);
    expect(
      (await post('command', { userId: 'ben', text: '/design pending', requestId: 'p2' })).body.reply,
    ).toBe('Nothing is waiting for your approval.');
  });

  it('lets an admin set the candidates; more than the most is refused, the default drawn and held', async () => {
    const say = async (userId: string, text: string, requestId: string) =>
      (await post('command', { userId, text, requestId })).body.reply ?? '';
    expect(await say('ben', '/design settings candidates 2 3', 'cand-1')).toMatch(/Only workspace admins/);
    expect(await say('ada', '/design settings candidates 3 2', 'cand-2')).toMatch(
      /cannot be more than the most a person may ask for \(2\); nothing was changed/,
    );
    expect(await say('ada', '/design settings candidates 2 3', 'cand-3')).toMatch(
      /Front-view candidates per round: 2 unless asked, at most 3/,
    );
    expect(await say('ben', '/design help', 'cand-4')).toMatch(
      /`candidates:N` \(1 to 3; 2 when you say nothing\).*`candidates:3` holds 5 credits for a new design, and each round of changes 3/,
    );
    const before = await designCount();
    expect(await say('ben', '/design candidates:4 a teak bench', 'cand-5')).toMatch(
      /at most 3 candidates per round; nothing was reserved/,
    );
    expect(await designCount()).toBe(before);
    expect(await say('ben', '/design a teak bench', 'cand-6')).toBe('');
    const bench = await test.db
      .selectFrom('designs')
      .select(['candidates', 'hold_amount'])
      .where('prompt', '=', 'a teak bench')
      .executeTakeFirstOrThrow();
    expect(bench).toEqual({ candidates: 2, hold_amount: 4 });
  });
});
