/*
 * Who had the CPU during a bench window, and who waited for it: Linux's per-thread schedstat (time on a
 * CPU, time runnable but waiting on a run queue, in ns) for every thread on the machine, summed by
 * process kind. On two cores an acknowledgement is late either because the receiving thread had work to
 * do or because it was runnable while other processes held both cores; these figures tell which.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { round } from './design-figures.ts';

type ThreadTimes = { kind: string; onCpuMs: number; waitingMs: number };
export type Schedule = Map<string, ThreadTimes>;
export type ScheduleShare = { kind: string; onCpuMs: number; waitingMs: number };

/** A thread's time on a CPU and waiting for one so far, ms; undefined once it is gone. */
function threadTimes(pid: string, tid: string): { onCpuMs: number; waitingMs: number } | undefined {
  try {
    const [onCpu = 0, waiting = 0] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8')
      .split(' ')
      .map(Number);
    return { onCpuMs: onCpu / 1e6, waitingMs: waiting / 1e6 };
  } catch {
    return undefined;
  }
}

/** What a process is, for the summary: a node script's file name, else its command name (postgres). */
function kindOf(pid: string): string | undefined {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    if (args.length === 0) return `${comm} (kernel)`;
    // The script, not a module preloaded with --import (tsx's loader.mjs) or --require.
    const script = args
      .slice(1)
      .find(
        (arg, i, rest) =>
          /\.(ts|js|mjs)$/.test(arg) && !['--import', '--require', '-r'].includes(rest[i - 1] ?? ''),
      );
    return comm === 'node' && script ? path.basename(script) : comm;
  } catch {
    return undefined;
  }
}

/** Every thread's schedule so far, keyed by pid/tid. */
export function machineSchedule(): Schedule {
  const schedule: Schedule = new Map();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const kind = kindOf(pid);
    if (kind === undefined) continue;
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      const times = threadTimes(pid, tid);
      if (times) schedule.set(`${pid}/${tid}`, { kind, ...times });
    }
  }
  return schedule;
}

/** One thread's schedule so far (this process's main thread by default). */
export function threadSchedule(pid = process.pid, tid = pid): { onCpuMs: number; waitingMs: number } {
  return threadTimes(String(pid), String(tid)) ?? { onCpuMs: 0, waitingMs: 0 };
}

/**
 * What each kind of process used and waited between two readings, busiest first, `count` of them. A
 * thread that ended between the readings is not counted (its time is lost with it).
 */
export function scheduleSince(before: Schedule, after: Schedule, count: number): ScheduleShare[] {
  const byKind = new Map<string, { onCpuMs: number; waitingMs: number }>();
  for (const [thread, now] of after) {
    const then = before.get(thread);
    const sum = byKind.get(now.kind) ?? { onCpuMs: 0, waitingMs: 0 };
    sum.onCpuMs += now.onCpuMs - (then?.onCpuMs ?? 0);
    sum.waitingMs += now.waitingMs - (then?.waitingMs ?? 0);
    byKind.set(now.kind, sum);
  }
  return [...byKind]
    .map(([kind, times]) => ({ kind, onCpuMs: round(times.onCpuMs), waitingMs: round(times.waitingMs) }))
    .sort((a, b) => b.onCpuMs - a.onCpuMs)
    .slice(0, count);
}

/** "slack-run.ts 88.1/48.7, postgres 20.3/11.0, ..." (on a CPU / waiting for one, ms). */
export function scheduleLine(shares: ScheduleShare[]): string {
  return shares.map((s) => `${s.kind} ${s.onCpuMs}/${s.waitingMs}`).join(', ');
}
