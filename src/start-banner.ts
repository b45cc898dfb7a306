import { isLoopbackHost, type Config } from './config.ts';
import { chatPlatforms } from './compose/chat-platforms.ts';
import { metricsPlacement } from './observability/metrics-placement.ts';
import type { Platform } from './platform.ts';

/** What Facet says when it has started: where it is, what runs, what stands in for what, what is exposed. */
export function startBanner(
  config: Readonly<Config>,
  url: string,
  running: readonly Platform[],
  metricsUrl: string | undefined,
): string {
  const embedded = [
    config.database.kind === 'pglite'
      ? 'database: embedded PGlite (set DATABASE_URL for Postgres)'
      : undefined,
    config.redis ? undefined : 'jobs: in-process runner (set REDIS_URL for BullMQ)',
    config.s3 ? undefined : `images: local folder ${config.dataDir}/images (set S3_BUCKET for S3)`,
    config.gemini
      ? undefined
      : 'image model: offline renderer, labelled "offline preview" (set GEMINI_API_KEY)',
    config.openai ? undefined : 'features: offline palette extractor (set OPENAI_API_KEY)',
  ].filter((line) => line !== undefined);
  const loopback = isLoopbackHost(config.host);
  const platformLines = chatPlatforms.flatMap((entry) => {
    const on = running.includes(entry.platform);
    if (entry.platform !== 'playground') return [`${entry.platform}: ${on ? 'on' : entry.off}`];
    if (on && !loopback)
      return [
        `playground: ${url} — WARNING: it has no login and listens on ${config.host}: anyone who reaches this port acts as its admin and spends the model keys`,
      ];
    if (on) return [`playground: open ${url} in a browser to try Facet`];
    if (running.length === 0 && !loopback)
      return [
        `playground: off, as FACET_HOST ${config.host} is not loopback (it has no login; FACET_PLAYGROUND=1 turns it on)`,
      ];
    return [];
  });
  const token = config.metrics.token === undefined ? '' : ' (bearer token)';
  const metricsLine = {
    'own-port': `metrics: ${metricsUrl ?? '(its own port)'}/metrics${token}`,
    'main-port': `metrics: ${url}/metrics${token}`,
    off: 'metrics: off on a public port (set FACET_METRICS_PORT or FACET_METRICS_TOKEN)',
  }[metricsPlacement(config)];
  return [
    `Facet is running at ${url}`,
    ...platformLines.map((line) => `  ${line}`),
    `  ${metricsLine}`,
    ...(embedded.length > 0 ? ['  embedded stand-ins:', ...embedded.map((line) => `    ${line}`)] : []),
  ].join('\n');
}
