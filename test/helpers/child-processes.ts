import { readdir, readFile } from 'node:fs/promises';

/** The processes whose parent is `parentPid`, each with its command line (Linux's /proc). */
export async function childProcesses(parentPid: number): Promise<{ pid: number; commandLine: string[] }[]> {
  const found: { pid: number; commandLine: string[] }[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      // After the command's closing parenthesis: the state, then the parent's pid.
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent !== parentPid) continue;
      const commandLine = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).split('\0');
      found.push({ pid: Number(entry), commandLine });
    } catch {
      // A process that ended since the listing.
    }
  }
  return found;
}
