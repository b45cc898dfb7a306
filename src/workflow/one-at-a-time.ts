/**
 * Runs the given tasks one after another. Contact and spec sheets are CPU work that nobody waits on: run
 * side by side, a hundred of them would take the cores from the jobs that sit on someone's critical path.
 */
export function oneAtATime(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}
