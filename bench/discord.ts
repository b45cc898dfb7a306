/*
 * node --import tsx bench/discord.ts (npm run bench:discord): how fast the Discord bot defers slash
 * commands while 50 designs are generating, and how long the bot's event loop is held, run BENCH_RUNS (3)
 * times in a row (bench/repeat-runs.ts); each run is bench/discord-run.ts, which says what it measures
 * and which variables it reads. Targets: deferral p99 < 100 ms and event-loop delay p99 over the run
 * < 25 ms in every run. Exits 1 if a run failed (not for a missed target).
 *
 * `npm run bench:discord -- --http`: the same over HTTP interactions instead, 200 signed POSTs at once
 * round-robin over two web processes (bench/discord-http-run.ts); target deferral p99 < 50 ms.
 */
import { repeatRuns, type RunFigures } from './repeat-runs.ts';

type DiscordFigures = {
  deferral: { p99: number };
  eventLoopDelayMs: RunFigures['burstLoop'];
  wholeRunEventLoopDelayMs: RunFigures['wholeLoop'];
};

const http = process.argv.includes('--http');

await repeatRuns(
  http ? 'discord bench (HTTP interactions)' : 'discord bench',
  new URL(http ? './discord-http-run.ts' : './discord-run.ts', import.meta.url),
  (figures) => {
    const f = figures as DiscordFigures;
    return { ackP99: f.deferral.p99, burstLoop: f.eventLoopDelayMs, wholeLoop: f.wholeRunEventLoopDelayMs };
  },
  http ? { ackP99Ms: 50, loopP99Ms: 25 } : { ackP99Ms: 100, loopP99Ms: 25 },
);
