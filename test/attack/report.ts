/** What one attack saw: `got` is printed as is, `ok` says whether it matched what was expected. */
export type Outcome = { got: string; ok: boolean };

/** One replayed attack: its name, what a hardened Facet answers, and how to run it. */
export type Attack = {
  name: string;
  expected: string;
  run: () => Promise<Outcome>;
  /** Default 20 s: an attack that takes longer fails (Facet hung, or a check never came true). */
  timeoutMs?: number;
};

export type Result = { name: string; expected: string; got: string; ok: boolean; ms: number };

export const outcome = (ok: boolean, got: string): Outcome => ({ ok, got });

/** Runs an attack; a throw or a timeout is its failure, never the whole run's. */
export async function runAttack(attack: Attack): Promise<Result> {
  const started = Date.now();
  const limit = attack.timeoutMs ?? 20_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve(outcome(false, `no answer within ${limit / 1000} s`)), limit);
  });
  let seen: Outcome;
  try {
    seen = await Promise.race([attack.run(), timeout]);
  } catch (error) {
    seen = outcome(false, `error: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    clearTimeout(timer);
  }
  return { name: attack.name, expected: attack.expected, ...seen, ms: Date.now() - started };
}

export function formatResult(result: Result): string {
  const mark = result.ok ? 'ok  ' : 'FAIL';
  return `${mark} ${result.name} | expected: ${result.expected} | got: ${result.got} (${result.ms} ms)`;
}

export function formatSummary(results: readonly Result[], elapsedMs: number, requests: number): string {
  const failed = results.filter((r) => !r.ok);
  const head = `${results.length} attacks, ${results.length - failed.length} ok, ${failed.length} FAIL in ${(elapsedMs / 1000).toFixed(1)} s (${requests} HTTP requests sent)`;
  return failed.length === 0 ? head : `${head}\nFAILED: ${failed.map((r) => r.name).join('; ')}`;
}
