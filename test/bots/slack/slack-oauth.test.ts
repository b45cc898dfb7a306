import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inState, waitFor } from '../../workflow/workflow-harness.ts';
import { sign, startSlackKit, type SlackKit } from './slack-kit.ts';

/** Multi-workspace mode: installs through /slack/install, tokens from Postgres, each team its own token. */
describe('Slack OAuth installs (HTTP mode, installations in Postgres)', () => {
  let kit: SlackKit;

  beforeAll(async () => {
    kit = await startSlackKit('slack_oauth', { publicImages: true, oauth: true });
  });

  afterAll(async () => {
    await kit.close();
  });

  async function install(teamId: string): Promise<void> {
    const start = await fetch(`${kit.appUrl}/slack/install`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get('location')!);
    expect(authorize.searchParams.get('scope')!.split(',')).toEqual(
      expect.arrayContaining(['commands', 'chat:write', 'files:write']),
    );
    const state = authorize.searchParams.get('state')!;
    const cookie = start.headers.getSetCookie()[0]!.split(';')[0]!;
    const callback = await fetch(
      `${kit.appUrl}/slack/oauth_redirect?code=code-${teamId}&state=${encodeURIComponent(state)}`,
      { headers: { cookie } },
    );
    expect(callback.status).toBe(200);
  }

  it('shows a page saying the install was cancelled when the person cancels it in Slack', async () => {
    const start = await fetch(`${kit.appUrl}/slack/install`, { redirect: 'manual' });
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const cookie = start.headers.getSetCookie()[0]!.split(';')[0]!;
    const cancelled = await fetch(
      `${kit.appUrl}/slack/oauth_redirect?error=access_denied&state=${encodeURIComponent(state)}`,
      { headers: { cookie } },
    );
    expect(cancelled.status).toBe(200);
    const page = await cancelled.text();
    expect(page).toContain('<h1>Install cancelled</h1>');
    expect(page).toContain('Facet was not installed');
    const stale = await fetch(`${kit.appUrl}/slack/oauth_redirect?code=c&state=forged`);
    expect(stale.status).toBe(400);
    expect(await stale.text()).toContain('This install link has expired');
    const rows = await kit.h.test.db.selectFrom('slack_installations').select('team_id').execute();
    expect(rows).toEqual([]);
  });

  it('installs two workspaces and answers each with its own bot token', async () => {
    await install('T0ALPHA');
    await install('T0BETA');
    const rows = await kit.h.test.db.selectFrom('slack_installations').select('team_id').execute();
    expect(rows.map((r) => r.team_id).sort()).toEqual(['T0ALPHA', 'T0BETA']);

    await kit.post(kit.command('a smart thermostat', 'U-alpha', 'T0ALPHA'));
    await kit.post(kit.command('a smart doorbell', 'U-beta', 'T0BETA'));
    for (const [user, token] of [
      ['U-alpha', 'xoxb-installed-T0ALPHA'],
      ['U-beta', 'xoxb-installed-T0BETA'],
    ] as const) {
      const design = await kit.designOf(user);
      await waitFor(kit.h.workflow, design, inState('awaiting_approval'));
      await expect
        .poll(() =>
          kit.slack
            .callsTo('chat.update')
            .filter((c) => JSON.stringify(c.args.blocks).includes('Approve'))
            .some(
              (c) =>
                c.token === token &&
                String(c.args.text).includes(user === 'U-alpha' ? 'thermostat' : 'doorbell'),
            ),
        )
        .toBe(true);
      const posted = kit.slack.callsTo('chat.postMessage').filter((c) => c.token === token);
      expect(posted).toHaveLength(1);
    }
  });

  it('refuses a command from a workspace that never installed the app, and forgets an uninstalled one', async () => {
    const before = kit.slack.calls.length;
    const response = await kit.post(kit.command('a phone case', 'U-gamma', 'T0GAMMA'));
    // Bolt cannot authorize the team: nothing reaches the workflow or Slack.
    expect(response.status).toBeGreaterThanOrEqual(200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // (The other workspaces' designs may still be updating their cards meanwhile.)
    const aboutGamma = kit.slack.calls
      .slice(before)
      .filter((c) => c.method.startsWith('chat.') && JSON.stringify(c.args).includes('a phone case'));
    expect(aboutGamma).toHaveLength(0);
    const none = await kit.h.test.db
      .selectFrom('designs')
      .select('id')
      .where('requester_id', '=', 'U-gamma')
      .execute();
    expect(none).toHaveLength(0);

    const event = JSON.stringify({
      type: 'event_callback',
      team_id: 'T0BETA',
      api_app_id: 'A0FACET',
      event: { type: 'app_uninstalled' },
      event_id: 'Ev1',
      event_time: Math.floor(Date.now() / 1000),
    });
    const answer = await fetch(kit.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...sign(event) },
      body: event,
    });
    expect(answer.status).toBe(200);
    await expect
      .poll(async () =>
        (await kit.h.test.db.selectFrom('slack_installations').select('team_id').execute()).map(
          (r) => r.team_id,
        ),
      )
      .toEqual(['T0ALPHA']);
  });
});
