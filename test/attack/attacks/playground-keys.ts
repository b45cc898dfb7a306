import type { PlaygroundDriver } from '../playground-driver.ts';
import { outcome, type Attack } from '../report.ts';
import { waitFor } from '../wait.ts';

/** Issue 17, item 6 on the playground: request ids are idempotency keys of one person and one grant. */
export function playgroundKeyAttacks(playground: PlaygroundDriver, sharedPrompt: string): Attack[] {
  return [
    {
      name: '6a playground grant resent with the same requestId and another amount',
      expected: '200 "already used for a different grant", granted once',
      run: async () => {
        const before = await playground.balances();
        const first = await playground.command('ada', '/design grant @cyd 3', 'attack-grant-key');
        const second = await playground.command('ada', '/design grant @cyd 4', 'attack-grant-key');
        const after = await playground.balances();
        const gained = (after.cyd ?? 0) - (before.cyd ?? 0);
        return outcome(
          first.status === 200 &&
            /Granted 3 credits/.test(first.reply) &&
            second.status === 200 &&
            /already used for a different grant/.test(second.reply) &&
            gained === 3,
          `${first.status} "${first.reply.slice(0, 30)}", then ${second.status} "${second.reply.slice(0, 60)}"; cyd +${gained}`,
        );
      },
    },
    {
      name: '6b playground: the same requestId from ben and from cyd',
      expected: 'two designs, one each; a resend by ben starts none',
      run: async () => {
        const ben = await playground.command('ben', `/design ${sharedPrompt}`, 'attack-shared-request');
        const cyd = await playground.command('cyd', `/design ${sharedPrompt}`, 'attack-shared-request');
        const again = await playground.command('ben', `/design ${sharedPrompt}`, 'attack-shared-request');
        let requesters: string[] = [];
        try {
          await waitFor(
            'a design for each of ben and cyd',
            async () => {
              requesters = (await playground.designsOf(sharedPrompt)).map((d) => d.card.requesterId).sort();
              return requesters.length >= 2 ? true : undefined;
            },
            5_000,
          );
        } catch {
          // reported below with what there is
        }
        return outcome(
          ben.status === 200 &&
            cyd.status === 200 &&
            again.status === 200 &&
            requesters.join(',') === 'ben,cyd',
          `${ben.status}/${cyd.status}/${again.status}; designs by: ${requesters.join(', ') || 'nobody'}`,
        );
      },
    },
    {
      name: '6d playground: ben reuses his requestId for another prompt',
      expected: '200 "already used to start another design", nothing started',
      run: async () => {
        const other = 'a copper kettle under a reused request id';
        const reused = await playground.command('ben', `/design ${other}`, 'attack-shared-request');
        const started = (await playground.designsOf(other)).length;
        return outcome(
          reused.status === 200 && /already used to start another design/.test(reused.reply) && started === 0,
          `${reused.status} "${reused.reply.slice(0, 60)}"; ${started} design(s) started`,
        );
      },
    },
  ];
}
