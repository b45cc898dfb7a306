import type { SlackInstance } from '../instances.ts';
import { rawRequest } from '../raw-http.ts';
import { outcome, type Attack } from '../report.ts';
import type { SlackCast } from '../slack-cast.ts';
import { SlackData } from '../slack-data.ts';
import type { SlackDriver } from '../slack-driver.ts';

/** Issue 17, item 7 (the slow body is in slow-body.ts): future signatures, forms, repeated fields, cancels. */
export function slackSmallerAttacks(instance: SlackInstance, driver: SlackDriver, cast: SlackCast): Attack[] {
  const data = new SlackData(instance.db);
  const now = () => Math.floor(Date.now() / 1000);
  return [
    {
      name: '7a a signed command dated 10 minutes in the future',
      expected: '401',
      run: async () => {
        const answer = await driver.post(driver.commandBody(cast.teamA, cast.adminA, 'credits'), {
          timestamp: now() + 600,
        });
        return outcome(answer.status === 401, String(answer.status));
      },
    },
    {
      name: '7b settings form from a team Facet has never seen (installed, never used), and one naming it from team A',
      expected: 'refused, no workspaces row',
      run: async () => {
        const prices = { design: 0, variation: 0, edit: 0 };
        const own = await driver.submitSettings(cast.teamC, cast.adminC, prices);
        const named = await driver.submitSettings(cast.teamA, cast.adminA, prices, cast.teamC);
        const rows = await data.workspaceRows(cast.teamC);
        const refused = [own, named].every((answer) => answer.body.includes('"response_action":"errors"'));
        return outcome(
          rows === 0 && refused,
          `${own.status}/${named.status}${refused ? ' with a form error' : ' accepted'}; ${rows} workspaces row(s)`,
        );
      },
    },
    {
      name: '7c signed command with user_id=UDUPONE&user_id=UDUPTWO',
      expected: '400, no credit account made',
      run: async () => {
        const body = `${driver.commandBody(cast.teamA, 'UDUPONE', 'credits')}&user_id=UDUPTWO`;
        const answer = await driver.post(body);
        const accounts = await data.accountsLike('UDUP');
        return outcome(
          answer.status === 400 && accounts.length === 0,
          `${answer.status}; accounts: ${accounts.length === 0 ? 'none' : accounts.join(', ')}`,
        );
      },
    },
    {
      name: '7d OAuth redirect with error=access_denied',
      expected: '200 page "Install cancelled"',
      run: async () => {
        const { state, cookie } = await driver.startInstall();
        const answer = await rawRequest(
          `${instance.facet.url}/slack/oauth_redirect?error=access_denied&state=${encodeURIComponent(state)}`,
          { headers: { cookie } },
        );
        const cancelled = answer.body.includes('Install cancelled');
        return outcome(
          answer.status === 200 && cancelled,
          `${answer.status}${cancelled ? ' "Install cancelled"' : ''}`,
        );
      },
    },
  ];
}
