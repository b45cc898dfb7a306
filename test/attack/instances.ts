import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { loadConfig, type Config } from '../../src/config.ts';
import { startFacet, type FacetHandle } from '../../src/main.ts';
import type { FacetDatabase } from '../../src/storage/database.ts';
import { startFakeSlack, type FakeSlack } from '../fakes/fake-slack-api.ts';
import { createTestDatabase } from '../helpers/test-database.ts';
import type { Cleanup } from './cleanup.ts';
import { removeJobsOfRun } from './redis-jobs.ts';
import { startResponseCatcher, type ResponseCatcher } from './response-catcher.ts';

/** Facet's own logs stay quiet unless ATTACK_LOG_LEVEL asks for them (on stderr). */
const logger = pino({ level: process.env.ATTACK_LOG_LEVEL ?? 'silent' }, pino.destination(2));

export type PlaygroundInstance = { facet: FacetHandle; config: Readonly<Config>; dataDir: string };

/** (a) `npm start` on a fresh machine: embedded PGlite in a new data folder, in-process jobs, the playground. */
export async function startPlaygroundInstance(cleanup: Cleanup): Promise<PlaygroundInstance> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'facet-attack-playground-'));
  cleanup.add('remove the playground data folder', () => rm(dataDir, { recursive: true, force: true }));
  const config = loadConfig({ PORT: '0', FACET_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const facet = await startFacet(config, logger);
  cleanup.add('close the playground instance', () => facet.close());
  return { facet, config, dataDir };
}

export type SlackInstance = {
  facet: FacetHandle;
  config: Readonly<Config>;
  db: FacetDatabase;
  slack: FakeSlack;
  responses: ResponseCatcher;
  dataDir: string;
  signingSecret: string;
  metricsToken: string;
  adminGrantsPerDay: number;
};

/** A Redis database of its own (tests use 7 and 8, benches 9): Facet has no setting for a BullMQ prefix. */
export const attackRedisUrl = process.env.ATTACK_REDIS_URL ?? 'redis://127.0.0.1:6379/11';

/**
 * (b) Slack HTTP mode with OAuth installs on Postgres (a fresh database) and Redis, the Web API faked on
 * loopback, /metrics behind a token on the main port, a small daily ceiling on admins' grants.
 */
export async function startSlackInstance(cleanup: Cleanup): Promise<SlackInstance> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'facet-attack-slack-'));
  cleanup.add('remove the Slack data folder', () => rm(dataDir, { recursive: true, force: true }));
  const slack = await startFakeSlack();
  cleanup.add('close the fake Slack', () => slack.close());
  const responses = await startResponseCatcher();
  cleanup.add('close the response_url catcher', () => responses.close());
  const database = await createTestDatabase('attack');
  cleanup.add(`drop database ${database.name}`, () => database.drop());
  const signingSecret = randomBytes(16).toString('hex');
  const metricsToken = randomBytes(16).toString('hex');
  const adminGrantsPerDay = 100;
  const config = loadConfig({
    PORT: '0',
    DATABASE_URL: database.url,
    REDIS_URL: attackRedisUrl,
    FACET_DATA_DIR: dataDir,
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_CLIENT_ID: '111.222',
    SLACK_CLIENT_SECRET: randomBytes(16).toString('hex'),
    SLACK_STATE_SECRET: randomBytes(16).toString('hex'),
    SLACK_API_URL: slack.apiUrl,
    FACET_METRICS_TOKEN: metricsToken,
    FACET_ADMIN_GRANTS_PER_DAY: String(adminGrantsPerDay),
    LOG_LEVEL: 'silent',
  });
  cleanup.add(`remove this run's jobs from ${attackRedisUrl}`, () =>
    removeJobsOfRun(attackRedisUrl, database.db),
  );
  const facet = await startFacet(config, logger);
  cleanup.add('close the Slack instance', () => facet.close());
  return {
    facet,
    config,
    db: database.db,
    slack,
    responses,
    dataDir,
    signingSecret,
    metricsToken,
    adminGrantsPerDay,
  };
}
