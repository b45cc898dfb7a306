import path from 'node:path';
import { z } from 'zod';
import { parseDuration } from './duration.ts';
import {
  defaultModelPrices,
  type ModelPrice,
  type ModelPrices,
} from './workflow/model-calls/model-prices.ts';

/** Every variable Facet reads, with what it means. `.env.example` and the README table are generated from the same words. */
export const configVariables = {
  PORT: 'HTTP port of the web role (Slack receiver, OAuth, images, health, playground).',
  FACET_HOST: 'Interface the HTTP server binds to. Loopback unless set, so nothing is exposed by accident.',
  PUBLIC_URL:
    'Public https base URL of this deployment; image links given to Slack and Discord start with it.',
  DATABASE_URL: 'Postgres connection string. Unset: embedded PGlite under FACET_DATA_DIR.',
  DATABASE_PREPARED_STATEMENTS:
    'Named (prepared) statements on Postgres, planned once per connection; false behind a pooler that cannot keep them.',
  REDIS_URL: 'Redis connection string for the BullMQ job queue. Unset: in-process job runner (one process).',
  S3_BUCKET:
    'S3 (or compatible) bucket for images. Unset: images kept under FACET_DATA_DIR and served by Facet.',
  S3_ENDPOINT: 'Endpoint of an S3-compatible store (MinIO, R2, ...). Unset: AWS.',
  S3_REGION: 'Region of the bucket.',
  S3_FORCE_PATH_STYLE: 'true for stores that need path-style URLs (MinIO, s3rver).',
  SLACK_BOT_TOKEN: 'xoxb- token for single-workspace Slack mode.',
  SLACK_SIGNING_SECRET: 'Signing secret of the Slack app; required for HTTP mode and OAuth.',
  SLACK_APP_TOKEN: 'xapp- token: Socket Mode instead of HTTP.',
  SLACK_CLIENT_ID: 'OAuth client id for multi-workspace installs.',
  SLACK_CLIENT_SECRET: 'OAuth client secret for multi-workspace installs.',
  SLACK_STATE_SECRET: 'Secret that signs the OAuth state parameter.',
  SLACK_API_URL: 'Override of the Slack Web API base URL (proxies, tests).',
  DISCORD_TOKEN: 'Bot token of the Discord application.',
  DISCORD_APPLICATION_ID: 'Application id of the Discord application.',
  DISCORD_API_URL: 'Override of the Discord REST base URL (proxies, tests).',
  DISCORD_PUBLIC_KEY:
    'Public Key of the Discord application (Developer Portal). Set: HTTP interactions at /discord/interactions on the web role, no gateway connection; unset: the gateway bot.',
  DISCORD_MESSAGE_CONTENT:
    "true: read messages in cards' threads (replies as Request changes, where a server's settings switch them on); asks Discord for the GuildMessages and the privileged Message Content intents, which the application must have enabled. false: only the Guilds intent.",
  GEMINI_API_KEY: 'Gemini API key. Unset: the offline renderer draws labelled previews.',
  GEMINI_BASE_URL: 'Override of the Gemini API base URL.',
  GEMINI_IMAGE_MODEL: 'Gemini image model.',
  FACET_OFFLINE_LATENCY:
    'How long the offline renderer takes per image (e.g. 3s), so a demo shows the progress. Unset: no delay.',
  OPENAI_API_KEY: 'OpenAI API key for feature extraction. Unset: offline extractor (palette from the image).',
  OPENAI_BASE_URL: 'Override of the OpenAI API base URL.',
  OPENAI_VISION_MODEL: 'OpenAI vision model for feature extraction.',
  FACET_STARTER_CREDITS: 'Credits a new (workspace, user) account receives once.',
  FACET_ADMIN_GRANTS_PER_DAY:
    "The most credits a workspace's admins may grant in any 24 hours with /design grant (0: no limit). The operator's `facet credits grant` is not limited.",
  FACET_HOLD_TTL:
    'How long reserved credits wait for an approval before they expire and return (e.g. 30m, 24h, 7d).',
  FACET_JOB_CONCURRENCY:
    "Jobs one worker process runs at once with Redis (front views, views, sheets): most of a job's time is spent waiting for the image model, so this is well above the cores. The image model's own rate limit is the other bound.",
  FACET_MAX_GENERATING:
    'Designs one workspace may have generating at once; more wait in line, their cards show their place (0: no cap).',
  FACET_MAX_GENERATING_PER_USER:
    'Designs one person may have generating at once; their next ones wait in line (0: no cap).',
  FACET_RATE_LIMIT:
    'Commands and button clicks one person may send per minute before being asked to slow down (0: no limit).',
  FACET_MONTHLY_BUDGET_USD:
    "Each workspace's estimated AI spend per calendar month (UTC), in US dollars, unless the workspace sets its own in /design settings; past it new designs are refused. Unset: no cap.",
  FACET_DAILY_BUDGET_USD:
    'Estimated AI spend of all workspaces together per day (UTC), in US dollars; past it new designs are refused everywhere. Unset: no cap.',
  FACET_MODEL_PRICES:
    'Corrections to the price table the cost estimates use, as JSON by model id, e.g. {"gemini-2.5-flash-image":{"inputPerMillionTokens":0.3,"outputPerMillionTokens":30,"perImage":0.039,"perCall":0}} (docs/operations.md).',
  FACET_DATA_DIR: 'Folder for the embedded database and local images.',
  FACET_PLAYGROUND:
    'The local playground page at / (it has no login: whoever reaches it is its admin): on (1) or off (0). Unset: on when neither Slack nor Discord is configured and FACET_HOST is a loopback address.',
  FACET_METRICS_PORT:
    'Port of a separate server for /metrics (Prometheus), bound to FACET_METRICS_HOST. Unset: /metrics is on PORT, and only when FACET_HOST is loopback or FACET_METRICS_TOKEN is set.',
  FACET_METRICS_HOST: 'Interface the /metrics server of FACET_METRICS_PORT binds to.',
  FACET_METRICS_TOKEN:
    'Bearer token a /metrics scrape must send (Authorization: Bearer ...). Unset: no token asked.',
  LOG_LEVEL: 'pino log level: fatal, error, warn, info, debug, trace or silent.',
} as const;

