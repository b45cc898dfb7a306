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
  options: {
    destination?: NodeJS.WritableStream;
    secrets?: readonly (string | undefined)[];
    /** `pretty`: lines for a person at a terminal (see prettyLine); JSON lines otherwise. */
    format?: LogFormat;
  } = {},
): Logger {
  const scrub = scrubberOf(options.secrets ?? []);
  const settings = {
    level,
    base: { service: 'facet' },
    redact: { paths: redactedPaths, censor: '[redacted]' },
    ...(scrub ? { hooks: { streamWrite: scrub } } : {}),
  };
  if (options.format === 'pretty') {
    const out = options.destination ?? process.stdout;
    return pino(settings, { write: (line: string) => out.write(prettyLine(line)) });
  }
  return options.destination ? pino(settings, options.destination as pino.DestinationStream) : pino(settings);
}

export type LogFormat = 'json' | 'pretty';

/**
 * FACET_LOG_FORMAT (`json`, `pretty` or `auto`, the default): `auto` is pretty when the logs go to a
 * terminal and JSON lines for everything else (files, pipes, log collectors). Undefined for another value.
 */
export function logFormatOf(wanted: string | undefined, toTerminal: boolean): LogFormat | undefined {
  if (wanted === undefined || wanted === '' || wanted === 'auto') return toTerminal ? 'pretty' : 'json';
  return wanted === 'json' || wanted === 'pretty' ? wanted : undefined;
}

const levelNames: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/**
 * One JSON log line as a person reads it: `12:00:01 WARN  message  key=value ...`. A message of several
 * lines (the start banner) is printed as the block it is, its fields on a last line. An error shows its
 * message, and its stack only at level error and above: a warning (a job interrupted by Ctrl-C, say)
 * is an expected event, not a crash.
 */
export function prettyLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const { level, time, msg, err, ...fields } = entry;
  delete fields.service; // every line's
  const levelNumber = typeof level === 'number' ? level : 30;
  const message = typeof msg === 'string' ? msg : '';
  const details = Object.entries(fields)
    // A block (the start banner) already says what its text fields say: only the others are added.
    .filter(([, value]) => !(message.includes('\n') && typeof value === 'string' && message.includes(value)))
    .map(([key, value]) => `${key}=${fieldText(value)}`);
  let stack: string | undefined;
  if (err !== null && typeof err === 'object') {
    const error = err as { message?: unknown; stack?: unknown };
    details.unshift(`error=${fieldText(error.message ?? '')}`);
    if (levelNumber >= 50 && typeof error.stack === 'string') stack = error.stack;
  }
  if (message.includes('\n'))
    return `\n${message}\n${details.length > 0 ? `  (${details.join('  ')})\n` : ''}\n`;
  const clock = typeof time === 'number' ? new Date(time).toTimeString().slice(0, 8) : '';
  const head = `${clock} ${(levelNames[levelNumber] ?? String(level)).padEnd(5)} ${message}`;
  return `${[head, ...details].join('  ')}\n${stack ? `${stack}\n` : ''}`;
}

function fieldText(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return typeof value === 'string' && /[\s="]/.test(text) ? JSON.stringify(text) : text;
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
