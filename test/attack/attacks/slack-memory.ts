import type { SlackInstance } from '../instances.ts';
import { streamPost, type StreamResult } from '../raw-http.ts';
import { outcome, type Attack } from '../report.ts';
import { slackSignature } from '../slack-driver.ts';
import { sleep } from '../wait.ts';

const mb = 1024 * 1024;
const concurrent = 50;
const bodyBytes = 4 * mb;
const mostRiseMb = 30;

type Memory = { rss: number; buffers: number };

/**
 * The highest resident set size, and the highest memory held by Buffers, seen while `work` runs (Facet runs
 * in this process). RSS alone misses a regression once an earlier flood has grown the heap (freed memory is
 * reused without RSS rising again); buffered bodies always show in `arrayBuffers`.
 */
async function peakMemory<T>(work: () => Promise<T>): Promise<{ value: T; rise: Memory }> {
  await sleep(200);
  const now = (): Memory => {
    const usage = process.memoryUsage();
    return { rss: usage.rss, buffers: usage.arrayBuffers };
  };
  const before = now();
  const peak = { ...before };
  const sample = () => {
    const seen = now();
    peak.rss = Math.max(peak.rss, seen.rss);
    peak.buffers = Math.max(peak.buffers, seen.buffers);
  };
  const sampler = setInterval(sample, 5);
  try {
    const value = await work();
    await sleep(100);
    sample();
    return {
      value,
      rise: { rss: (peak.rss - before.rss) / mb, buffers: (peak.buffers - before.buffers) / mb },
    };
  } finally {
    clearInterval(sampler);
  }
}

function tally(results: StreamResult[]): string {
  const counts = new Map<string, number>();
  for (const r of results) {
    const key = r.status === undefined ? `no answer (${r.error ?? '?'})` : String(r.status);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, n]) => `${n}x ${key}`).join(', ');
}

/** Issue 17, item 4: unsigned bodies are refused before they are read, oversized signed ones at 1 MiB. */
export function slackMemoryAttacks(instance: SlackInstance): Attack[] {
  const endpoint = `${instance.facet.url}/slack/events`;
  const flood = (chunked: boolean, allowed: number[]): Attack => ({
    name: `4${chunked ? 'b' : 'a'} ${concurrent} concurrent unsigned 4 MB POSTs to /slack/events, ${
      chunked ? 'chunked (no length declared)' : 'Content-Length declared'
    }, streamed`,
    expected: `each ${allowed.join(' or ')}; RSS and Buffers rise < ${mostRiseMb} MB`,
    timeoutMs: 30_000,
    run: async () => {
      const { value: results, rise } = await peakMemory(() =>
        Promise.all(
          Array.from({ length: concurrent }, () =>
            streamPost(endpoint, {
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              totalBytes: bodyBytes,
              chunked,
            }),
          ),
        ),
      );
      const sent = results.reduce((sum, r) => sum + r.sentBytes, 0) / mb;
      return outcome(
        results.every((r) => r.status !== undefined && allowed.includes(r.status)) &&
          rise.rss < mostRiseMb &&
          rise.buffers < mostRiseMb,
        `${tally(results)}; peak rise RSS +${rise.rss.toFixed(1)} MB, Buffers +${rise.buffers.toFixed(1)} MB; client wrote ${sent.toFixed(1)} MB in all`,
      );
    },
  });
  return [
    flood(false, [401, 413]),
    flood(true, [401]),
    {
      name: '4c a correctly signed 2 MiB body, streamed without a length',
      expected: '413 (the 1 MiB cap)',
      run: async () => {
        const body = Buffer.alloc(2 * mb, 'a').toString();
        const result = await streamPost(endpoint, {
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            ...slackSignature(body, instance.signingSecret),
          },
          totalBytes: body.length,
          chunked: true,
        });
        return outcome(result.status === 413, tally([result]));
      },
    },
  ];
}
