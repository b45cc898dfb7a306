import { loadConfig } from '../../../src/config.ts';
import { outcome, type Attack } from '../report.ts';

/** Issue 17, item 2: on a public interface the playground (no login) stays off unless asked for. Config only. */
export function openPlaygroundAttacks(): Attack[] {
  return [
    {
      name: '2 open playground: FACET_HOST=0.0.0.0',
      expected: 'playground off; on only with FACET_PLAYGROUND=1',
      run: () => {
        const plain = loadConfig({ FACET_HOST: '0.0.0.0' }).playground;
        const ipv6 = loadConfig({ FACET_HOST: '::' }).playground;
        const asked = loadConfig({ FACET_HOST: '0.0.0.0', FACET_PLAYGROUND: '1' }).playground;
        const loopback = loadConfig({}).playground;
        return Promise.resolve(
          outcome(
            !plain && !ipv6 && asked && loopback,
            `0.0.0.0 ${String(plain)}, :: ${String(ipv6)}, 0.0.0.0 + FACET_PLAYGROUND=1 ${String(asked)}, default loopback ${String(loopback)}`,
          ),
        );
      },
    },
  ];
}
