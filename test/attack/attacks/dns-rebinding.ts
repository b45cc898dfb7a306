import type { PlaygroundDriver } from '../playground-driver.ts';
import { rawRequest } from '../raw-http.ts';
import { outcome, type Attack } from '../report.ts';

/** Issue 17, item 1: a DNS-rebound page controls Host and Origin; the playground must answer only its own names. */
export function dnsRebindingAttacks(playground: PlaygroundDriver, url: string): Attack[] {
  const evil = `evil.example:${playground.port}`;
  // A short timeout: a regression opens the event stream, which never ends by itself.
  const get = (path: string, host: string) =>
    rawRequest(`${url}${path}`, { headers: { host }, timeoutMs: 3_000 });
  return [
    {
      name: '1a rebinding: admin grant with Host and Origin evil.example',
      expected: '421, balances unchanged',
      run: async () => {
        const before = await playground.balances();
        const answer = await playground.post(
          'command',
          { userId: 'ada', text: '/design grant @ben 7', requestId: 'rebind-grant' },
          { host: evil, origin: `http://${evil}` },
        );
        const after = await playground.balances();
        const same = JSON.stringify(before) === JSON.stringify(after);
        return outcome(
          answer.status === 421 && same,
          `${answer.status}, ben ${before.ben ?? '?'} -> ${after.ben ?? '?'}`,
        );
      },
    },
    {
      name: '1b rebinding: GET /playground/api/users with a foreign Host',
      expected: '421, no balances',
      run: async () => {
        const answer = await get('/playground/api/users', evil);
        return outcome(
          answer.status === 421 && !answer.body.includes('available'),
          `${answer.status}${answer.body.includes('available') ? ', balances listed' : ''}`,
        );
      },
    },
    {
      name: '1c rebinding: GET /playground/api/events with a foreign Host',
      expected: '421',
      run: async () => {
        const answer = await get('/playground/api/events', evil);
        return outcome(answer.status === 421, String(answer.status));
      },
    },
    {
      name: '1d rebinding: page, designs, loopback name on another port, look-alike name',
      expected: '421 x4',
      run: async () => {
        const statuses = [
          (await get('/', evil)).status,
          (await get('/playground/api/designs', `localhost.evil.example:${playground.port}`)).status,
          (await get('/playground/api/users', `127.0.0.1:${Number(playground.port) + 1}`)).status,
          (
            await playground.post(
              'command',
              { userId: 'ada', text: '/design grant @ben 7', requestId: 'rebind-grant-2' },
              { host: `127.0.0.1.evil.example:${playground.port}` },
            )
          ).status,
        ];
        return outcome(
          statuses.every((status) => status === 421),
          statuses.join(' '),
        );
      },
    },
  ];
}