export type ConfigVariable = keyof typeof configVariables;

export const configDefaults: Partial<Record<ConfigVariable, string>> = {
  PORT: '3000',
  FACET_HOST: '127.0.0.1',
  S3_REGION: 'us-east-1',
  S3_FORCE_PATH_STYLE: 'false',
  DISCORD_MESSAGE_CONTENT: 'false',
  DATABASE_PREPARED_STATEMENTS: 'true',
  GEMINI_IMAGE_MODEL: 'gemini-2.5-flash-image',
  OPENAI_VISION_MODEL: 'gpt-4o-mini',
  FACET_STARTER_CREDITS: '10',
  FACET_ADMIN_GRANTS_PER_DAY: '1000',
  FACET_METRICS_HOST: '127.0.0.1',
  FACET_HOLD_TTL: '24h',
  FACET_JOB_CONCURRENCY: '64',
  FACET_MAX_GENERATING: '10',
  FACET_MAX_GENERATING_PER_USER: '3',
  FACET_RATE_LIMIT: '30',
  FACET_DATA_DIR: './.facet',
  LOG_LEVEL: 'info',
};

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const httpUrl = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .pipe(z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional())
  .optional();

const withDefault = (name: ConfigVariable) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value) => (value === undefined || value === '' ? (configDefaults[name] ?? '') : value));

/** A whole number where 0 means "no limit" (Infinity). */
const capOf = (name: ConfigVariable) =>
  withDefault(name).pipe(
    z.coerce
      .number<string>({ error: 'expected a whole number (0: no limit)' })
      .int('expected a whole number (0: no limit)')
      .min(0)
      .max(1_000_000)
      .transform((n) => (n === 0 ? Infinity : n)),
  );

/** US dollars, to the cent. */
const dollars = z.coerce
  .number<string>({ error: 'expected an amount in US dollars, e.g. 50 or 12.50' })
  .min(0, 'expected an amount in US dollars, e.g. 50 or 12.50')
  .max(10_000_000)
  .transform((usd) => Math.round(usd * 100));

