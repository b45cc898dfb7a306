import { pino, type Logger } from 'pino';

export type { Logger };

/** Paths pino blanks out wherever they appear in a log object: no token or secret reaches a log line. */
export const redactedPaths = [
  '*.token',
  '*.botToken',
  '*.appToken',
  '*.apiKey',
  '*.signingSecret',
  '*.clientSecret',
  '*.stateSecret',
  '*.password',
  '*.authorization',
  '*.headers.authorization',
  'config.database.url',
  'config.redis.url',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = {
    level,
    base: { service: 'facet' },
    redact: { paths: redactedPaths, censor: '[redacted]' },
  };
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
}
