/**
 * `npm run test:attack`: replays the attacks of issue 17 against running Facet instances on 127.0.0.1
 * (ports chosen by the OS) and exits non-zero on any regression. One line per attack, then a summary.
 *
 *   (a) the playground on the embedded defaults (PGlite in a temp folder, in-process jobs), as `npm start`;
 *   (b) Slack HTTP mode with OAuth installs on Postgres (a fresh database) and Redis, Slack's Web API faked.
 *
 * Bounded: about 200 HTTP requests and 40 s (the slowest attack waits ~16 s for a server timeout, beside
 * the others); a watchdog stops the run at 120 s. Cleans up (instances, database, Redis jobs, temp folders)
 * on success, failure and Ctrl-C.
 * ATTACK_LOG_LEVEL=debug shows Facet's own logs on stderr; ATTACK_REDIS_URL picks the Redis database.
 */
import { dnsRebindingAttacks } from './attacks/dns-rebinding.ts';
import { grantCeilingAttacks } from './attacks/grant-ceiling.ts';
import { imageUrlAttacks } from './attacks/image-urls.ts';
import { ledgerAuditAttacks } from './attacks/ledger-audit.ts';
import { metricsAttacks } from './attacks/metrics.ts';
import { openPlaygroundAttacks } from './attacks/open-playground.ts';
import { playgroundKeyAttacks } from './attacks/playground-keys.ts';
import { promptInjectionAttacks } from './attacks/prompt-injection.ts';
import { slackGrantKeyAttacks } from './attacks/slack-grant-keys.ts';
import { slackMemoryAttacks } from './attacks/slack-memory.ts';
import { slackRegressionAttacks } from './attacks/slack-regressions.ts';
import { slackSmallerAttacks } from './attacks/slack-smaller.ts';
import { slackSlowHeaders, slowBodyAttacks, startSlowBodies } from './attacks/slow-body.ts';
import { zeroPriceAttacks } from './attacks/zero-prices.ts';
import { Cleanup } from './cleanup.ts';
import { attackRedisUrl, startPlaygroundInstance, startSlackInstance } from './instances.ts';
import { PlaygroundDriver } from './playground-driver.ts';
import { requestCount } from './raw-http.ts';
import { formatResult, formatSummary, outcome, runAttack, type Attack, type Result } from './report.ts';
import { ensureServices, redisProblem } from './services.ts';
import { setUpSlackCast } from './slack-cast.ts';
import { SlackDriver } from './slack-driver.ts';

const started = Date.now();
const watchdogMs = 120_000;
const cleanup = new Cleanup();
const results: Result[] = [];

/** Set once the run is being stopped: attacks still running then are not reported. */
let stopping = false;

function record(result: Result): void {
  if (stopping) return;
  results.push(result);
  console.log(formatResult(result));
}

async function run(attacks: Attack[]): Promise<void> {
  for (const attack of attacks) record(await runAttack(attack));
}

function failed(name: string, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  record({ name, expected: 'runs', got: `error: ${message}`, ok: false, ms: 0 });
}

async function main(): Promise<void> {
  const problem = ensureServices() ?? (await redisProblem(attackRedisUrl));
  if (problem) throw new ServicesDown(problem);
  await run([...openPlaygroundAttacks(), ...promptInjectionAttacks()]);

  const [playgroundStart, slackStart] = await Promise.allSettled([
    startPlaygroundInstance(cleanup),
    startSlackInstance(cleanup),
  ]);
  if (playgroundStart.status === 'rejected')
    throw new Error('the playground instance did not start', { cause: playgroundStart.reason });
  if (slackStart.status === 'rejected')
    throw new Error('the Slack instance did not start', { cause: slackStart.reason });
  const playground = playgroundStart.value;
  const slack = slackStart.value;
  console.log(
    `instances: playground ${playground.facet.url}, Slack ${slack.facet.url} (database and Redis of their own)`,
  );

  // The slowest attack runs beside the others: it only waits for the server's request timeout.
  const slow = startSlowBodies([
    { name: '/slack/events', url: `${slack.facet.url}/slack/events`, headers: slackSlowHeaders() },
    {
      name: '/playground/api/command',
      url: `${playground.facet.url}/playground/api/command`,
      headers: { 'content-type': 'application/json' },
    },
  ]);
  cleanup.add('end the slow bodies', () => Promise.resolve(slow.abort()));
  // Memory first, while nothing else runs in this process.
  await run(slackMemoryAttacks(slack));
  await run(metricsAttacks(slack));

  const pg = new PlaygroundDriver(playground.facet);
  const sharedPrompt = 'a walnut desk organiser started twice under one request id';
  await run(dnsRebindingAttacks(pg, playground.facet.url));
  await run(playgroundKeyAttacks(pg, sharedPrompt));
  await run(imageUrlAttacks(pg, playground.facet.url, playground.dataDir, sharedPrompt));

  const driver = new SlackDriver(slack);
  const cast = await setUpSlackCast(slack, driver).catch((error: unknown) =>
    failed('Slack set-up (OAuth installs, workspaces)', error),
  );
  if (cast) {
    await run(zeroPriceAttacks(slack, driver, cast));
    await run(slackGrantKeyAttacks(slack, driver, cast));
    await run(slackSmallerAttacks(slack, driver, cast));
    await run(grantCeilingAttacks(slack, driver, cast));
    await run(slackRegressionAttacks(slack, driver, cast));
  }
  await run(slowBodyAttacks(slow));
  await run(ledgerAuditAttacks(slack, playground));
}

class ServicesDown extends Error {}

async function finish(code: number): Promise<never> {
  stopping = true;
  const problems = await cleanup.run();
  for (const problem of problems) console.error(`cleanup: ${problem}`);
  console.log(formatSummary(results, Date.now() - started, requestCount.sent));
  process.exit(problems.length > 0 ? 1 : code);
}

process.on('unhandledRejection', (error) => failed('unexpected rejection', error));
process.once('SIGINT', () => {
  console.log('interrupted: cleaning up');
  void finish(130);
});
setTimeout(() => {
  record({
    name: 'the whole run',
    expected: `under ${watchdogMs / 1000} s`,
    ...outcome(false, 'still running'),
    ms: watchdogMs,
  });
  void finish(1);
}, watchdogMs);

main().then(
  () => finish(results.every((r) => r.ok) ? 0 : 1),
  (error: unknown) => {
    if (error instanceof ServicesDown) {
      console.error(error.message);
      return finish(2);
    }
    failed('attack run', error);
    if (error instanceof Error && error.cause !== undefined) console.error(error.cause);
    return finish(1);
  },
);
