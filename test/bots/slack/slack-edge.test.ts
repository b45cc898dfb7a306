import { connect } from 'node:net';
import { MemoryStore } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { slackBodyLimit } from '../../../src/bots/slack/slack-request-guard.ts';
import { sign, startSlackKit, team, type SlackKit } from './slack-kit.ts';

/**
 * What an attack on Slack's endpoint found (issue 17): bodies read before the signature was looked at,
 * signatures from the future, repeated form fields, replayed and reused grants, and no ceiling on what
 * an admin may mint.
 */
describe('Slack endpoint hardening', () => {
  let kit: SlackKit;

  beforeAll(async () => {
    kit = await startSlackKit('slack_edge', { publicImages: true, adminGrantsPerDay: 50 });
    kit.slack.users.set('U-admin', { isAdmin: true });
    kit.slack.users.set('U-admin2', { isAdmin: true });
  });

  afterAll(async () => {
    await kit.close();
  });

  /**
   * Sends only the head of a POST that declares a body, and resolves with the status line the server
   * answers while the body is still unsent (or 'no answer' when it waits for the body).
   */
  function headOnly(headers: Record<string, string>, declaredLength: number): Promise<string> {
    const url = new URL(kit.endpoint);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname);
      const timer = setTimeout(() => {
        socket.destroy();
        resolve('no answer');
      }, 1500);
      socket.once('error', reject);
      socket.once('data', (data) => {
        clearTimeout(timer);
        socket.destroy();
        resolve(data.toString().split('\r\n')[0] ?? '');
      });
      const lines = [
        `POST ${url.pathname} HTTP/1.1`,
        `Host: ${url.host}`,
        'Content-Type: application/x-www-form-urlencoded',
        `Content-Length: ${declaredLength}`,
        ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
      ];
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
  }

  /** Sends a command and returns the ephemeral answer. */
  async function ask(body: string): Promise<string> {
    const before = kit.slack.responses.length;
    const ack = await kit.post(body);
    expect(ack.status).toBe(200);
    if (ack.text) return (JSON.parse(ack.text) as { text: string }).text;
    await expect.poll(() => kit.slack.responses.length, { timeout: 10_000 }).toBeGreaterThan(before);
    return String(kit.slack.responses[before]!.text);
  }

  /** Credit accounts whose user id matches `pattern` (SQL like): a refused request must make none. */
  const accountsLike = (pattern: string) =>
    kit.h.test.db.selectFrom('credit_accounts').select('user_id').where('user_id', 'like', pattern).execute();

  const wellFormed = sign('anything');

  it('answers a command without a conversation store lookup (Bolt would make an Error for each)', async () => {
    const lookups = vi.spyOn(MemoryStore.prototype, 'get');
    try {
      expect(await ask(kit.command('credits', 'U-convo'))).toMatch(/credits available/);
      expect(lookups).not.toHaveBeenCalled();
    } finally {
      lookups.mockRestore();
    }
  });

  it('refuses missing, malformed and stale signature headers before reading the body', async () => {
    expect(await headOnly({}, 1000)).toBe('HTTP/1.1 401 Unauthorized');
    expect(
      await headOnly({ 'x-slack-request-timestamp': wellFormed['x-slack-request-timestamp'] }, 1000),
    ).toBe('HTTP/1.1 401 Unauthorized');
    expect(await headOnly({ ...wellFormed, 'x-slack-signature': 'v0=not-hex' }, 1000)).toBe(
      'HTTP/1.1 401 Unauthorized',
    );
    const old = Math.floor(Date.now() / 1000) - 6 * 60;
    expect(await headOnly({ ...wellFormed, 'x-slack-request-timestamp': String(old) }, 1000)).toBe(
      'HTTP/1.1 401 Unauthorized',
    );
    // Well-formed headers: the server waits for the body it must check them against.
    expect(await headOnly(wellFormed, 1000)).toBe('no answer');
  });

  it('refuses a declared body over the limit before reading it, signed or not', async () => {
    expect(await headOnly(wellFormed, slackBodyLimit + 1)).toBe('HTTP/1.1 413 Payload Too Large');
    expect(await headOnly({}, slackBodyLimit + 1)).toBe('HTTP/1.1 413 Payload Too Large');
  });

  it('refuses a signature dated more than 5 minutes ahead, as it does one 5 minutes old', async () => {
    const body = kit.command('credits', 'U-future');
    const future = Math.floor(Date.now() / 1000) + 10 * 60;
    expect((await kit.post(body, sign(body, future))).status).toBe(401);
    const past = Math.floor(Date.now() / 1000) - 10 * 60;
    expect((await kit.post(body, sign(body, past))).status).toBe(401);
    expect(await ask(body)).toMatch(/You have 10 credits available/);
  });

  it('checks the signature against the body and stamp as sent: changed, re-dated or foreign ones are refused', async () => {
    const body = kit.command('credits', 'U-forger');
    const signed = sign(body);
    expect((await kit.post(`${body}x`, signed)).status).toBe(401);
    expect((await kit.post(body, sign(body, undefined, 'another-secret'))).status).toBe(401);
    // The same moment written with a leading zero is not what was signed.
    const stamp = signed['x-slack-request-timestamp'];
    expect((await kit.post(body, { ...signed, 'x-slack-request-timestamp': `0${stamp}` })).status).toBe(401);
    expect(await accountsLike('U-forger')).toEqual([]);
    expect(await ask(body)).toMatch(/You have 10 credits available/);
  });

  it('refuses a signed body that repeats a field, and makes no account of it', async () => {
    const body = `${kit.command('credits', 'U1')}&user_id=UADM`;
    const answer = await kit.post(body);
    expect(answer.status).toBe(400);
    expect(await accountsLike('%UADM%')).toEqual([]);
  });

  it('a replayed grant says it was granted already and tells the recipient once', async () => {
    const body = kit.command('grant <@UGIFT|gift> 5', 'U-admin');
    expect(await ask(body)).toMatch(/^Granted 5 credits to <@UGIFT>: they now have 15 available/);
    const notices = () =>
      kit.slack.callsTo('chat.postEphemeral').filter((call) => call.args.user === 'UGIFT').length;
    // The recipient is told after the admin's answer: waited for, not assumed.
    await expect.poll(notices).toBe(1);
    expect(await ask(body)).toMatch(/^Already granted: 5 credits to <@UGIFT> .*15 available/);
    expect(notices()).toBe(1);
    const balance = await kit.h.ledger.balance({ workspaceId: await kit.workspaceId(), userId: 'UGIFT' });
    expect(balance.available).toBe(15);
  });

  it('a trigger id reused for another grant is refused clearly; another admin may use the same id', async () => {
    const first = kit.command('grant <@UKEY|key> 2', 'U-admin');
    const trigger = new URLSearchParams(first).get('trigger_id')!;
    expect(await ask(first)).toMatch(/^Granted 2 credits/);
    const reused = new URLSearchParams(kit.command('grant <@UKEY|key> 3', 'U-admin'));
    reused.set('trigger_id', trigger);
    expect(await ask(reused.toString())).toMatch(
      /already used for a different grant, so nothing was granted/,
    );
    // Keys are scoped by the admin: the same id from someone else is a request of its own.
    reused.set('user_id', 'U-admin2');
    expect(await ask(reused.toString())).toMatch(/^Granted 3 credits/);
    const balance = await kit.h.ledger.balance({ workspaceId: await kit.workspaceId(), userId: 'UKEY' });
    expect(balance.available).toBe(15);
  });

  it("refuses admins' grants past the operator's daily ceiling, with the reason", async () => {
    // 5 + 2 + 3 granted above; the ceiling is 50.
    expect(await ask(kit.command('grant <@UMAX|max> 40', 'U-admin'))).toMatch(/^Granted 40 credits/);
    expect(await ask(kit.command('grant <@UMAX|max> 1', 'U-admin2'))).toMatch(
      /Nothing was granted: admins of this workspace may grant at most 50 credits in 24 hours, and none are left/,
    );
    const balance = await kit.h.ledger.balance({ workspaceId: await kit.workspaceId(), userId: 'UMAX' });
    expect(balance.available).toBe(50);
  });

  it('a settings form from a team Facet has never seen changes nothing and makes no workspace', async () => {
    const payload = {
      type: 'view_submission',
      team: { id: 'T-NEVER' },
      user: { id: 'U-admin' },
      view: {
        id: 'V9',
        callback_id: 'facet_settings',
        private_metadata: JSON.stringify({ teamId: 'T-NEVER' }),
        state: {
          values: {
            facet_settings_price_design: { value: { type: 'number_input', value: '0' } },
            facet_settings_price_variation: { value: { type: 'number_input', value: '0' } },
            facet_settings_price_edit: { value: { type: 'number_input', value: '0' } },
          },
        },
      },
    };
    const answer = await kit.post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toMatchObject({ response_action: 'errors' });
    const rows = await kit.h.test.db
      .selectFrom('workspaces')
      .select('id')
      .where('external_id', '=', 'T-NEVER')
      .execute();
    expect(rows).toEqual([]);
    expect(team).toBe('T1');
  });
});
