import { creditsCommand } from '../../../src/cli/credits-command.ts';
import type { SlackInstance } from '../instances.ts';
import { outcome, type Attack } from '../report.ts';
import type { SlackCast } from '../slack-cast.ts';
import { SlackData } from '../slack-data.ts';
import type { SlackDriver } from '../slack-driver.ts';

/** Issue 17, item 9: admins' grants stop at FACET_ADMIN_GRANTS_PER_DAY; the operator's CLI grant does not. */
export function grantCeilingAttacks(instance: SlackInstance, driver: SlackDriver, cast: SlackCast): Attack[] {
  const data = new SlackData(instance.db);
  const most = instance.adminGrantsPerDay;
  const { teamB: team, adminB: admin, recipientB: recipient } = cast;
  const grant = async (amount: number) =>
    (await driver.command(team, admin, `grant <@${recipient}> ${amount}`)).reply;
  return [
    {
      name: `9a Slack admin grants up to the ceiling (${most}/day), then 1 more`,
      expected: `granted ${most - 40} + 40, then refused naming the limit`,
      run: async () => {
        const first = await grant(most - 40);
        const second = await grant(40);
        const over = await grant(1);
        const refused = new RegExp(`^Nothing was granted: .*at most ${most} credits`).test(over);
        return outcome(
          first.startsWith(`Granted ${most - 40} credits`) &&
            second.startsWith('Granted 40 credits') &&
            refused,
          `"${first.slice(0, 20)}", "${second.slice(0, 20)}", "${over.slice(0, 90)}"`,
        );
      },
    },
    {
      name: '9b operator CLI grant (facet credits grant) past the ceiling, then an admin grant',
      expected: 'CLI grants 500 (exit 0); the admin is still refused',
      run: async () => {
        const before = (await data.account(team, recipient))?.credits ?? 0;
        const out: string[] = [];
        const code = await creditsCommand(
          ['grant', '--platform', 'slack', '--workspace', team, '--user', recipient, '--amount', '500'],
          instance.config,
          { out: (line) => out.push(line), err: (line) => out.push(line) },
        );
        const after = (await data.account(team, recipient))?.credits ?? 0;
        const admin = await grant(1);
        return outcome(
          code === 0 && after - before === 500 && admin.startsWith('Nothing was granted'),
          `exit ${code}, +${after - before} ("${out.join(' ').slice(0, 40)}"); admin: "${admin.slice(0, 30)}"`,
        );
      },
    },
  ];
}
