import type { SlackInstance } from '../instances.ts';
import { rawRequest } from '../raw-http.ts';
import { outcome, type Attack } from '../report.ts';

/** Issue 17, item 5: with FACET_METRICS_TOKEN set, /metrics answers only a scrape with the bearer token. */
export function metricsAttacks(instance: SlackInstance): Attack[] {
  const scrape = (authorization?: string) =>
    rawRequest(`${instance.facet.url}/metrics`, { headers: authorization ? { authorization } : {} });
  return [
    {
      name: '5 /metrics without, with a wrong, and with the bearer token',
      expected: '401, 401, 200 with facet_ metrics',
      run: async () => {
        const none = await scrape();
        const wrong = await scrape(`Bearer ${instance.metricsToken.slice(0, -1)}x`);
        const right = await scrape(`Bearer ${instance.metricsToken}`);
        const leaked = [none, wrong].some((answer) => answer.body.includes('facet_'));
        return outcome(
          none.status === 401 &&
            wrong.status === 401 &&
            right.status === 200 &&
            right.body.includes('facet_') &&
            !leaked,
          `${none.status}, ${wrong.status}, ${right.status}${right.body.includes('facet_') ? ' with facet_ metrics' : ''}${
            leaked ? '; metrics shown without the token' : ''
          }`,
        );
      },
    },
  ];
}