const price = z.number().min(0).max(1_000_000);
const modelPricesSchema = z.record(
  z.string().min(1).max(120),
  z.strictObject({
    inputPerMillionTokens: price.optional(),
    outputPerMillionTokens: price.optional(),
    perImage: price.optional(),
    perCall: price.optional(),
  }),
);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const environmentSchema = z.object({
  PORT: withDefault('PORT').pipe(
    z.coerce
      .number<string>({ error: 'expected a port number' })
      .int()
      .min(0)
      .max(65535, 'expected a port number'),
  ),
  FACET_HOST: withDefault('FACET_HOST'),
  PUBLIC_URL: httpUrl,
  DATABASE_URL: optionalText.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL')
      .optional(),
  ),
  DATABASE_PREPARED_STATEMENTS: withDefault('DATABASE_PREPARED_STATEMENTS').pipe(
    z.enum(['true', 'false', '1', '0'], { error: 'expected true or false' }),
  ),
  REDIS_URL: optionalText.pipe(
    z
      .string()
      .regex(/^rediss?:\/\//, 'expected a redis:// URL')
      .optional(),
  ),
  S3_BUCKET: optionalText,
  S3_ENDPOINT: httpUrl,
  S3_REGION: withDefault('S3_REGION'),
  S3_FORCE_PATH_STYLE: withDefault('S3_FORCE_PATH_STYLE').pipe(
    z.enum(['true', 'false', '1', '0'], { error: 'expected true or false' }),
  ),
  SLACK_BOT_TOKEN: optionalText,
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_APP_TOKEN: optionalText,
  SLACK_CLIENT_ID: optionalText,
  SLACK_CLIENT_SECRET: optionalText,
  SLACK_STATE_SECRET: optionalText,
  SLACK_API_URL: httpUrl,
  DISCORD_TOKEN: optionalText,
  DISCORD_APPLICATION_ID: optionalText.pipe(
    z
      .string()
      .regex(/^\d{5,25}$/, 'expected a numeric Discord application id')
      .optional(),
  ),
  DISCORD_API_URL: httpUrl,
  DISCORD_PUBLIC_KEY: optionalText.pipe(
    z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'expected the 64 hex characters of the Public Key')
      .transform((key) => key.toLowerCase())
      .optional(),
  ),
  DISCORD_MESSAGE_CONTENT: withDefault('DISCORD_MESSAGE_CONTENT').pipe(
    z.enum(['true', 'false', '1', '0'], { error: 'expected true or false' }),
  ),
  GEMINI_API_KEY: optionalText,
  FACET_OFFLINE_LATENCY: optionalText.transform((text, context) => {
    if (text === undefined) return 0;
    const ms = /^\s*0+\s*(ms|s|m|h|d)?\s*$/.test(text) ? 0 : parseDuration(text);
    if (ms === undefined || ms > 600_000) {
      context.addIssue({
        code: 'custom',
        message: `expected a duration up to 10m such as 500ms or 3s, got "${text}"`,
      });
      return z.NEVER;
    }
    return ms;
  }),
  GEMINI_BASE_URL: httpUrl,
  GEMINI_IMAGE_MODEL: withDefault('GEMINI_IMAGE_MODEL'),
  OPENAI_API_KEY: optionalText,
  OPENAI_BASE_URL: httpUrl,
  OPENAI_VISION_MODEL: withDefault('OPENAI_VISION_MODEL'),
  FACET_STARTER_CREDITS: withDefault('FACET_STARTER_CREDITS').pipe(
    z.coerce
      .number<string>({ error: 'expected a whole number' })
      .int('expected a whole number')
      .min(0)
      .max(1_000_000),
  ),
  FACET_ADMIN_GRANTS_PER_DAY: capOf('FACET_ADMIN_GRANTS_PER_DAY'),
  FACET_HOLD_TTL: withDefault('FACET_HOLD_TTL').transform((text, context) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      context.addIssue({
        code: 'custom',
        message: `expected a duration such as 30m, 24h or 7d, got "${text}"`,
      });
      return z.NEVER;
    }
    return ms;
  }),
  FACET_JOB_CONCURRENCY: withDefault('FACET_JOB_CONCURRENCY').pipe(
    z.coerce
      .number<string>({ error: 'expected a whole number' })
      .int('expected a whole number')
      .min(1)
      .max(1_000),
  ),
  FACET_MAX_GENERATING: capOf('FACET_MAX_GENERATING'),
  FACET_MAX_GENERATING_PER_USER: capOf('FACET_MAX_GENERATING_PER_USER'),
  FACET_RATE_LIMIT: capOf('FACET_RATE_LIMIT'),
  FACET_MONTHLY_BUDGET_USD: optionalText.pipe(dollars.optional()),
  FACET_DAILY_BUDGET_USD: optionalText.pipe(dollars.optional()),
  FACET_MODEL_PRICES: optionalText.transform((text, context) => {
    if (text === undefined) return {};
    const parsed = modelPricesSchema.safeParse(parseJson(text));
    if (!parsed.success) {
      context.addIssue({
        code: 'custom',
        message: `expected JSON such as {"model-id":{"perImage":0.04}} with prices in US dollars: ${parsed.error.issues[0]?.message ?? 'not JSON'}`,
      });
      return z.NEVER;
    }
    return parsed.data;
  }),
  FACET_DATA_DIR: withDefault('FACET_DATA_DIR'),
  FACET_PLAYGROUND: optionalText.pipe(
    z.enum(['0', '1', 'true', 'false'], { error: 'expected 1 (on) or 0 (off)' }).optional(),
  ),
  FACET_METRICS_PORT: optionalText.pipe(
    z.coerce
      .number<string>({ error: 'expected a port number' })
      .int('expected a port number')
      .min(0)
      .max(65535, 'expected a port number')
      .optional(),
  ),
  FACET_METRICS_HOST: withDefault('FACET_METRICS_HOST'),
  FACET_METRICS_TOKEN: optionalText.pipe(
    z.string().min(16, 'expected at least 16 characters (a random token)').optional(),
  ),
  LOG_LEVEL: withDefault('LOG_LEVEL').pipe(
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'expected fatal, error, warn, info, debug, trace or silent',
    }),
  ),
});

