/*
 * node --import tsx bench/slack.ts (npm run bench:slack): how fast the Slack app acknowledges slash
 * commands while 50 designs are generating, and how long the server's event loop is held, run
 * BENCH_RUNS (3) times in a row (bench/repeat-runs.ts); each run is bench/slack-run.ts, which says what
 * it measures and which variables it reads. Targets: ack p99 < 100 ms and event-loop delay p99 over the
 * run < 25 ms in every run. Exits 1 if a run failed (not for a missed target).
 */
import { repeatRuns, type RunFigures } from './repeat-runs.ts';

type SlackFigures = {
  ack: { p99: number };
  eventLoopDelayMs: RunFigures['burstLoop'];
  wholeRunEventLoopDelayMs: RunFigures['wholeLoop'];
};

await repeatRuns(
  'slack bench',
  new URL('./slack-run.ts', import.meta.url),
  (figures) => {
    const f = figures as SlackFigures;
    return { ackP99: f.ack.p99, burstLoop: f.eventLoopDelayMs, wholeLoop: f.wholeRunEventLoopDelayMs };
  },
  { ackP99Ms: 100, loopP99Ms: 25 },
);
