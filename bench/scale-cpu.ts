/*
 * CPU time of the machine and of named processes, read from /proc (Linux), for bench/scale.ts: the
 * share of the machine's cores each part of the stack used between two samples.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** Kernel clock ticks per second (USER_HZ); 100 on every common Linux build. */
const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export const cores = cpus().length;

/** User + system CPU seconds a process has used, or undefined once it is gone. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

/** Pids of the processes whose command name (/proc/PID/comm) starts with `name` (postgres, redis-server). */
export function pidsNamed(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim().startsWith(name)) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** Busy and total CPU seconds of the whole machine (all cores) since boot. */
export function machineCpuSeconds(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already in user)
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = values;
  const idleAll = idle + iowait;
  const total = user + nice + system + idleAll + irq + softirq + steal;
  return { busy: (total - idleAll) / ticksPerSecond, total: total / ticksPerSecond };
}

export type CpuGroups = Record<string, () => number[]>;

type Sample = {
  at: number;
  machine: { busy: number; total: number };
  groups: Record<string, Map<number, number>>;
};

/**
 * Samples CPU seconds of groups of processes (their pids are looked up at each sample, so a group may be
 * "every postgres backend"); `report` turns two samples into percent of one core per group and percent of
 * the machine.
 */
export class CpuMeter {
  constructor(private readonly groups: CpuGroups) {}

  sample(): Sample {
    const groups: Record<string, Map<number, number>> = {};
    for (const [name, pids] of Object.entries(this.groups)) {
      const seconds = new Map<number, number>();
      for (const pid of pids()) {
        const value = processCpuSeconds(pid);
        if (value !== undefined) seconds.set(pid, value);
      }
      groups[name] = seconds;
    }
    return { at: performance.now(), machine: machineCpuSeconds(), groups };
  }

  /** Percent of one core per group between two samples (200 = two cores busy), and the machine's busy %. */
  static report(
    from: Sample,
    to: Sample,
  ): { seconds: number; machinePercent: number; percentOfOneCore: Record<string, number> } {
    const seconds = (to.at - from.at) / 1000;
    const percentOfOneCore: Record<string, number> = {};
    for (const [name, values] of Object.entries(to.groups)) {
      // A process started between the samples counts from 0; one that exited meanwhile is not counted.
      let used = 0;
      for (const [pid, value] of values) used += value - (from.groups[name]?.get(pid) ?? 0);
      percentOfOneCore[name] = Math.round((used / seconds) * 100);
    }
    const busy = to.machine.busy - from.machine.busy;
    const total = to.machine.total - from.machine.total;
    const counted = Object.values(percentOfOneCore).reduce((a, b) => a + b, 0);
    // Whatever else ran on the machine meanwhile (other test runs, builds): noise in the figures.
    percentOfOneCore.others = Math.max(0, Math.round((busy / seconds) * 100) - counted);
    return {
      seconds,
      machinePercent: total > 0 ? Math.round((busy / total) * 100) : Number.NaN,
      percentOfOneCore,
    };
  }
}
