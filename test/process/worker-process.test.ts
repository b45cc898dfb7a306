import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { startWorkerProcess } from '../../src/process/worker-process.ts';

describe('startWorkerProcess', () => {
  it('gives up loudly when the worker process keeps dying, instead of running without workers', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'facet-worker-give-up-'));
    try {
      // Nothing listens on port 1: every worker process fails to open its database and exits.
      const config = loadConfig({
        DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nothing',
        REDIS_URL: 'redis://127.0.0.1:6379/5',
        FACET_DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
      });
      const lines: string[] = [];
      const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
      let reason: string | undefined;
      const gaveUp = new Promise<void>((resolve) => {
        const workers = startWorkerProcess({
          config,
          logger,
          maxRestarts: 1,
          onGiveUp: (why) => {
            reason = why;
            resolve();
          },
        });
        void workers.ready.catch(() => undefined);
      });
      await gaveUp;
      expect(reason).toMatch(/exited 2 times/);
      expect(lines.join('')).toMatch(/job worker process died; restarting it/);
      expect(lines.join('')).toMatch(/"level":60.*stopping/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
