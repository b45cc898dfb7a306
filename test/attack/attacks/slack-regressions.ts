import type { SlackInstance } from '../instances.ts';
import { rawRequest } from '../raw-http.ts';
import { outcome, type Attack } from '../report.ts';
import { victimPrompt, type SlackCast } from '../slack-cast.ts';
import { SlackData } from '../slack-data.ts';
import type { SlackDriver } from '../slack-driver.ts';

/** What the first attack found already refused: checked again so that it stays refused. */
export function slackRegressionAttacks(
  instance: SlackInstance,
  driver: SlackDriver,
  cast: SlackCast,
): Attack[] {
  const data = new SlackData(instance.db);
  const now = () => Math.floor(Date.now() / 1000);
  const credits = (team: string) => driver.commandBody(team, cast.adminA, 'credits');
  return [
    {
      name: 'R forged signature (another secret), and no signature at all',
      expected: '401, 401',
      run: async () => {
        const forged = await driver.post(credits(cast.teamA), { secret: 'not-the-signing-secret' });
        const none = await driver.post(credits(cast.teamA), { headers: {} });
        return outcome(forged.status === 401 && none.status === 401, `${forged.status}, ${none.status}`);
      },
    },
    {
      name: 'R signature 6 minutes old',
      expected: '401',
      run: async () => {
        const old = await driver.post(credits(cast.teamA), { timestamp: now() - 360 });
        return outcome(old.status === 401, String(old.status));
      },
    },
    {
      name: "R clicks from team B's admin naming team A's design (approve, cancel)",
      expected: 'refused ("no longer exists"), design unchanged',
      run: async () => {
        const id = await data.designOf(cast.victim, victimPrompt);
        await data.reach(id, 'awaiting_approval', 1);
        const before = await data.design(id);
        const seen = instance.slack.callsTo('chat.postEphemeral').length;
        await driver.click(cast.teamB, cast.adminB, `facet1:approve:${id}:1`);
        await driver.click(cast.teamB, cast.adminB, `facet1:cancel:${id}`);
        const refusals = (await driver.ephemerals(cast.adminB, /no longer exists/, 2, seen)).length;
        const after = await data.design(id);
        const unchanged = after.state === before.state && after.version === before.version;
        return outcome(
          unchanged && refusals >= 2,
          `${refusals} refusal(s); design ${after.state} v${after.version} (was ${before.state} v${before.version})`,
        );
      },
    },
    {
      name: 'R grant by a member who is not an admin',
      expected: '"Only workspace admins", nothing granted',
      run: async () => {
        const before = (await data.account(cast.teamA, cast.recipient))?.credits;
        const answer = await driver.command(cast.teamA, cast.nonAdmin, `grant <@${cast.recipient}> 5`);
        const after = (await data.account(cast.teamA, cast.recipient))?.credits;
        return outcome(
          /Only workspace admins/.test(answer.reply) && before === after,
          `"${answer.reply.slice(0, 40)}"; credits ${before ?? 'none'} -> ${after ?? 'none'}`,
        );
      },
    },
    {
      name: 'R bad grant amounts (0, -5, 10001, 1.5, lots) and a non-mention',
      expected: 'usage x6, nothing granted',
      run: async () => {
        const before = (await data.account(cast.teamA, cast.recipient))?.credits;
        const texts = ['0', '-5', '10001', '1.5', 'lots'].map((n) => `grant <@${cast.recipient}> ${n}`);
        texts.push('grant @somebody 5');
        const replies = await Promise.all(texts.map((text) => driver.command(cast.teamA, cast.adminA, text)));
        const after = (await data.account(cast.teamA, cast.recipient))?.credits;
        const usages = replies.filter((r) => r.status === 200 && /usage/i.test(r.reply)).length;
        return outcome(
          usages === texts.length && before === after,
          `${usages}/${texts.length} usage; credits ${before ?? 'none'} -> ${after ?? 'none'}`,
        );
      },
    },
    {
      name: 'R OAuth redirect with a forged state',
      expected: '400 "This install link has expired", nothing installed',
      run: async () => {
        const before = await instance.db.selectFrom('slack_installations').select('team_id').execute();
        const answer = await rawRequest(
          `${instance.facet.url}/slack/oauth_redirect?code=code-TFORGED&state=forged`,
          {},
        );
        const after = await instance.db.selectFrom('slack_installations').select('team_id').execute();
        return outcome(
          answer.status === 400 && answer.body.includes('expired') && after.length === before.length,
          `${answer.status}; installations ${before.length} -> ${after.length}`,
        );
      },
    },
  ];
}
