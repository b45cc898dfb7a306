/*
 * The job-worker process of a `--role all` with Redis (forked by worker-process.ts): Facet's worker role
 * with the configuration the receiving process sends over IPC. It stops when told, on SIGTERM, or when the
 * receiving process is gone (the IPC channel closes), so it never outlives it.
 */
import { secretsOf } from '../config.ts';
import { createLogger, logFormatOf } from '../log.ts';
import { startFacet, type FacetHandle } from '../main.ts';
import type { FromWorkerProcess, ToWorkerProcess } from './worker-messages.ts';

const send = (message: FromWorkerProcess) => {
  if (process.connected) process.send?.(message);
};

let facet: Promise<FacetHandle | undefined> | undefined;
let stopping: Promise<void> | undefined;

const stop = () =>
  (stopping ??= (async () => {
    const handle = await facet?.catch(() => undefined);
    await handle?.close();
    process.exit(0);
  })());

process.on('message', (message: ToWorkerProcess) => {
  if (message.type === 'close') void stop();
  else if (!facet) {
    const { config } = message;
    const logger = createLogger(config.logLevel, {
      secrets: secretsOf(config),
      format: logFormatOf(process.env.FACET_LOG_FORMAT, process.stdout.isTTY) ?? 'json',
    }).child({ process: 'job-workers' });
    facet = startFacet(config, logger, 'worker', {
      workerProcess: {
        onChange: message.forwardChanges ? (design) => send({ type: 'design', design }) : undefined,
        onModelCall: (call, cost) => send({ type: 'model_call', call, cost }),
      },
    }).then(
      (handle) => {
        send({ type: 'ready' });
        return handle;
      },
      (error: unknown) => {
        logger.fatal({ err: error }, 'job workers could not start');
        send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
        process.exit(1);
      },
    );
  }
});
// The receiving process is gone (or closed the channel): nothing may run without it.
process.once('disconnect', () => void stop());
process.once('SIGTERM', () => void stop());
// Ctrl-C reaches the whole process group: the receiving process decides when the workers stop.
process.on('SIGINT', () => undefined);
