import type { Platform } from '../platform.ts';
import type { Kysely } from 'kysely';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { HttpRoute } from '../http/health-server.ts';
import type { Database } from '../storage/schema.ts';
import type { DesignSnapshot } from '../workflow/design-snapshot.ts';
import { PermanentError } from '../workflow/errors/permanent-error.ts';
import { TransientError } from '../workflow/errors/transient-error.ts';
import type { ImageModel } from '../workflow/ports/image-model.ts';
import type { JobCounts } from '../workflow/jobs/job-counts.ts';
import type { Notifier } from '../workflow/ports/notifier.ts';

const finalStates = new Set(['completed', 'failed', 'cancelled', 'expired']);
const rememberedDesigns = 50_000;

/**
 * Prometheus metrics. Totals that several processes share (designs by state, credits by operation,
 * queue depth) are read from Postgres and the queue when scraped, so every process reports the same
 * truth; latencies are measured where they happen, per process.
 */
export class FacetMetrics {
  readonly registry = new Registry();
  private readonly ack: Histogram<'surface'>;
  private readonly phase: Histogram<'phase'>;
  private readonly model: Histogram<'model' | 'outcome'>;
  private readonly finished: Counter<'state'>;
  /**
   * Last state seen per design, to time phases and count each arrival in a final state once: a final
   * design is still shown again (its contact sheet, a card re-shown) and may come back (a view
   * regenerated). The least recently changed are forgotten beyond `rememberedDesigns`.
   */
  private readonly seen = new Map<string, string>();

  constructor(deps: { db: Kysely<Database>; jobCounts?: (() => Promise<JobCounts>) | undefined }) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'facet_' });
    this.ack = new Histogram({
      name: 'facet_ack_seconds',
      help: 'Time from a chat request reaching Facet to its acknowledgement (Slack allows 3 s).',
      labelNames: ['surface'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 3],
      registers,
    });
    this.phase = new Histogram({
      name: 'facet_phase_seconds',
      help: 'Time per design phase: line (waiting for a generating slot), front (admission or edit to front view), views (approval to completion).',
      labelNames: ['phase'],
      buckets: [1, 5, 10, 20, 30, 60, 120, 300],
      registers,
    });
    this.model = new Histogram({
      name: 'facet_model_seconds',
      help: 'Image model calls by outcome: ok, transient (retried), permanent (design fails) or error.',
      labelNames: ['model', 'outcome'],
      buckets: [0.1, 0.5, 1, 2, 5, 10, 20, 40, 60],
      registers,
    });
    this.finished = new Counter({
      name: 'facet_designs_finished_total',
      help: 'Designs this process saw reach a final state.',
      labelNames: ['state'],
      registers,
    });
    new Gauge({
      name: 'facet_designs',
      help: 'Designs by state (all processes).',
      labelNames: ['state'],
      registers,
      async collect() {
        const rows = await deps.db
          .selectFrom('designs')
          .select(['state', deps.db.fn.countAll<string>().as('n')])
          .groupBy('state')
          .execute();
        this.reset();
        for (const row of rows) this.set({ state: row.state }, Number(row.n));
      },
    });
    new Gauge({
      name: 'facet_credits_total',
      help: 'Credits moved by the ledger, by operation (grant, reserve, extend, capture, release, expire).',
      labelNames: ['operation'],
      registers,
      async collect() {
        const rows = await deps.db
          .selectFrom('ledger_entries')
          .select(['kind', deps.db.fn.sum<string>('amount').as('total')])
          .groupBy('kind')
          .execute();
        this.reset();
        for (const row of rows) this.set({ operation: row.kind }, Number(row.total));
      },
    });
    const jobCounts = deps.jobCounts;
    if (jobCounts)
      new Gauge({
        name: 'facet_jobs',
        help: 'Jobs in the queue by state.',
        labelNames: ['state'],
        registers,
        async collect() {
          const counts = await jobCounts();
          for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
        },
      });
  }

  /** The label is still called `surface`, as when it was first published: dashboards select on it. */
  observeAck(platform: Platform, seconds: number): void {
    this.ack.observe({ surface: platform }, seconds);
  }

  /** The image model, timed. */
  timed(model: ImageModel): ImageModel {
    const histogram = this.model;
    return {
      name: model.name,
      async generate(request) {
        const stop = histogram.startTimer({ model: model.name });
        try {
          const image = await model.generate(request);
          stop({ outcome: 'ok' });
          return image;
        } catch (error) {
          const outcome =
            error instanceof TransientError
              ? 'transient'
              : error instanceof PermanentError
                ? 'permanent'
                : 'error';
          stop({ outcome });
          throw error;
        }
      },
    };
  }

  /** Times phases from the snapshots every change publishes. */
  readonly notifier: Notifier = {
    notify: (design: DesignSnapshot) => {
      const before = this.seen.get(design.id);
      if (before === design.state) return Promise.resolve();
      this.seen.delete(design.id);
      this.seen.set(design.id, design.state);
      if (this.seen.size > rememberedDesigns) {
        const oldest = this.seen.keys().next().value;
        if (oldest !== undefined) this.seen.delete(oldest);
      }
      const now = Date.now();
      // Designs that started at once count too (a wait of 0): the histogram is the whole picture.
      if (
        design.state === 'generating_front' &&
        design.iteration === 1 &&
        design.round === 1 &&
        design.admittedAt
      )
        this.phase.observe(
          { phase: 'line' },
          (design.admittedAt.getTime() - design.createdAt.getTime()) / 1000,
        );
      if (design.state === 'awaiting_approval') {
        const current = design.iterations.find((it) => it.iteration === design.iteration);
        // A first front view is timed from when it left the line, an edit from when it was asked for.
        const since = (design.iteration === 1 ? design.admittedAt : null) ?? current?.createdAt;
        if (since) this.phase.observe({ phase: 'front' }, (now - since.getTime()) / 1000);
      }
      if (design.state === 'completed' && design.approvedAt)
        this.phase.observe({ phase: 'views' }, (now - design.approvedAt.getTime()) / 1000);
      if (finalStates.has(design.state)) this.finished.inc({ state: design.state });
      return Promise.resolve();
    },
  };

  /** GET /metrics in the Prometheus text format. */
  readonly route: HttpRoute = async (request, response) => {
    if ((request.url ?? '').split('?')[0] !== '/metrics' || request.method !== 'GET') return false;
    const body = await this.registry.metrics();
    response.writeHead(200, { 'content-type': this.registry.contentType });
    response.end(body);
    return true;
  };
}