/** Variables that only make sense together. Checked on the raw environment so they are reported with every other problem. */
function missingCompanions(env: Environment): string[] {
  const isSet = (name: ConfigVariable) => (env[name]?.trim() ?? '') !== '';
  const problems: string[] = [];
  const require = (name: ConfigVariable, when: string) => {
    if (!isSet(name) && !problems.some((p) => p.startsWith(`${name}:`)))
      problems.push(`${name}: required ${when}`);
  };
  if (isSet('SLACK_BOT_TOKEN') && !isSet('SLACK_APP_TOKEN')) {
    require('SLACK_SIGNING_SECRET', 'when SLACK_BOT_TOKEN is set without SLACK_APP_TOKEN (HTTP mode)');
  }
  if (isSet('SLACK_CLIENT_ID') || isSet('SLACK_CLIENT_SECRET')) {
    for (const name of [
      'SLACK_CLIENT_ID',
      'SLACK_CLIENT_SECRET',
      'SLACK_STATE_SECRET',
      'SLACK_SIGNING_SECRET',
    ] as const) {
      require(name, 'for Slack OAuth');
    }
  }
  if (isSet('SLACK_APP_TOKEN')) {
    require('SLACK_BOT_TOKEN', 'for Socket Mode (a Socket Mode app serves the one workspace it is installed in)');
    if (isSet('SLACK_CLIENT_ID'))
      problems.push(
        'SLACK_APP_TOKEN: Socket Mode cannot be combined with OAuth installs (SLACK_CLIENT_ID); pick one',
      );
  }
  if (isSet('DISCORD_TOKEN')) require('DISCORD_APPLICATION_ID', 'when DISCORD_TOKEN is set');
  if (isSet('DISCORD_PUBLIC_KEY'))
    require('DISCORD_TOKEN', 'when DISCORD_PUBLIC_KEY is set (cards are posted and edited with the bot token)');
  if (isSet('S3_ENDPOINT')) require('S3_BUCKET', 'when S3_ENDPOINT is set');
  return problems;
}

export type SlackConfig = {
  signingSecret: string | undefined;
  botToken: string | undefined;
  appToken: string | undefined;
  oauth: { clientId: string; clientSecret: string; stateSecret: string } | undefined;
  apiUrl: string | undefined;
};

