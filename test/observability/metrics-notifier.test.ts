import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { FacetMetrics } from '../../src/observability/metrics.ts';
import type { Database } from '../../src/storage/schema.ts';
import type { DesignSnapshot } from '../../src/workflow/design-snapshot.ts';

/** Only what the metrics read of a snapshot. */
function snapshot(state: DesignSnapshot['state'], version: number): DesignSnapshot {
  const at = new Date(Date.now() - 10_000);
  return {
    id: 'design-1',
    state,
    version,
    iteration: 1,
    round: 1,
    createdAt: at,
    admittedAt: at,
    approvedAt: at,
    iterations: [],
  } as unknown as DesignSnapshot;
}

/** The value on `series` (a metric name, or a histogram's name_count) with every label given. */
async function sample(metrics: FacetMetrics, series: string, ...labels: string[]): Promise<number> {
  const text = await metrics.registry.getSingleMetricAsString(series.replace(/_count$/, ''));
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${series}{`) && labels.every((label) => l.includes(label)));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('metrics from the snapshots each change publishes', () => {
  it('counts a design finishing once, however often it is shown after, and again if it comes back', async () => {
    // Never connected: only the gauges read it, when scraped.
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool() }) });
    const metrics = new FacetMetrics({ db });
    const notify = (design: DesignSnapshot) => metrics.notifier.notify(design);
    await notify(snapshot('generating_views', 5));
    await notify(snapshot('completed', 6));
    // Its contact sheet, then its card shown again by the reconciler: still completed.
    await notify(snapshot('completed', 7));
    await notify(snapshot('completed', 8));
    expect(await sample(metrics, 'facet_designs_finished_total', 'state="completed"')).toBe(1);
    expect(await sample(metrics, 'facet_phase_seconds_count', 'phase="views"')).toBe(1);
    // A view regenerated: the design works again and completes a second time.
    await notify(snapshot('generating_views', 9));
    await notify(snapshot('completed', 10));
    expect(await sample(metrics, 'facet_designs_finished_total', 'state="completed"')).toBe(2);
    await db.destroy();
  });
});
