import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/facet.ts';
import { auditLedger } from '../../src/credits/invariants.ts';
import { designAuditCsvHeader } from '../../src/workflow/design-audit-csv.ts';
import type { WorkflowOutcome } from '../../src/workflow/workflow-outcome.ts';
import { parseCsv } from '../helpers/parse-csv.ts';
import { actor, createHarness, inState, waitFor, type Harness } from '../workflow/workflow-harness.ts';

const run = promisify(execFile);

function idOf(outcome: WorkflowOutcome): string {
  if (!outcome.ok) throw new Error(`refused: ${outcome.reason}`);
  return outcome.design.id;
}

describe('facet export designs', () => {
  let h: Harness;
  let env: NodeJS.ProcessEnv;
  let team: string;
  let designId: string;
  let declinedId: string;
  const reason = '=off-brand, "too loud"\nstart from the spring palette';

  const exportDesigns = async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(
      ['export', ...args],
      { out: (line) => out.push(line), err: (line) => err.push(line) },
      env,
    );
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  /** `facet export designs` of the test's workspace, with `options`. */
  const exportWorkspace = (...options: string[]) =>
    exportDesigns('designs', '--platform', 'slack', '--workspace', team, ...options);

  beforeAll(async () => {
    h = await createHarness('export_cli');
    env = { DATABASE_URL: h.test.url, LOG_LEVEL: 'silent' };
    team = (
      await h.test.db
        .selectFrom('workspaces')
        .select('external_id')
        .where('id', '=', h.workspaceId)
        .executeTakeFirstOrThrow()
    ).external_id;
    const who = actor('U-cli');
    const { service } = h.workflow;
    designId = idOf(await service.start({ workspaceId: h.workspaceId, actor: who, prompt: 'a kettle' }));
    await waitFor(h.workflow, designId, inState('awaiting_approval'));
    idOf(await service.edit({ designId, actor: who, iteration: 1, edit: { preset: 'color' } }));
    await waitFor(h.workflow, designId, (d) => d.state === 'awaiting_approval' && d.iteration === 2);
    idOf(await service.approve({ designId, actor: who, iteration: 2 }));
    expect((await waitFor(h.workflow, designId, inState('completed', 'failed'))).state).toBe('completed');

    // The workspace gets an approver group; one of its members declines a design's second iteration.
    await h.test.db
      .updateTable('workspaces')
      .set({ approver_group: 'S-leads' })
      .where('id', '=', h.workspaceId)
      .execute();
    declinedId = idOf(await service.start({ workspaceId: h.workspaceId, actor: who, prompt: 'a teapot' }));
    await waitFor(h.workflow, declinedId, inState('awaiting_approval'));
    idOf(await service.edit({ designId: declinedId, actor: who, iteration: 1, edit: { preset: 'minimal' } }));
    await waitFor(h.workflow, declinedId, (d) => d.state === 'awaiting_approval' && d.iteration === 2);
    const lead = actor('U-lead', { groups: ['S-leads'] });
    idOf(await service.decline({ designId: declinedId, actor: lead, iteration: 2, reason }));
  }, 60_000);

  /** What the ledger itself says each design's holds did: its entries, summed by kind. */
  const ledgerOf = async (id: string) => {
    const { rows } = await sql<{ kind: string; total: number }>`
      select e.kind, sum(e.amount)::integer as total
      from credit_holds h join ledger_entries e on e.hold_id = h.id
      where h.subject like ${`design:${id}:%`}
      group by e.kind`.execute(h.test.db);
    const sum = (...kinds: string[]) =>
      rows.filter((row) => kinds.includes(row.kind)).reduce((total, row) => total + row.total, 0);
    const charged = await h.test.db
      .selectFrom('designs')
      .select('charged')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return {
      ledger: {
        held: sum('reserve', 'extend'),
        captured: sum('capture'),
        released: sum('release'),
        expired: sum('expire'),
      },
      charged: charged.charged,
    };
  };

  afterAll(() => h.close());

  it('prints one JSON document through the installed bin', async () => {
    const { stdout } = await run(
      process.execPath,
      ['bin/facet.js', 'export', 'designs', '--platform', 'slack', '--workspace', team, '--format', 'json'],
      { env: { ...process.env, ...env } },
    );
    const document = JSON.parse(stdout) as {
      workspace: unknown;
      since: string;
      designs: Record<string, unknown>[];
    };
    expect(document.workspace).toEqual({ platform: 'slack', id: team, name: null });
    expect(Date.now() - Date.parse(document.since)).toBeGreaterThanOrEqual(30 * 86_400_000);
    expect(document.designs).toHaveLength(2);
    expect(document.designs[0]).toMatchObject({
      id: designId,
      prompt: 'a kettle',
      kind: 'design',
      state: 'completed',
      requesterId: 'U-cli',
      failureKind: null,
      decision: { kind: 'approved', iteration: 2, by: 'U-cli' },
      credits: { held: 4, captured: 4, released: 0, expired: 0 },
      iterations: [
        { iteration: 1, requestedBy: 'U-cli', askedVia: 'prompt', askedFor: 'a kettle', decision: null },
        {
          iteration: 2,
          requestedBy: 'U-cli',
          askedVia: 'preset',
          askedFor: 'Change the color',
          decision: 'approved',
          decidedBy: 'U-cli',
        },
      ],
    });
    const [design] = document.designs as [
      { createdAt: string; decision: { at: string }; model: { calls: number } },
    ];
    expect(new Date(design.createdAt).toISOString()).toBe(design.createdAt);
    expect(Date.parse(design.decision.at)).toBeGreaterThan(Date.parse(design.createdAt));
    expect(design.model.calls).toBeGreaterThan(0);

    // The decline: who, why and which iteration; held 3 + 1, all of it released, nothing charged.
    expect(document.designs[1]).toMatchObject({
      id: declinedId,
      state: 'declined',
      requesterId: 'U-cli',
      decision: { kind: 'declined', iteration: 2, by: 'U-lead', reason },
      credits: { held: 4, captured: 0, released: 4, expired: 0 },
      iterations: [
        { iteration: 1, askedVia: 'prompt', decision: null, decidedBy: null },
        {
          iteration: 2,
          askedVia: 'preset',
          askedFor: 'More minimal',
          decision: 'declined',
          decidedBy: 'U-lead',
        },
      ],
    });
    const declined = document.designs[1] as { finishedAt: string; decision: { at: string } };
    expect(declined.finishedAt).toBe(declined.decision.at);
  });

  it("writes rows whose credits match the ledger's entries, and a charge only for the completed design", async () => {
    const json = await exportWorkspace('--format', 'json');
    const csv = await exportWorkspace('--format', 'csv');
    expect([json.code, csv.code]).toEqual([0, 0]);
    const { designs } = JSON.parse(json.out) as {
      designs: { id: string; state: string; credits: Record<string, number> }[];
    };
    expect(designs.map((d) => d.id)).toEqual([designId, declinedId]);
    const [header, ...rows] = parseCsv(csv.out);
    for (const design of designs) {
      const truth = await ledgerOf(design.id);
      expect({ id: design.id, ...design.credits }).toEqual({ id: design.id, ...truth.ledger });
      expect({ id: design.id, charged: truth.charged }).toEqual({
        id: design.id,
        charged: design.state === 'completed' ? design.credits.captured : 0,
      });
      // Every CSV row of the design (one per iteration) carries the same totals.
      const csvCredits = rows
        .filter((row) => row[header!.indexOf('design_id')] === design.id)
        .map((row) =>
          Object.fromEntries(
            (['held', 'captured', 'released', 'expired'] as const).map((kind) => [
              kind,
              Number(row[header!.indexOf(`credits_${kind}`)]),
            ]),
          ),
        );
      expect(csvCredits).toEqual([truth.ledger, truth.ledger]);
    }
    expect(await ledgerOf(declinedId)).toEqual({
      ledger: { held: 4, captured: 0, released: 4, expired: 0 },
      charged: 0,
    });
    expect((await auditLedger(h.test.db)).violations).toEqual([]);
  });

  it('writes CSV by default, with a header and one row per iteration', async () => {
    const result = await exportWorkspace('--since', '1h');
    expect(result.code).toBe(0);
    const [header, ...rows] = parseCsv(result.out);
    expect(header).toEqual(designAuditCsvHeader);
    const records = rows.map((row) => Object.fromEntries(header!.map((name, i) => [name, row[i]])));
    expect(records.map((r) => [r.design_id, r.iteration, r.decision])).toEqual([
      [designId, '1', 'approved'],
      [designId, '2', 'approved'],
      [declinedId, '1', 'declined'],
      [declinedId, '2', 'declined'],
    ]);
    expect(records[3]).toMatchObject({
      state: 'declined',
      decided_iteration: '2',
      decided_by: 'U-lead',
      iteration_decision: 'declined',
      // Defused like a prompt: it starts with =.
      decline_reason: `'${reason}`,
      credits_held: '4',
      credits_captured: '0',
      credits_released: '4',
      credits_expired: '0',
    });
    expect(records[1]).toMatchObject({ decline_reason: '', credits_captured: '4' });
    expect(records[2]).toMatchObject({ iteration_decision: '', decline_reason: `'${reason}` });
  });

  it('explains a bad call with the usage and exit code 2, and refuses an unknown workspace', async () => {
    const workspace = ['--platform', 'slack', '--workspace', team];
    const cases: [string[], string][] = [
      [[], 'unknown export (none): use export designs'],
      [['users', ...workspace], 'unknown export "users"'],
      [['designs', '--workspace', team], '--platform must be slack, discord, playground'],
      [
        ['designs', '--platform', 'teams', '--workspace', team],
        '--platform must be slack, discord, playground',
      ],
      [['designs', '--platform', 'slack'], '--workspace is required'],
      [['designs', ...workspace, '--since', '30x'], '--since must be a duration such as 30d, 24h or 90m'],
      [['designs', ...workspace, '--format', 'xml'], '--format must be csv, json'],
      [['designs', ...workspace, '--fromat', 'csv'], "Unknown option '--fromat'"],
      [
        ['designs', '--platform', 'discord', '--workspace', team],
        `unknown workspace: Facet has never seen discord workspace "${team}" (check --platform and --workspace)`,
      ],
    ];
    for (const [args, message] of cases) {
      const result = await exportDesigns(...args);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.err).toContain(message);
      expect(result.err).toContain('facet export designs [options]');
      expect(result.out).toBe('');
    }
  });

  it('is listed in the help', async () => {
    const out: string[] = [];
    expect(await runCli(['help'], { out: (line) => out.push(line), err: () => undefined }, env)).toBe(0);
    expect(out[0]).toContain('export designs ...     a workspace');
    expect(out[0]).toContain('--format csv|json');
  });
});