export type Config = {
  port: number;
  host: string;
  publicUrl: string | undefined;
  dataDir: string;
  database:
    { kind: 'postgres'; url: string; preparedStatements?: boolean } | { kind: 'pglite'; dataDir: string };
  /** `concurrency`: jobs one worker process runs at once. */
  redis: { url: string; concurrency: number } | undefined;
  s3: { bucket: string; endpoint: string | undefined; region: string; forcePathStyle: boolean } | undefined;
  slack: SlackConfig | undefined;
  /**
   * `publicKey` set: HTTP interactions (POST /discord/interactions); unset: the gateway bot.
   * `messageContent`: read messages in cards' threads (the Message Content intent): replies as feedback.
   */
  discord:
    | {
        token: string;
        applicationId: string;
        apiUrl: string | undefined;
        publicKey?: string | undefined;
        messageContent?: boolean | undefined;
      }
    | undefined;
  gemini: { apiKey: string; baseUrl: string | undefined; model: string } | undefined;
  openai: { apiKey: string; baseUrl: string | undefined; model: string } | undefined;
  /** The offline renderer (used without Gemini): a delay per image, 0 for none. */
  offline: { latencyMs: number };
  credits: { starterCredits: number; holdTtlMs: number; adminGrantsPerDay: number };
  /** Fairness: caps on designs generating at once (Infinity: none) and requests per person per minute. */
  limits: { maxGenerating: number; maxGeneratingPerUser: number; requestsPerMinute: number };
  /** Estimated AI spend: caps in US cents (undefined: none) and corrections to the price table. */
  ai: {
    /** Each workspace's month (unless it sets its own) and all workspaces' day. */
    budgets: { workspaceMonthlyCents: number | undefined; dailyCents: number | undefined };
    prices: ModelPrices;
  };
  /** The local playground page: on by default only on a loopback host with no chat platform configured. */
  playground: boolean;
  /** Where /metrics is served: on PORT (`port` unset) or a server of its own; a token when one is asked. */
  metrics: { port: number | undefined; host: string; token: string | undefined };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
};

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `Facet cannot start: the configuration has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}\nSee .env.example for every variable.`,
    );
    this.name = 'ConfigError';
  }
}

type Environment = Record<string, string | undefined>;

