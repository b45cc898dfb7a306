/** Undo steps, run last-added first; every step runs even when an earlier one fails. */
export class Cleanup {
  private readonly steps: { name: string; undo: () => Promise<unknown> }[] = [];
  private running: Promise<string[]> | undefined;
  /** Steps added once the cleanup had begun (a start that finished during it): undone at once. */
  private readonly late: Promise<string | undefined>[] = [];

  add(name: string, undo: () => Promise<unknown>): void {
    if (this.running) this.late.push(attempt(name, undo));
    else this.steps.push({ name, undo });
  }

  /** The problems met, one line each (empty when everything was undone). Runs once. */
  run(): Promise<string[]> {
    this.running ??= (async () => {
      const problems: (string | undefined)[] = [];
      for (const step of this.steps.reverse()) problems.push(await attempt(step.name, step.undo));
      problems.push(...(await Promise.all(this.late)));
      return problems.filter((problem) => problem !== undefined);
    })();
    return this.running;
  }
}

async function attempt(name: string, undo: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await undo();
    return undefined;
  } catch (error) {
    return `${name}: ${error instanceof Error ? error.message : String(error)}`;
  }
}
