import type { Platform } from '../platform.ts';
import { timingSafeEqual } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { HttpRoute } from '../http/health-server.ts';
import type { Database } from '../storage/schema.ts';
import type { DesignSnapshot } from '../workflow/design-snapshot.ts';
import { activeStates } from '../workflow/machine/design-state.ts';
import type { ModelCall } from '../workflow/model-calls/model-call.ts';
import type { CostEstimate } from '../workflow/model-calls/model-prices.ts';
import type { JobCounts } from '../workflow/jobs/job-counts.ts';
import type { Notifier } from '../workflow/ports/notifier.ts';

const legacyOutcomes: Record<ModelCall['outcome'], string> = {
  ok: 'ok',
  transient_error: 'transient',
  blocked: 'permanent',
  no_image: 'permanent',
  permanent_error: 'permanent',
};

const finalStates = new Set(['completed', 'failed', 'cancelled', 'expired', 'declined']);
const rememberedDesigns = 50_000;
/** How long an id the journal skipped is looked for again: a transaction still open, or one rolled back. */
const gapPatienceMs = 5 * 60_000;

/**
 * Prometheus metrics. Totals that several processes share (designs by state, credits by operation,
 * queue depth) are read from Postgres and the queue when scraped, so every process reports the same
 * truth; latencies are measured where they happen, per process. A scrape reads no whole table: designs
 * are counted through an index of the unfinished ones, and credits add up only the journal entries
 * written since the previous scrape.
 */
