import { auditLedger } from '../../../src/credits/invariants.ts';
import type { SlackInstance } from '../instances.ts';
import { outcome, type Attack } from '../report.ts';
import type { SlackCast } from '../slack-cast.ts';
import { SlackData } from '../slack-data.ts';
import type { SlackDriver } from '../slack-driver.ts';

const prompt = 'a desk fan whose design is free and whose edits are not';

/**
 * Issue 17, item 3: a design price of 0 and an edit price of 2. Three quick edits and an approval must
 * charge 6. (Played on Slack: the playground keeps the default prices and has no way to change them.)
 */
export function zeroPriceAttacks(instance: SlackInstance, driver: SlackDriver, cast: SlackCast): Attack[] {
  const data = new SlackData(instance.db);
  return [
    {
      name: '3 zero prices: design 0 / edit 2, three quick edits, approve',
      expected: 'charged 6 credits, nothing held, ledger audit clean',
      timeoutMs: 60_000,
      run: async () => {
        const { teamA: team, designer } = cast;
        const saved = await driver.submitSettings(team, cast.adminA, { design: 0, variation: 3, edit: 2 });
        if (saved.status !== 200 || saved.body.includes('errors'))
          return outcome(false, `settings form answered ${saved.status} ${saved.body.slice(0, 120)}`);
        const started = await driver.post(driver.commandBody(team, designer, prompt));
        if (started.status !== 200) return outcome(false, `/design answered ${started.status}`);
        const id = await data.designOf(designer, prompt);
        const presets = ['minimal', 'color', 'premium'] as const;
        for (const [index, preset] of presets.entries()) {
          await data.reach(id, 'awaiting_approval', index + 1);
          const clicked = await driver.click(team, designer, `facet1:edit:${id}:${index + 1}:${preset}`);
          if (clicked.status !== 200) return outcome(false, `edit ${index + 1} answered ${clicked.status}`);
        }
        await data.reach(id, 'awaiting_approval', 4);
        await driver.click(team, designer, `facet1:approve:${id}:4`);
        await data.reach(id, 'completed', undefined, 40_000);
        const charged = await data.charged(id);
        const account = await data.account(team, designer);
        const audit = await auditLedger(instance.db);
        const debits = account?.debits ?? 0;
        const held = account?.held ?? 0;
        return outcome(
          charged === 6 && debits === 6 && held === 0 && audit.violations.length === 0,
          `charged ${charged} (account debits ${debits}, held ${held}); audit: ${
            audit.violations.length === 0 ? 'clean' : audit.violations.join('; ').slice(0, 200)
          }`,
        );
      },
    },
  ];
}
