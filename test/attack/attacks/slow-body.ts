import { slowBody } from '../raw-http.ts';
import { outcome, type Attack } from '../report.ts';
import { slackSignature } from '../slack-driver.ts';

const mostMs = 17_000;

type SlowTarget = { name: string; url: string; headers: Record<string, string> };

/**
 * Issue 17, item 7: a body that never finishes is closed with 408 by the server's request timeout (15 s).
 * Started at once (it takes ~16 s) and awaited by the attack; `abort` ends them early (cleanup).
 */
export function startSlowBodies(targets: SlowTarget[]) {
  const controller = new AbortController();
  const started = targets.map((target) => ({
    target,
    done: slowBody(target.url, {
      headers: target.headers,
      declaredBytes: 1000,
      sentBytes: 10,
      giveUpMs: 20_000,
      signal: controller.signal,
    }),
  }));
  return { started, abort: () => controller.abort() };
}

export function slowBodyAttacks({ started }: ReturnType<typeof startSlowBodies>): Attack[] {
  return started.map(({ target, done }) => ({
    name: `7e slow body (headers + 10 of 1000 bytes, never finished) to ${target.name}`,
    expected: `408 within ${mostMs / 1000} s`,
    timeoutMs: 30_000,
    run: async () => {
      const result = await done;
      const when = `${(result.ms / 1000).toFixed(1)} s`;
      return outcome(
        result.status === 408 && result.ms <= mostMs,
        result.status === undefined
          ? `${result.closed ? 'closed without an answer' : 'still open'} after ${when}`
          : `${result.status} after ${when}`,
      );
    },
  }));
}

/** Headers that pass the Slack guard's checks before the body (a fresh, well-formed signature). */
export function slackSlowHeaders(): Record<string, string> {
  return { 'content-type': 'application/x-www-form-urlencoded', ...slackSignature('x', 'not-the-secret') };
}
