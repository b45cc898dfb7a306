import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, secretsOf } from '../config.ts';
import { createLogger, logFormatOf } from '../log.ts';
import { facetRoles, RoleConfigError, startFacet } from '../main.ts';
import { openDatabase } from '../storage/database.ts';
import { migrate } from '../storage/migrator.ts';
import { prepareClusterTemplate } from '../storage/pglite/pglite-cluster.ts';
import { processIo, UsageError, type CliIo } from './cli-io.ts';
import { creditsCommand, creditsUsage } from './credits-command.ts';
import { discordCommand, discordUsage } from './discord-command.ts';
import { exportCommand, exportUsage } from './export-command.ts';
import { linksCommand, linksUsage } from './links-command.ts';
import { usageCommand, usageUsage } from './usage-command.ts';

/** How long `facet start` waits for running work when asked to stop (orchestrators allow 30 s by default). */
const shutdownTimeoutMs = 20_000;

const usage = `Usage: facet <command>

Commands:
  start [--role R]       run Facet: all (default: everything in one process), or one part of a
                         scaled-out deployment: web (HTTP), bot (Discord gateway, Slack Socket Mode)
                         or worker (jobs); the parts share Postgres and Redis
  migrate                apply database migrations (also done at start)
  prepare                make ahead what a first start with the embedded database needs (npm
                         install runs it): a migrated database cluster, cached in ~/.cache/facet
  credits ...            grant credits, show balances and history, audit the ledger
  usage ...              model calls: images, tokens, estimated cost, failure rate, latency
  export designs ...     a workspace's designs as CSV or JSON: iterations, decisions, credits, model time
  discord register       register the /design command with Discord
  links ...              design page links: print one, revoke a design's links
  help                   this text

${creditsUsage}

${usageUsage}

${exportUsage}

${discordUsage}

${linksUsage}

Configuration comes from the environment and from a .env file in the working directory, which fills
only the variables the environment leaves unset; see .env.example. Logs are JSON lines, or readable
text when they go to a terminal (FACET_LOG_FORMAT=json|pretty|auto).`;

/** Runs one `facet` command and returns its exit code. */
export async function runCli(
  argv: string[],
  io: CliIo = processIo,
  environment = process.env,
): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(usage);
        return 0;
      case 'migrate': {
        const config = loadConfig(environment);
        const db = await openDatabase(config.database);
        try {
          const report = await migrate(db);
          io.out(
            report.applied.length === 0
              ? `Database up to date (${report.alreadyApplied} migrations applied before).`
              : `Applied ${report.applied.join(', ')}.`,
          );
        } finally {
          await db.destroy();
        }
        return 0;
      }
      case 'prepare': {
        // Best effort, never a failed install: without it, the first start makes the cluster itself.
        if (usesPostgres(environment)) {
          io.out('Nothing to prepare: the database is Postgres (DATABASE_URL).');
          return 0;
        }
        const prepared = await prepareClusterTemplate().catch((error: unknown) => {
          io.err(`facet prepare: ${error instanceof Error ? error.message : String(error)}`);
          return false;
        });
        io.out(
          prepared
            ? 'Prepared: a new embedded database starts from a cached cluster.'
            : 'Nothing prepared: the first start makes its database itself.',
        );
        return 0;
      }
      case 'credits':
        return await creditsCommand(rest, loadConfig(environment), io);
      case 'usage':
        return await usageCommand(rest, loadConfig(environment), io);
      case 'export':
        return await exportCommand(rest, loadConfig(environment), io);
      case 'discord':
        return await discordCommand(rest, loadConfig(environment), io);
      case 'links':
        return await linksCommand(rest, loadConfig(environment), io);
      case 'start': {
        const { values } = parseArgs({ args: rest, options: { role: { type: 'string', default: 'all' } } });
        const role = facetRoles.find((r) => r === values.role);
        if (!role) throw new UsageError(`unknown role "${values.role}": use ${facetRoles.join(', ')}`);
        const config = loadConfig(environment);
        const format = logFormatOf(environment.FACET_LOG_FORMAT, process.stdout.isTTY);
        if (!format) {
          io.err(`FACET_LOG_FORMAT: expected json, pretty or auto, got "${environment.FACET_LOG_FORMAT}"`);
          return 1;
        }
        const logger = createLogger(config.logLevel, { secrets: secretsOf(config), format });
        // Listening before the start: with no listener, a signal sent right after the banner (by a
        // supervisor, or a test reading it) could arrive before the handlers below exist and kill Facet
        // by default, skipping the graceful stop. One during the start ends the start at once, as before.
        let stop: (signal: string) => void = (signal) => {
          logger.info({ signal }, 'stopped while starting');
          process.exit(1);
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
        const facet = await startFacet(config, logger, role);
        stop = (signal: string) => {
          facet.logger.info({ signal }, 'stopping: no new work; running jobs finish or go back to the queue');
          // Bounded: a job still running after this is handed back (its queue lock lapses, or the
          // embedded runner re-queues it at the next start), so exiting loses nothing.
          const deadline = setTimeout(() => {
            facet.logger.warn({ afterMs: shutdownTimeoutMs }, 'stopping took too long; exiting anyway');
            process.exit(1);
          }, shutdownTimeoutMs);
          deadline.unref();
          void facet.close().then(() => process.exit(0));
        };
        return await facet.closed;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof ConfigError || error instanceof RoleConfigError) {
      io.err(error.message);
      return 1;
    }
    if (error instanceof UsageError || isParseArgsError(error)) {
      io.err(`facet: ${(error as Error).message}\n\n${usage}`);
      return 2;
    }
    throw error;
  }
}

/** A configuration with problems is left for the commands that run Facet to report. */
function usesPostgres(environment: NodeJS.ProcessEnv): boolean {
  try {
    return loadConfig(environment).database.kind === 'postgres';
  } catch {
    return false;
  }
}

function isParseArgsError(error: unknown): boolean {
  return error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');
}
