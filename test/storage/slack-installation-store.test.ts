import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Installation } from '@slack/bolt';
import { InstallProvider, LogLevel, type Logger } from '@slack/oauth';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackInstallationStore } from '../../src/storage/slack-installation-store.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';

function teamInstallation(
  teamId: string,
  botToken: string,
  scopes = ['commands', 'chat:write'],
): Installation {
  return {
    team: { id: teamId, name: `Team ${teamId}` },
    enterprise: undefined,
    user: { id: 'U0INSTALLER', token: undefined, scopes: undefined },
    bot: { id: 'B0FACET', userId: 'U0BOT', token: botToken, scopes },
    appId: 'A0FACET',
    tokenType: 'bot',
    isEnterpriseInstall: false,
    authVersion: 'v2',
  };
}

const teamQuery = (teamId: string, enterpriseId?: string) =>
  ({ teamId, enterpriseId, isEnterpriseInstall: false }) as const;

describe('SlackInstallationStore (Postgres)', () => {
  let test: TestDatabase;
  let store: SlackInstallationStore;

  beforeAll(async () => {
    test = await createTestDatabase('slack_install');
    store = new SlackInstallationStore(test.db);
  });

  afterAll(async () => {
    await test.drop();
  });

  const rowsOf = (teamId: string) =>
    test.db.selectFrom('slack_installations').selectAll().where('team_id', '=', teamId).execute();

  it('stores a workspace install and fetches it back by team id', async () => {
    const installation = teamInstallation('T1', 'xoxb-first');
    await store.storeInstallation(installation);

    await expect(store.fetchInstallation(teamQuery('T1'))).resolves.toEqual(installation);
    const rows = await rowsOf('T1');
    expect(rows).toMatchObject([{ enterprise_id: '', team_id: 'T1' }]);
  });

  it('replaces the installation on a re-install, keeping one row and its first install time', async () => {
    await store.storeInstallation(teamInstallation('T2', 'xoxb-old', ['commands']));
    const [before] = await rowsOf('T2');

    await store.storeInstallation(
      teamInstallation('T2', 'xoxb-new', ['commands', 'chat:write', 'files:write']),
    );

    const fetched = await store.fetchInstallation(teamQuery('T2'));
    expect(fetched.bot).toMatchObject({
      token: 'xoxb-new',
      scopes: ['commands', 'chat:write', 'files:write'],
    });
    const rows = await rowsOf('T2');
    expect(rows).toHaveLength(1);
    expect(rows[0]?.installed_at).toEqual(before?.installed_at);
    expect(rows[0]!.updated_at.getTime()).toBeGreaterThan(before!.updated_at.getTime());
  });

  it('stores an org-wide install under its enterprise and finds it by enterprise only', async () => {
    const orgInstallation: Installation<'v2', true> = {
      team: undefined,
      enterprise: { id: 'E1', name: 'Acme Grid' },
      user: { id: 'U0ADMIN', token: undefined, scopes: undefined },
      bot: { id: 'B0FACET', userId: 'U0BOT', token: 'xoxb-org', scopes: ['commands'] },
      appId: 'A0FACET',
      enterpriseUrl: 'https://acme.enterprise.slack.com/',
      isEnterpriseInstall: true,
      authVersion: 'v2',
    };
    await store.storeInstallation(orgInstallation);

    const rows = await test.db
      .selectFrom('slack_installations')
      .selectAll()
      .where('enterprise_id', '=', 'E1')
      .execute();
    expect(rows).toMatchObject([{ enterprise_id: 'E1', team_id: '' }]);
    await expect(
      store.fetchInstallation({ enterpriseId: 'E1', teamId: undefined, isEnterpriseInstall: true }),
    ).resolves.toEqual(orgInstallation);
    // Bolt's query for an event in one of the org's workspaces also names that workspace: still the org row.
    const fromWorkspace = await store.fetchInstallation({
      enterpriseId: 'E1',
      teamId: 'T_IN_ORG',
      isEnterpriseInstall: true,
    });
    expect(fromWorkspace.bot?.token).toBe('xoxb-org');
    // Not an org install, so a team lookup must not fall back to it.
    await expect(store.fetchInstallation(teamQuery('T_IN_ORG', 'E1'))).rejects.toThrow(
      'No Slack installation for team T_IN_ORG',
    );
  });

  it('finds a Grid workspace install by team id with or without its enterprise id', async () => {
    await store.storeInstallation({ ...teamInstallation('T3', 'xoxb-grid'), enterprise: { id: 'E2' } });

    expect((await store.fetchInstallation(teamQuery('T3', 'E2'))).bot?.token).toBe('xoxb-grid');
    expect((await store.fetchInstallation(teamQuery('T3'))).bot?.token).toBe('xoxb-grid');
    expect(await rowsOf('T3')).toMatchObject([{ enterprise_id: 'E2', team_id: 'T3' }]);

    // The workspace left the Grid and was installed again: still one row for the team.
    await store.storeInstallation(teamInstallation('T3', 'xoxb-standalone'));
    expect(await rowsOf('T3')).toMatchObject([{ enterprise_id: '', team_id: 'T3' }]);
    expect((await store.fetchInstallation(teamQuery('T3', 'E2'))).bot?.token).toBe('xoxb-standalone');
  });

  it('throws a clear error for a team that never installed', async () => {
    await expect(store.fetchInstallation(teamQuery('T404'))).rejects.toThrow(
      'No Slack installation for team T404',
    );
    await expect(
      store.fetchInstallation({ enterpriseId: 'E404', teamId: undefined, isEnterpriseInstall: true }),
    ).rejects.toThrow('No Slack installation for enterprise E404 (org-wide)');
  });

  it('deletes an installation, after which fetching throws; deleting again is harmless', async () => {
    await store.storeInstallation(teamInstallation('T5', 'xoxb-doomed'));
    await store.storeInstallation(teamInstallation('T6', 'xoxb-neighbour'));

    await store.deleteInstallation(teamQuery('T5'));

    await expect(store.fetchInstallation(teamQuery('T5'))).rejects.toThrow(
      'No Slack installation for team T5',
    );
    await expect(store.deleteInstallation(teamQuery('T5'))).resolves.toBeUndefined();
    expect((await store.fetchInstallation(teamQuery('T6'))).bot?.token).toBe('xoxb-neighbour');

    await store.deleteInstallation({ enterpriseId: 'E1', teamId: undefined, isEnterpriseInstall: true });
    await expect(
      store.fetchInstallation({ enterpriseId: 'E1', teamId: undefined, isEnterpriseInstall: true }),
    ).rejects.toThrow('No Slack installation for enterprise E1');
  });

  it('reports a corrupted row clearly instead of handing Bolt a broken installation', async () => {
    const corrupt = (teamId: string, json: string) =>
      test.db.insertInto('slack_installations').values({ team_id: teamId, installation: json }).execute();
    await corrupt(
      'T7',
      JSON.stringify({ team: { id: 'T7' }, user: { id: 'U1' }, bot: { id: 'B1', token: 42 } }),
    );
    await corrupt('T8', '"not an installation"');

    const error = await store.fetchInstallation(teamQuery('T7')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^The stored Slack installation for team T7 is malformed/);
    expect((error as Error).message).toContain('bot.token');
    expect((error as Error).message).toContain('bot.userId');
    await expect(store.fetchInstallation(teamQuery('T8'))).rejects.toThrow(
      'The stored Slack installation for team T8 is malformed',
    );
  });

  it('refuses to store an installation it could not use, so the OAuth callback fails instead', async () => {
    await expect(
      store.storeInstallation({ ...teamInstallation('T9', 'unused'), bot: undefined }),
    ).rejects.toThrow(/^Refusing to store a Slack installation: .*bot/s);
    await expect(
      store.storeInstallation({ ...teamInstallation('T9', 'xoxb-x'), team: undefined }),
    ).rejects.toThrow('Refusing to store a Slack installation');
    expect(await rowsOf('T9')).toEqual([]);
  });

  describe("through Bolt's OAuth flow (InstallProvider, fake Slack on loopback)", () => {
    const slackCalls: Call[] = [];
    let slack: Server;
    let app: Server;
    let appUrl: string;
    let provider: InstallProvider;

    beforeAll(async () => {
      slack = createServer((request, response) => {
        void answerSlack(request, response, slackCalls);
      });
      const slackUrl = await listen(slack);
      provider = new InstallProvider({
        clientId: '111.222',
        clientSecret: 'client-secret',
        stateSecret: 'state-secret',
        installationStore: store,
        directInstall: true,
        logger: silentLogger,
        clientOptions: { slackApiUrl: `${slackUrl}/api/`, retryConfig: { retries: 0 } },
      });
      app = createServer((request, response) => {
        const path = new URL(request.url ?? '/', 'http://localhost').pathname;
        if (path === '/slack/install') {
          void provider.handleInstallPath(request, response, undefined, {
            scopes: ['commands', 'chat:write'],
            redirectUri: `${appUrl}/slack/oauth_redirect`,
          });
        } else if (path === '/slack/oauth_redirect') {
          void provider.handleCallback(request, response);
        } else {
          response.writeHead(404).end();
        }
      });
      appUrl = await listen(app);
    });

    afterAll(async () => {
      await close(app);
      await close(slack);
    });

    it('stores the installation from oauth.v2.access, and authorize() returns its bot token', async () => {
      // The installer opens the install path: Bolt sets the state cookie and redirects to Slack.
      const install = await fetch(`${appUrl}/slack/install`, { redirect: 'manual' });
      expect(install.status).toBe(302);
      const authorizeUrl = new URL(install.headers.get('location') ?? '');
      const state = authorizeUrl.searchParams.get('state');
      expect(state).toBeTruthy();
      const cookie = install.headers.getSetCookie()[0]?.split(';')[0];
      expect(cookie).toContain(state);

      // Slack sends the browser back with a code; the same browser still holds the state cookie.
      const callback = await fetch(
        `${appUrl}/slack/oauth_redirect?code=the-code&state=${encodeURIComponent(state ?? '')}`,
        { headers: { cookie: cookie ?? '' } },
      );
      expect(callback.status).toBe(200);
      expect(await callback.text()).toContain('Thank you!');

      const exchange = slackCalls.find((call) => call.method === 'oauth.v2.access');
      expect(exchange?.args).toMatchObject({
        code: 'the-code',
        client_id: '111.222',
        client_secret: 'client-secret',
        redirect_uri: `${appUrl}/slack/oauth_redirect`,
      });
      const rows = await rowsOf('T0OAUTH');
      expect(rows).toMatchObject([
        {
          enterprise_id: '',
          team_id: 'T0OAUTH',
          installation: {
            team: { id: 'T0OAUTH', name: 'OAuth Team' },
            bot: { token: 'xoxb-from-oauth', id: 'B0OAUTH', userId: 'U0OAUTHBOT' },
            appId: 'A0FACET',
            authVersion: 'v2',
          },
        },
      ]);

      const authorized = await provider.authorize(teamQuery('T0OAUTH'));
      expect(authorized).toMatchObject({
        botToken: 'xoxb-from-oauth',
        botId: 'B0OAUTH',
        botUserId: 'U0OAUTHBOT',
        teamId: 'T0OAUTH',
      });
    });

    it('refuses a callback whose state is not from this browser, storing nothing', async () => {
      const callback = await fetch(`${appUrl}/slack/oauth_redirect?code=forged&state=forged`);
      expect(callback.status).toBe(400);
      expect(slackCalls.filter((call) => call.args.code === 'forged')).toEqual([]);
      const count = await test.db
        .selectFrom('slack_installations')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('team_id', '=', 'T0OAUTH')
        .executeTakeFirstOrThrow();
      expect(count.n).toBe(1);
    });
  });
});

