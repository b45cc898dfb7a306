import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/facet.ts';
import { designAuditCsvHeader } from '../../src/workflow/design-audit-csv.ts';
import type { WorkflowOutcome } from '../../src/workflow/workflow-outcome.ts';
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
  }, 60_000);

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
    expect(document.designs).toHaveLength(1);
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
  });

  it('writes CSV by default, with a header and one row per iteration', async () => {
    const result = await exportDesigns(
      'designs',
      '--platform',
      'slack',
      '--workspace',
      team,
      '--since',
      '1h',
    );
    expect(result.code).toBe(0);
    const lines = result.out.split('\n');
    expect(lines[0]).toBe(designAuditCsvHeader.join(','));
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual([designId, designId]);
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
