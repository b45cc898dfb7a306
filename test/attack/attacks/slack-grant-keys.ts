import type { SlackInstance } from '../instances.ts';
import { outcome, type Attack } from '../report.ts';
import type { SlackCast } from '../slack-cast.ts';
import { SlackData } from '../slack-data.ts';
import type { SlackDriver } from '../slack-driver.ts';
import { sleep } from '../wait.ts';

/** Issue 17, items 6 and 7: a grant resent with its trigger_id is recorded, announced and answered once. */
export function slackGrantKeyAttacks(
  instance: SlackInstance,
  driver: SlackDriver,
  cast: SlackCast,
): Attack[] {
  const data = new SlackData(instance.db);
  return [
    {
      name: '6c Slack grant resent with the same trigger_id, then reused for another amount',
      expected:
        '"Granted", then "Already granted", then "already used for a different grant"; +5 once, one notice',
      run: async () => {
        const { teamA: team, adminA: admin, recipient } = cast;
        const before = (await data.account(team, recipient))?.credits ?? 10;
        const trigger = driver.newTrigger();
        const text = `grant <@${recipient}> 5`;
        const first = await driver.command(team, admin, text, { trigger });
        await driver.ephemerals(recipient, /granted you 5/);
        const again = await driver.command(team, admin, text, { trigger, index: 1 });
        const other = await driver.command(team, admin, `grant <@${recipient}> 6`, { trigger, index: 2 });
        await sleep(500);
        const notices = driver.ephemeralsTo(recipient, /granted you/).length;
        const gained = ((await data.account(team, recipient))?.credits ?? 0) - before;
        return outcome(
          /^Granted 5 credits/.test(first.reply) &&
            /^Already granted/.test(again.reply) &&
            /already used for a different grant/.test(other.reply) &&
            gained === 5 &&
            notices === 1,
          `"${first.reply.slice(0, 20)}", "${again.reply.slice(0, 20)}", "${other.reply.slice(0, 50)}"; +${gained}, ${notices} notice(s)`,
        );
      },
    },
  ];
}
