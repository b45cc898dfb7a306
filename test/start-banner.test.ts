import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { startBanner } from '../src/start-banner.ts';

describe('start banner', () => {
  const url = 'http://127.0.0.1:3000';

  it('says the playground has no login when it listens beyond the loopback', () => {
    const open = startBanner(
      loadConfig({ FACET_HOST: '0.0.0.0', FACET_PLAYGROUND: '1' }),
      url,
      ['playground'],
      undefined,
    );
    expect(open).toMatch(/playground: .*WARNING: it has no login and listens on 0\.0\.0\.0/);
    const off = startBanner(loadConfig({ FACET_HOST: '0.0.0.0' }), url, [], undefined);
    expect(off).toMatch(/playground: off, as FACET_HOST 0\.0\.0\.0 is not loopback .*FACET_PLAYGROUND=1/);
    const local = startBanner(loadConfig({}), url, ['playground'], undefined);
    expect(local).toMatch(/playground: open http:\/\/127\.0\.0\.1:3000 in a browser/);
    expect(local).not.toMatch(/WARNING/);
  });

  it('says where /metrics is, and that it is off on a public port without a token', () => {
    expect(startBanner(loadConfig({}), url, [], undefined)).toMatch(
      /metrics: http:\/\/127\.0\.0\.1:3000\/metrics$/m,
    );
    expect(startBanner(loadConfig({ FACET_HOST: '0.0.0.0' }), url, [], undefined)).toMatch(
      /metrics: off on a public port \(set FACET_METRICS_PORT or FACET_METRICS_TOKEN\)/,
    );
    const token = { FACET_HOST: '0.0.0.0', FACET_METRICS_TOKEN: 'a-long-random-metrics-token' };
    expect(startBanner(loadConfig(token), url, [], undefined)).toMatch(
      /metrics: .*\/metrics \(bearer token\)/,
    );
    expect(startBanner(loadConfig({ FACET_METRICS_PORT: '9464' }), url, [], 'http://127.0.0.1:9464')).toMatch(
      /metrics: http:\/\/127\.0\.0\.1:9464\/metrics/,
    );
  });
});