/** Parses the whole environment once; throws one ConfigError that lists every problem. */
export function loadConfig(environment: Environment = process.env): Readonly<Config> {
  const parsed = environmentSchema.safeParse(pickKnown(environment));
  const problems = [
    ...(parsed.error?.issues ?? []).map((issue) => {
      const name = issue.path.join('.') || 'environment';
      const raw = environment[name];
      const shown = raw === undefined || isSecret(name) ? '' : ` (got "${raw.slice(0, 60)}")`;
      return `${name}: ${issue.message}${shown}`;
    }),
    ...missingCompanions(environment),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const env = parsed.data;
  const dataDir = path.resolve(env.FACET_DATA_DIR);
  const slackConfigured = [env.SLACK_BOT_TOKEN, env.SLACK_APP_TOKEN, env.SLACK_CLIENT_ID].some(
    (v) => v !== undefined,
  );
  const config: Config = {
    port: env.PORT,
    host: env.FACET_HOST,
    publicUrl: env.PUBLIC_URL?.replace(/\/+$/, ''),
    dataDir,
    database:
      env.DATABASE_URL === undefined
        ? { kind: 'pglite', dataDir: path.join(dataDir, 'db') }
        : {
            kind: 'postgres',
            url: env.DATABASE_URL,
            preparedStatements: ['true', '1'].includes(env.DATABASE_PREPARED_STATEMENTS),
          },
    redis:
      env.REDIS_URL === undefined
        ? undefined
        : { url: env.REDIS_URL, concurrency: env.FACET_JOB_CONCURRENCY },
    s3:
      env.S3_BUCKET === undefined
        ? undefined
        : {
            bucket: env.S3_BUCKET,
            endpoint: env.S3_ENDPOINT,
            region: env.S3_REGION,
            forcePathStyle: env.S3_FORCE_PATH_STYLE === 'true' || env.S3_FORCE_PATH_STYLE === '1',
          },
    slack: slackConfigured
      ? {
          signingSecret: env.SLACK_SIGNING_SECRET,
          botToken: env.SLACK_BOT_TOKEN,
          appToken: env.SLACK_APP_TOKEN,
          oauth:
            env.SLACK_CLIENT_ID !== undefined &&
            env.SLACK_CLIENT_SECRET !== undefined &&
            env.SLACK_STATE_SECRET !== undefined
              ? {
                  clientId: env.SLACK_CLIENT_ID,
                  clientSecret: env.SLACK_CLIENT_SECRET,
                  stateSecret: env.SLACK_STATE_SECRET,
                }
              : undefined,
          apiUrl: env.SLACK_API_URL,
        }
      : undefined,
    discord:
      env.DISCORD_TOKEN !== undefined && env.DISCORD_APPLICATION_ID !== undefined
        ? {
            token: env.DISCORD_TOKEN,
            applicationId: env.DISCORD_APPLICATION_ID,
            apiUrl: env.DISCORD_API_URL,
            publicKey: env.DISCORD_PUBLIC_KEY,
            messageContent: env.DISCORD_MESSAGE_CONTENT === 'true' || env.DISCORD_MESSAGE_CONTENT === '1',
          }
        : undefined,
    gemini:
      env.GEMINI_API_KEY === undefined
        ? undefined
        : { apiKey: env.GEMINI_API_KEY, baseUrl: env.GEMINI_BASE_URL, model: env.GEMINI_IMAGE_MODEL },
    openai:
      env.OPENAI_API_KEY === undefined
        ? undefined
        : { apiKey: env.OPENAI_API_KEY, baseUrl: env.OPENAI_BASE_URL, model: env.OPENAI_VISION_MODEL },
    offline: { latencyMs: env.FACET_OFFLINE_LATENCY },
    credits: {
      starterCredits: env.FACET_STARTER_CREDITS,
      holdTtlMs: env.FACET_HOLD_TTL,
      adminGrantsPerDay: env.FACET_ADMIN_GRANTS_PER_DAY,
    },
    limits: {
      maxGenerating: env.FACET_MAX_GENERATING,
      maxGeneratingPerUser: env.FACET_MAX_GENERATING_PER_USER,
      requestsPerMinute: env.FACET_RATE_LIMIT,
    },
    ai: {
      budgets: {
        workspaceMonthlyCents: env.FACET_MONTHLY_BUDGET_USD,
        dailyCents: env.FACET_DAILY_BUDGET_USD,
      },
      prices: withPriceCorrections(env.FACET_MODEL_PRICES),
    },
    logLevel: env.LOG_LEVEL,
    playground:
      env.FACET_PLAYGROUND === undefined
        ? !slackConfigured && env.DISCORD_TOKEN === undefined && isLoopbackHost(env.FACET_HOST)
        : env.FACET_PLAYGROUND === '1' || env.FACET_PLAYGROUND === 'true',
    metrics: { port: env.FACET_METRICS_PORT, host: env.FACET_METRICS_HOST, token: env.FACET_METRICS_TOKEN },
  };
  return deepFreeze(config);
}

/** The default table with the operator's corrections: a model it names gets the fields given, the rest stay. */
function withPriceCorrections(corrections: z.infer<typeof modelPricesSchema>): ModelPrices {
  const prices: Record<string, ModelPrice> = { ...defaultModelPrices };
  for (const [model, correction] of Object.entries(corrections)) {
    const base = prices[model] ?? {
      inputPerMillionTokens: 0,
      outputPerMillionTokens: 0,
      perImage: 0,
      perCall: 0,
    };
    prices[model] = {
      inputPerMillionTokens: correction.inputPerMillionTokens ?? base.inputPerMillionTokens,
      outputPerMillionTokens: correction.outputPerMillionTokens ?? base.outputPerMillionTokens,
      perImage: correction.perImage ?? base.perImage,
      perCall: correction.perCall ?? base.perCall,
    };
  }
  return prices;
}

/** Whether a host to bind names only this machine (a name is loopback only when it is `localhost`). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare);
}

function pickKnown(environment: Environment): Environment {
  const known: Environment = {};
  for (const name of Object.keys(configVariables)) known[name] = environment[name];
  return known;
}

function isSecret(name: string): boolean {
  return /TOKEN|SECRET|KEY|DATABASE_URL|REDIS_URL/.test(name);
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** Every secret value in the configuration (and the AWS key the S3 client reads itself), for log scrubbing. */
export function secretsOf(config: Readonly<Config>, environment: Environment = process.env): string[] {
  const passwordOf = (url: string | undefined) => {
    if (url === undefined) return undefined;
    try {
      const password = new URL(url).password;
      return password === '' ? undefined : decodeURIComponent(password);
    } catch {
      return undefined;
    }
  };
  return [
    config.slack?.botToken,
    config.slack?.appToken,
    config.slack?.signingSecret,
    config.slack?.oauth?.clientSecret,
    config.slack?.oauth?.stateSecret,
    config.discord?.token,
    config.gemini?.apiKey,
    config.openai?.apiKey,
    config.metrics.token,
    passwordOf(config.database.kind === 'postgres' ? config.database.url : undefined),
    passwordOf(config.redis?.url),
    environment.AWS_SECRET_ACCESS_KEY,
    environment.AWS_SESSION_TOKEN,
  ].filter((secret): secret is string => secret !== undefined && secret !== '');
}
