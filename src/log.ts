import { pino, type Logger } from 'pino';

export type { Logger };

const secretFields = [
  'token',
  'botToken',
  'appToken',
  'apiKey',
  'signingSecret',
  'clientSecret',
  'stateSecret',
  'password',
  'authorization',
];

/** Paths pino blanks out, at the top of a log object or one level down. */
export const redactedPaths = [
  ...secretFields,
  ...secretFields.map((field) => `*.${field}`),
  '*.headers.authorization',
  'config.database.url',
  'config.redis.url',
];

// Shorter values would blank out ordinary words; real tokens and keys are far longer.
const shortestScrubbedSecret = 8;

/**
 * `secrets`: the configured values themselves. Paths only cover fields we name; a secret can also
 * arrive inside text we do not control (an SDK's error message echoing a key, a URL in a stack), so
 * every line is scrubbed of the known values before it is written.
 */
export function createLogger(
  level: string,
  options: { destination?: NodeJS.WritableStream; secrets?: readonly (string | undefined)[] } = {},
): Logger {
  const scrub = scrubberOf(options.secrets ?? []);
  const settings = {
    level,
    base: { service: 'facet' },
    redact: { paths: redactedPaths, censor: '[redacted]' },
    ...(scrub ? { hooks: { streamWrite: scrub } } : {}),
  };
  return options.destination ? pino(settings, options.destination as pino.DestinationStream) : pino(settings);
}

function scrubberOf(secrets: readonly (string | undefined)[]): ((line: string) => string) | undefined {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret === undefined || secret.length < shortestScrubbedSecret) continue;
    // As written raw, inside a JSON string, and percent-encoded in a URL.
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(encodeURIComponent(secret));
  }
  if (forms.size === 0) return undefined;
  const pattern = new RegExp(
    [...forms]
      .sort((a, b) => b.length - a.length)
      .map((form) => form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('|'),
    'g',
  );
  return (line) => line.replace(pattern, '[redacted]');
}
