/*
 * The event loop of the measured process during a bench window: its delay (monitorEventLoopDelay) and,
 * from a CPU profile of the same window (node:inspector, sampled every 0.5 ms), its longest stalls: runs
 * of samples with no idle sample between them, i.e. stretches in which the loop could not take a new
 * request, with what ran in them (our files by name, packages by name, garbage collection).
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
};
type Profile = { nodes: ProfileNode[]; startTime: number; samples: number[]; timeDeltas: number[] };

export type Stall = { ms: number; atMs: number; ran: string[] };
export type LoopFigures = { delayMs: { p50: number; p99: number; max: number }; stalls: Stall[] };

const root = fileURLToPath(new URL('../', import.meta.url));
const round = (value: number) => Number(value.toFixed(1));

/** What a frame belongs to: a file of ours, a package, or the engine's own work. */
function ownerOf(frame: ProfileNode['callFrame']): string | undefined {
  if (frame.functionName === '(garbage collector)') return 'garbage collection';
  const url = frame.url;
  if (url === '') return undefined;
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inPackage) return inPackage[1];
  if (url.startsWith('node:')) return undefined;
  const file = url.replace(/^file:\/\//, '').replace(root, '');
  return file.startsWith('src/') || file.startsWith('bench/') || file.startsWith('test/') ? file : undefined;
}

function stallsOf(profile: Profile, longest: number): Stall[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const runs: { start: number; end: number; samples: number[] }[] = [];
  let current: { start: number; end: number; samples: number[] } | undefined;
  let at = profile.startTime;
  profile.samples.forEach((sample, i) => {
    at += profile.timeDeltas[i] ?? 0;
    const name = byId.get(sample)?.callFrame.functionName;
    if (name === '(idle)' || name === '(program)') {
      if (current) runs.push(current);
      current = undefined;
      return;
    }
    current ??= { start: at, end: at, samples: [] };
    current.end = at;
    current.samples.push(sample);
  });
  if (current) runs.push(current);
  runs.sort((a, b) => b.end - b.start - (a.end - a.start));
  return runs.slice(0, longest).map((run) => {
    const shares = new Map<string, number>();
    for (const sample of run.samples) {
      const seen = new Set<string>();
      for (let id: number | undefined = sample; id !== undefined; id = parent.get(id)) {
        const owner = ownerOf(byId.get(id)!.callFrame);
        if (owner && !seen.has(owner)) {
          seen.add(owner);
          shares.set(owner, (shares.get(owner) ?? 0) + 1);
        }
      }
    }
    const ran = [...shares]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([owner, n]) => `${Math.round((100 * n) / run.samples.length)}% ${owner}`);
    return {
      ms: round((run.end - run.start) / 1000),
      atMs: round((run.start - profile.startTime) / 1000),
      ran,
    };
  });
}

export type LoopWatch = { stop(): Promise<LoopFigures> };

/** `saveProfileTo`: the window's CPU profile is also written there (open it in Chrome's DevTools). */
export async function watchLoop(options: {
  profile: boolean;
  longest?: number;
  saveProfileTo?: string;
}): Promise<LoopWatch> {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  const session = options.profile ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 500 });
    await session.post('Profiler.start');
  }
  delay.enable();
  return {
    async stop() {
      delay.disable();
      let stalls: Stall[] = [];
      if (session) {
        const { profile } = (await session.post('Profiler.stop')) as { profile: Profile };
        session.disconnect();
        if (options.saveProfileTo) await writeFile(options.saveProfileTo, JSON.stringify(profile));
        stalls = stallsOf(profile, options.longest ?? 5);
      }
      return {
        delayMs: {
          p50: round(delay.percentile(50) / 1e6),
          p99: round(delay.percentile(99) / 1e6),
          max: round(delay.max / 1e6),
        },
        stalls,
      };
    },
  };
}

export function printLoop(label: string, figures: LoopFigures): void {
  const { p50, p99, max } = figures.delayMs;
  console.log(`  event loop delay ${label}: p50 ${p50} ms, p99 ${p99} ms, max ${max} ms`);
  for (const stall of figures.stalls)
    console.log(`    stall ${stall.ms} ms at +${stall.atMs} ms: ${stall.ran.join(', ') || '(engine)'}`);
}