export class FacetMetrics {
  readonly registry = new Registry();
  private readonly ack: Histogram<'surface'>;
  private readonly phase: Histogram<'phase'>;
  private readonly model: Histogram<'model' | 'outcome'>;
  private readonly finished: Counter<'state'>;
  private readonly modelCalls: Counter<'provider' | 'model' | 'purpose' | 'outcome'>;
  private readonly modelCallSeconds: Histogram<'provider' | 'purpose'>;
  private readonly modelCost: Counter<'provider' | 'model'>;
  /**
   * Last state seen per design, to time phases and count each arrival in a final state once: a final
   * design is still shown again (its contact sheet, a card re-shown) and may come back (a view
   * regenerated). The least recently changed are forgotten beyond `rememberedDesigns`.
   */
  private readonly seen = new Map<string, string>();
  private readonly journal = new JournalTotals();

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
    this.modelCalls = new Counter({
      name: 'facet_model_calls_total',
      help: 'Model calls this process made, by provider, model (as the answer names it), purpose (front, edit, view, view_edit, features) and outcome.',
      labelNames: ['provider', 'model', 'purpose', 'outcome'],
      registers,
    });
    this.modelCallSeconds = new Histogram({
      name: 'facet_model_call_seconds',
      help: 'Model call latency by provider and purpose, whatever the outcome.',
      labelNames: ['provider', 'purpose'],
      buckets: [0.1, 0.5, 1, 2, 5, 10, 20, 40, 60, 120],
      registers,
    });
    this.modelCost = new Counter({
      name: 'facet_model_cost_usd_total',
      help: 'Estimated cost of the model calls this process made, in US dollars (docs/operations.md).',
      labelNames: ['provider', 'model'],
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
      help: 'Designs not finished yet, by state (all processes). Finished ones: facet_designs_finished_total.',
      labelNames: ['state'],
      registers,
      async collect() {
        const rows = await deps.db
          .selectFrom('designs')
          .select(['state', deps.db.fn.countAll<string>().as('n')])
          .where('state', 'in', [...activeStates])
          .groupBy('state')
          .execute();
        const counts = new Map(rows.map((row) => [row.state as string, Number(row.n)]));
        for (const state of activeStates) this.set({ state }, counts.get(state) ?? 0);
      },
    });
    const journal = this.journal;
    new Gauge({
      name: 'facet_credits_total',
      help: 'Credits moved by the ledger, by operation (grant, reserve, extend, capture, release, expire).',
      labelNames: ['operation'],
      registers,
      async collect() {
        await journal.catchUp(deps.db);
        for (const [operation, total] of journal.totals) this.set({ operation }, total);
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

  /** A model call as the job that made it recorded it. */
  observeModelCall(call: ModelCall, cost: CostEstimate): void {
    this.modelCalls.inc({
      provider: call.provider,
      model: call.model,
      purpose: call.purpose,
      outcome: call.outcome,
    });
    this.modelCallSeconds.observe({ provider: call.provider, purpose: call.purpose }, call.latencyMs / 1000);
    this.modelCost.inc({ provider: call.provider, model: call.model }, cost.microUsd / 1_000_000);
    // facet_model_seconds predates the call records; dashboards read it for image calls.
    if (call.purpose !== 'features')
      this.model.observe(
        { model: call.provider, outcome: legacyOutcomes[call.outcome] },
        call.latencyMs / 1000,
      );
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

  /**
   * GET /metrics in the Prometheus text format. With a token, a scrape must send it as a bearer token;
   * anything else gets a 401 and reads nothing.
   */
  route(options: { token?: string | undefined } = {}): HttpRoute {
    const expected = options.token === undefined ? undefined : Buffer.from(`Bearer ${options.token}`);
    return async (request, response) => {
      if ((request.url ?? '').split('?')[0] !== '/metrics' || request.method !== 'GET') return false;
      if (expected !== undefined) {
        const sent = Buffer.from(request.headers.authorization ?? '');
        if (sent.length !== expected.length || !timingSafeEqual(sent, expected)) {
          response.writeHead(401, { 'www-authenticate': 'Bearer realm="facet-metrics"' });
          response.end('/metrics needs the bearer token set in FACET_METRICS_TOKEN\n');
          return true;
        }
      }
      const body = await this.registry.metrics();
      response.writeHead(200, { 'content-type': this.registry.contentType });
      response.end(body);
      return true;
    };
  }
}

/**
 * Credits by operation, kept up to date from the ledger's journal by reading only the entries written
 * since the last scrape (the first scrape adds up the journal once). Entry ids are given in insert order
 * but committed in any order, so an id skipped over is looked for again at later scrapes.
 */
class JournalTotals {
  readonly totals = new Map<string, number>();
  private through: number | undefined;
  /** Ids below `through` not seen yet, with when they were first missed. */
  private readonly gaps = new Map<number, number>();

  private reading: Promise<void> = Promise.resolve();

  /** One reading at a time: two scrapes at once would add the same entries twice. */
  catchUp(db: Kysely<Database>): Promise<void> {
    const reading = this.reading.then(() => this.read(db));
    this.reading = reading.catch(() => undefined);
    return reading;
  }

  private async read(db: Kysely<Database>): Promise<void> {
    if (this.through === undefined) {
      const rows = await sql<{ kind: string; total: string; last: string }>`
        select kind, sum(amount) as total, max(id) as last from ledger_entries group by kind`.execute(db);
      for (const row of rows.rows) this.add(row.kind, Number(row.total));
      this.through = Math.max(0, ...rows.rows.map((row) => Number(row.last)));
      return;
    }
    const through = this.through;
    const gaps = [...this.gaps.keys()];
    const rows = await sql<{ id: string; kind: string; amount: number }>`
      select id, kind, amount from ledger_entries
      where id > ${through}${gaps.length > 0 ? sql` or id in (${sql.join(gaps)})` : sql``}
      order by id`.execute(db);
    const now = Date.now();
    let next = through;
    const seen = new Set<number>();
    for (const row of rows.rows) {
      const id = Number(row.id);
      this.add(row.kind, row.amount);
      seen.add(id);
      this.gaps.delete(id);
      next = Math.max(next, id);
    }
    for (let id = through + 1; id < next; id += 1) if (!seen.has(id)) this.gaps.set(id, now);
    for (const [id, since] of this.gaps) if (now - since > gapPatienceMs) this.gaps.delete(id);
    this.through = next;
  }

  private add(kind: string, amount: number): void {
    this.totals.set(kind, (this.totals.get(kind) ?? 0) + amount);
  }
}
