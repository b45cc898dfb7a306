import { isLoopbackHost, type Config } from '../config.ts';

/**
 * Where /metrics is served. Each scrape reads the database, and the figures say how busy a deployment
 * is: never on a port others reach without a token.
 */
export type MetricsPlacement = 'own-port' | 'main-port' | 'off';

export function metricsPlacement(config: Pick<Readonly<Config>, 'host' | 'metrics'>): MetricsPlacement {
  if (config.metrics.port !== undefined) return 'own-port';
  if (config.metrics.token !== undefined || isLoopbackHost(config.host)) return 'main-port';
  return 'off';
}
