import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWorkspace } from '../../src/storage/workspaces.ts';
import type { ModelCallsTable } from '../../src/storage/schema.ts';
import {
  designCosts,
  latencyByPurpose,
  usageReport,
  workspaceMonth,
} from '../../src/workflow/model-calls/usage-report.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import type { Insertable } from 'kysely';

type Call = Partial<Insertable<ModelCallsTable>> & Pick<Insertable<ModelCallsTable>, 'purpose'>;

const gemini = 'gemini-2.5-flash-image';
const openai = 'gpt-4o-mini-2024-07-18';
const since = new Date('2026-12-01T00:00:00Z');

describe('usage report', () => {
  let test: TestDatabase;
  let acme: string;
  let guild: string;
  const designs: Record<'a0' | 'a1' | 'a2' | 'a3' | 'b1', string> = {
    a0: '',
    a1: '',
    a2: '',
    a3: '',
    b1: '',
  };

  const design = async (workspaceId: string, requester: string, createdAt: string) =>
    (
      await test.db
        .insertInto('designs')
        .values({
          workspace_id: workspaceId,
          requester_id: requester,
          prompt: 'a lamp',
          state: 'completed',
          kind: 'design',
          base_price: 3,
          edit_price: 1,
          surface: JSON.stringify({}),
          created_at: createdAt,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;

  /** Calls as the batched log writes them: a design's workspace and requester, the answer's figures. */
  const calls = (designId: string, workspaceId: string, requester: string, rows: Call[]) =>
    test.db
      .insertInto('model_calls')
      .values(
        rows.map((row) => ({
          workspace_id: workspaceId,
          design_id: designId,
          requester_id: requester,
          provider: 'gemini',
          model: gemini,
          outcome: 'ok' as const,
          started_at: since,
          latency_ms: 1000,
          tokens_in: null,
          tokens_out: null,
          images: 0,
          cost_microusd: 0,
          priced_by: 'unpriced' as const,
          ...row,
        })),
      )
      .execute();

  beforeAll(async () => {
    test = await createTestDatabase('usage_report');
    acme = (await ensureWorkspace(test.db, 'slack', 'T1', 'Acme')).id;
    guild = (await ensureWorkspace(test.db, 'discord', '42')).id;
    designs.a0 = await design(acme, 'U1', '2026-11-20T10:00:00Z');
    designs.a1 = await design(acme, 'U1', '2026-12-01T09:00:00Z');
    designs.a2 = await design(acme, 'U2', '2026-12-02T10:00:00Z');
    designs.a3 = await design(acme, 'U3', '2026-12-03T08:00:00Z');
    designs.b1 = await design(guild, '7', '2026-12-03T23:00:00Z');
    // November, one second before the report starts.
    await calls(designs.a0, acme, 'U1', [
      {
        purpose: 'front',
        started_at: new Date('2026-11-30T23:59:59Z'),
        latency_ms: 9000,
        images: 1,
        cost_microusd: 39_000,
        priced_by: 'images',
      },
    ]);
    const at = (time: string) => new Date(`2026-12-01T${time}Z`);
    const view = (time: string, latency: number) => ({
      purpose: 'view' as const,
      started_at: at(time),
      latency_ms: latency,
      images: 1,
      cost_microusd: 39_000,
      priced_by: 'images' as const,
    });
    // Gemini reporting its usage (front, edit), then not (views); OpenAI reporting its usage.
    await calls(designs.a1, acme, 'U1', [
      {
        purpose: 'front',
        started_at: at('09:00:01'),
        latency_ms: 8000,
        tokens_in: 300,
        tokens_out: 1290,
        images: 1,
        cost_microusd: 38_790,
        priced_by: 'tokens',
      },
      {
        purpose: 'features',
        provider: 'openai',
        model: openai,
        started_at: at('09:00:10'),
        latency_ms: 1500,
        tokens_in: 25_000,
        tokens_out: 200,
        cost_microusd: 3870,
        priced_by: 'tokens',
      },
      {
        purpose: 'edit',
        started_at: at('09:05:00'),
        latency_ms: 10_000,
        tokens_in: 350,
        tokens_out: 1290,
        images: 1,
        cost_microusd: 38_805,
        priced_by: 'tokens',
      },
      view('09:10:00', 6000),
      view('09:10:00', 7000),
      view('09:10:00', 9000),
      view('09:10:00', 12_000),
    ]);
    // A transient failure then its retry, a features call priced per call, an edit the model refused.
    const day2 = (time: string) => new Date(`2026-12-02T${time}Z`);
    await calls(designs.a2, acme, 'U2', [
      { purpose: 'front', outcome: 'transient_error', started_at: day2('10:00:01'), latency_ms: 30_000 },
      {
        purpose: 'front',
        started_at: day2('10:00:40'),
        latency_ms: 9000,
        images: 1,
        cost_microusd: 39_000,
        priced_by: 'images',
      },
      {
        purpose: 'features',
        provider: 'openai',
        model: openai,
        started_at: day2('10:00:50'),
        latency_ms: 2000,
        cost_microusd: 4000,
        priced_by: 'call',
      },
      { purpose: 'edit', outcome: 'blocked', started_at: day2('10:02:00'), latency_ms: 4000 },
    ]);
    // Late on 3 December in UTC (already the 4th east of it): offline front view, a Gemini view edit.
    await calls(designs.b1, guild, '7', [
      {
        purpose: 'front',
        provider: 'offline',
        model: 'offline-renderer',
        started_at: new Date('2026-12-03T23:30:00Z'),
        latency_ms: 50,
        images: 1,
        priced_by: 'images',
      },
      {
        purpose: 'view_edit',
        started_at: new Date('2026-12-03T23:40:00Z'),
        latency_ms: 10_050,
        tokens_in: 400,
        tokens_out: 1290,
        images: 1,
        cost_microusd: 38_820,
        priced_by: 'tokens',
      },
    ]);
  });

  afterAll(() => test.drop());

  it('adds up every workspace since a moment, the most expensive first', async () => {
    expect(await usageReport(test.db, { since, by: 'workspace' })).toEqual([
      {
        key: 'slack:T1 (Acme)',
        calls: 11,
        images: 7,
        tokensIn: 25_650,
        tokensOut: 2780,
        costUsd: 0.280465,
        failureRate: 2 / 11,
        latencyP50Ms: 8000,
        latencyP95Ms: 21_000,
      },
      {
        key: 'discord:42',
        calls: 2,
        images: 2,
        tokensIn: 400,
        tokensOut: 1290,
        costUsd: 0.03882,
        failureRate: 0,
        latencyP50Ms: 5050,
        latencyP95Ms: 9550,
      },
    ]);
    const withNovember = await usageReport(test.db, { since: new Date('2026-11-01Z'), by: 'workspace' });
    expect(withNovember[0]).toMatchObject({ key: 'slack:T1 (Acme)', calls: 12, costUsd: 0.319465 });
  });

  it('names requesters with their workspace across workspaces, bare within one', async () => {
    const everywhere = await usageReport(test.db, { since, by: 'user' });
    expect(everywhere.map((row) => [row.key, row.calls, row.costUsd, row.failureRate])).toEqual([
      ['slack:T1/U1', 7, 0.237465, 0],
      ['slack:T1/U2', 4, 0.043, 0.5],
      ['discord:42/7', 2, 0.03882, 0],
    ]);
    const inAcme = await usageReport(test.db, { workspaceId: acme, since, by: 'user' });
    expect(inAcme.map((row) => row.key)).toEqual(['U1', 'U2']);
    expect(inAcme[1]).toEqual({
      key: 'U2',
      calls: 4,
      images: 1,
      tokensIn: 0,
      tokensOut: 0,
      costUsd: 0.043,
      failureRate: 0.5,
      latencyP50Ms: 6500,
      latencyP95Ms: 26_850,
    });
  });

  it('groups by model as the answers name it, and by purpose', async () => {
    expect(await usageReport(test.db, { since, by: 'model' })).toEqual([
      {
        key: gemini,
        calls: 10,
        images: 8,
        tokensIn: 1050,
        tokensOut: 3870,
        costUsd: 0.311415,
        failureRate: 0.2,
        latencyP50Ms: 9000,
        latencyP95Ms: 21_900,
      },
      {
        key: openai,
        calls: 2,
        images: 0,
        tokensIn: 25_000,
        tokensOut: 200,
        costUsd: 0.00787,
        failureRate: 0,
        latencyP50Ms: 1750,
        latencyP95Ms: 1975,
      },
      {
        key: 'offline-renderer',
        calls: 1,
        images: 1,
        tokensIn: 0,
        tokensOut: 0,
        costUsd: 0,
        failureRate: 0,
        latencyP50Ms: 50,
        latencyP95Ms: 50,
      },
    ]);
    const purposes = await usageReport(test.db, { since, by: 'purpose' });
    expect(purposes.map((row) => [row.key, row.calls, row.images, row.costUsd, row.failureRate])).toEqual([
      ['view', 4, 4, 0.156, 0],
      ['front', 4, 3, 0.07779, 0.25],
      ['view_edit', 1, 1, 0.03882, 0],
      ['edit', 2, 1, 0.038805, 0.5],
      ['features', 2, 0, 0.00787, 0],
    ]);
  });

  it('counts days in UTC, oldest first, whatever the session time zone', async () => {
    const days = await test.db.connection().execute(async (connection) => {
      await sql`set time zone 'Pacific/Kiritimati'`.execute(connection);
      try {
        return await usageReport(connection, { since, by: 'day' });
      } finally {
        await sql`reset time zone`.execute(connection);
      }
    });
    expect(days.map((row) => [row.key, row.calls, row.costUsd])).toEqual([
      ['2026-12-01', 7, 0.237465],
      ['2026-12-02', 4, 0.043],
      ['2026-12-03', 2, 0.03882],
    ]);
  });

  it('gives latency per purpose in the order a design makes its calls', async () => {
    expect(await latencyByPurpose(test.db, { since })).toEqual([
      { purpose: 'front', calls: 4, latencyP50Ms: 8500, latencyP95Ms: 26_850 },
      { purpose: 'edit', calls: 2, latencyP50Ms: 7000, latencyP95Ms: 9700 },
      { purpose: 'view', calls: 4, latencyP50Ms: 8000, latencyP95Ms: 11_550 },
      { purpose: 'view_edit', calls: 1, latencyP50Ms: 10_050, latencyP95Ms: 10_050 },
      { purpose: 'features', calls: 2, latencyP50Ms: 1750, latencyP95Ms: 1975 },
    ]);
    expect(await latencyByPurpose(test.db, { since, workspaceId: guild })).toEqual([
      { purpose: 'front', calls: 1, latencyP50Ms: 50, latencyP95Ms: 50 },
      { purpose: 'view_edit', calls: 1, latencyP50Ms: 10_050, latencyP95Ms: 10_050 },
    ]);
    expect(await latencyByPurpose(test.db, { since: new Date('2026-12-05Z') })).toEqual([]);
  });

  it("sums a workspace's month: designs created in it, images and cost of its calls, top requesters", async () => {
    expect(await workspaceMonth(test.db, { workspaceId: acme, monthStart: since })).toEqual({
      designs: 3,
      images: 7,
      costUsd: 0.280465,
      topRequesters: [
        { userId: 'U1', designs: 1, costUsd: 0.237465 },
        { userId: 'U2', designs: 1, costUsd: 0.043 },
        { userId: 'U3', designs: 1, costUsd: 0 },
      ],
    });
    // Any moment of the month names it; November's design and call stay in November.
    expect(
      await workspaceMonth(test.db, { workspaceId: acme, monthStart: new Date('2026-11-17T15:00:00Z') }),
    ).toEqual({
      designs: 1,
      images: 1,
      costUsd: 0.039,
      topRequesters: [{ userId: 'U1', designs: 1, costUsd: 0.039 }],
    });
    expect(
      await workspaceMonth(test.db, { workspaceId: guild, monthStart: new Date('2027-01-01Z') }),
    ).toEqual({ designs: 0, images: 0, costUsd: 0, topRequesters: [] });
  });

  it('keeps the five requesters who spent the most', async () => {
    const busy = (await ensureWorkspace(test.db, 'playground', 'busy')).id;
    for (const [index, user] of ['P1', 'P2', 'P3', 'P4', 'P5', 'P6'].entries()) {
      const id = await design(busy, user, '2026-12-02T00:00:00Z');
      await calls(id, busy, user, [
        { purpose: 'front', images: 1, cost_microusd: (index % 3) * 10_000 + index, priced_by: 'images' },
      ]);
    }
    const month = await workspaceMonth(test.db, { workspaceId: busy, monthStart: since });
    expect(month).toMatchObject({ designs: 6, images: 6, costUsd: 0.060015 });
    expect(month.topRequesters).toEqual([
      { userId: 'P6', designs: 1, costUsd: 0.020005 },
      { userId: 'P3', designs: 1, costUsd: 0.020002 },
      { userId: 'P5', designs: 1, costUsd: 0.010004 },
      { userId: 'P2', designs: 1, costUsd: 0.010001 },
      { userId: 'P4', designs: 1, costUsd: 0.000003 },
    ]);
  });

  it('prices designs one by one, a design without calls at zero', async () => {
    const costs = await designCosts(test.db, [designs.a0, designs.a1, designs.a2, designs.a3, designs.b1]);
    expect(Object.fromEntries(costs)).toEqual({
      [designs.a0]: 0.039,
      [designs.a1]: 0.237465,
      [designs.a2]: 0.043,
      [designs.a3]: 0,
      [designs.b1]: 0.03882,
    });
    expect(await designCosts(test.db, [])).toEqual(new Map());
  });
});