/** oauth.v2.access and the auth.test Bolt runs on the new bot token, answered the way Slack does. */
async function answerSlack(request: IncomingMessage, response: ServerResponse, calls: Call[]): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const args = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
  const method = /^\/api\/([\w.]+)/.exec(request.url ?? '')?.[1] ?? '';
  calls.push({ method, args });
  const body =
    method === 'oauth.v2.access'
      ? {
          ok: true,
          app_id: 'A0FACET',
          authed_user: { id: 'U0INSTALLER' },
          scope: 'commands,chat:write',
          token_type: 'bot',
          access_token: 'xoxb-from-oauth',
          bot_user_id: 'U0OAUTHBOT',
          team: { id: 'T0OAUTH', name: 'OAuth Team' },
          enterprise: null,
          is_enterprise_install: false,
        }
      : method === 'auth.test' && request.headers.authorization === 'Bearer xoxb-from-oauth'
        ? {
            ok: true,
            bot_id: 'B0OAUTH',
            user_id: 'U0OAUTHBOT',
            team_id: 'T0OAUTH',
            url: 'https://oauth.slack/',
          }
        : { ok: false, error: 'unknown_method' };
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

type Call = { method: string; args: Record<string, string> };

// The forged-state test makes Bolt log the InvalidStateError it answers with; the status is asserted instead.
const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
