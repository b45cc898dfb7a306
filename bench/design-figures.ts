/*
 * The figures of a design run through the workflow against the model fakes (bench/workflow.ts,
 * bench/load.ts), defined once (docs/performance.md):
 *
 * - overhead: the design's time from its start to its completion less the model's time on its critical
 *   path (every front view, the slowest of the four views, and the feature extraction where the views
 *   waited for it) and less the time people took (looking at a front view before editing or approving);
 * - views-phase ratio: from approval (or the features, if they came later) to completion, divided by the
 *   slowest view's model time (1.0: the four views ran perfectly in parallel and nothing else took time);
 * - phases of the overhead: start → front request, front answer → card (each iteration), edit → the new
 *   front request, approval → the last view request, last view answer → completed.
 */
import { readdir, readFile } from 'node:fs/promises';
import type { ModelCall } from './model-fakes.ts';

export function percentile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

export const round = (value: number, digits = 1) => Number(value.toFixed(digits));

/** p50 / p95 / p99 (and max), rounded. */
export function spread(values: number[], digits = 1) {
  return {
    p50: round(percentile(values, 0.5), digits),
    p95: round(percentile(values, 0.95), digits),
    p99: round(percentile(values, 0.99), digits),
    max: round(values.length === 0 ? Number.NaN : Math.max(...values), digits),
  };
}

/** CPU time spent by every process on the machine so far (user, nice, system, irq, softirq), in ms. */
export async function machineBusyMs(): Promise<number> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0] ?? '';
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = line.split(/\s+/).slice(1).map(Number);
  return ((user + nice + system + irq + softirq) * 1000) / 100;
}

/**
 * CPU time (user and system, in ms) every process on the machine has used so far, summed by command name
 * ("node", "postgres", "redis-server"): where a design's machine CPU goes. A process that starts and ends
 * between two readings is missed; the benches' processes live through their window.
 */
export async function cpuMsByCommand(): Promise<Map<string, number>> {
  const used = new Map<string, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => undefined);
    if (stat === undefined) continue;
    const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    used.set(command, (used.get(command) ?? 0) + cpuMsOfStat(stat));
  }
  return used;
}

/** What each command used between two readings of cpuMsByCommand, largest first, those above `minMs`. */
export function cpuMsSince(before: Map<string, number>, after: Map<string, number>, minMs: number) {
  return [...after]
    .map(([command, ms]) => [command, ms - (before.get(command) ?? 0)] as const)
    .filter(([, ms]) => ms >= minMs)
    .sort((a, b) => b[1] - a[1]);
}

/** CPU time the given processes have used so far (user and system), in ms; a process that is gone counts 0. */
export async function processesCpuMs(pids: number[]): Promise<Map<number, number>> {
  const used = new Map<number, number>();
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
    used.set(pid, stat === undefined ? 0 : cpuMsOfStat(stat));
  }
  return used;
}

/** User and system CPU of one /proc/<pid>/stat line, in ms (clock ticks of 10 ms). */
function cpuMsOfStat(stat: string): number {
  // The fields after the command name (which may hold spaces) start at the state, field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** What the bench saw of one design, on its performance.now(). */
export type DesignTimeline = {
  /** When the start was asked for. */
  t0: number;
  /** When each iteration's front view awaited approval (index 0: iteration 1). */
  awaitingAt: number[];
  /** When each edit was asked for (index 0: the edit of iteration 1). */
  editAt: number[];
  approveAt: number;
  completedAt: number;
};

export const overheadPhases = [
  'toFrontRequest',
  'frontToCard',
  'editToFrontRequest',
  'approveToViewRequests',
  'lastViewToDone',
] as const;
export type OverheadPhase = (typeof overheadPhases)[number];

export type DesignFigures = {
  overheadMs: number;
  viewsPhaseRatio: number;
  phases: Partial<Record<OverheadPhase, number[]>>;
};

/**
 * The figures of one completed design from its timeline and the fakes' record of its model calls (`at` on
 * the wall clock: performance.timeOrigin based). Undefined when its calls are not the expected ones (a
 * retried call: the critical path then includes a failure and a backoff, which are not overhead).
 */
export function designFigures(timeline: DesignTimeline, calls: ModelCall[]): DesignFigures | undefined {
  const local = (call: ModelCall) => ({ at: call.at - performance.timeOrigin, ms: call.ms });
  const of = (kind: ModelCall['kind']) =>
    calls
      .filter((call) => call.kind === kind)
      .map(local)
      .sort((a, b) => a.at - b.at);
  const fronts = of('front');
  const views = of('view');
  const iterations = timeline.awaitingAt.length;
  if (calls.some((call) => call.failed) || fronts.length !== iterations || views.length !== 4)
    return undefined;
  const looks =
    timeline.editAt.reduce((sum, at, i) => sum + at - (timeline.awaitingAt[i] ?? at), 0) +
    timeline.approveAt -
    (timeline.awaitingAt[iterations - 1] ?? timeline.approveAt);
  const slowestView = Math.max(...views.map((c) => c.ms));
  // The views need the approved front view's features: if those came after the approval, the views
  // phase starts when they came (model time, not ours).
  const features = of('features').filter((c) => c.at >= (fronts[iterations - 1]?.at ?? 0));
  const featuresEnd = Math.max(timeline.approveAt, ...features.map((c) => c.at + c.ms));
  const modelMs = fronts.reduce((sum, c) => sum + c.ms, 0) + slowestView + (featuresEnd - timeline.approveAt);
  const viewsPhaseMs = timeline.completedAt - featuresEnd;
  return {
    overheadMs: timeline.completedAt - timeline.t0 - looks - modelMs,
    viewsPhaseRatio: viewsPhaseMs / slowestView,
    phases: {
      toFrontRequest: [fronts[0]!.at - timeline.t0],
      frontToCard: fronts.map((c, i) => (timeline.awaitingAt[i] ?? Number.NaN) - (c.at + c.ms)),
      editToFrontRequest: timeline.editAt.map((at, i) => (fronts[i + 1]?.at ?? Number.NaN) - at),
      approveToViewRequests: [Math.max(...views.map((c) => c.at)) - featuresEnd],
      lastViewToDone: [timeline.completedAt - Math.max(...views.map((c) => c.at + c.ms))],
    },
  };
}

/** The fakes' calls by design number. */
export function callsByDesign(calls: ModelCall[]): Map<number, ModelCall[]> {
  const byDesign = new Map<number, ModelCall[]>();
  for (const call of calls) {
    const list = byDesign.get(call.design);
    if (list) list.push(call);
    else byDesign.set(call.design, [call]);
  }
  return byDesign;
}

/** Each phase's values over many designs. */
export function phaseValues(figures: DesignFigures[]): Record<OverheadPhase, number[]> {
  return Object.fromEntries(
    overheadPhases.map((phase) => [phase, figures.flatMap((f) => f.phases[phase] ?? [])]),
  ) as Record<OverheadPhase, number[]>;
}
