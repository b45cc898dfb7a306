/*
 * Evidence for a violation of the chaos soak: one text file per design with its rows as stored, every
 * version of its Slack messages in arrival order, and every line Facet's processes logged about it,
 * all on one clock (seconds since the soak started), next to the faults injected.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FacetDatabase } from '../../src/storage/database.ts';
import { readSlackCardPlace } from '../../src/bots/slack/slack-card-place.ts';
import type { SlackRecorder } from './soak-slack-recorder.ts';

type Fault = { kind: string; at: number; detail: string };

const iso = (date: Date | null) => (date ? date.toISOString().slice(11, 23) : '-');

export async function writeDesignReport(options: {
  db: FacetDatabase;
  recorder: SlackRecorder;
  designId: string;
  logDir: string;
  startedAt: number;
  faults: Fault[];
  why: string[];
}): Promise<string> {
  const { db, recorder, designId, logDir, startedAt } = options;
  const at = (ms: number) => `+${((ms - startedAt) / 1000).toFixed(3).padStart(8)}s`;
  const lines: string[] = [`design ${designId}`, ...options.why.map((w) => `  violation: ${w}`), ''];

  const design = await db.selectFrom('designs').selectAll().where('id', '=', designId).executeTakeFirst();
  if (design) {
    lines.push(
      `state ${design.state}, iteration ${design.iteration}, round ${design.round}, version ${design.version}, ` +
        `charged ${design.charged}, requester ${design.requester_id}`,
      `created ${at(design.created_at.getTime())}, approved ${design.approved_at ? at(design.approved_at.getTime()) : '-'}, ` +
        `finished ${design.finished_at ? at(design.finished_at.getTime()) : '-'}, updated ${at(design.updated_at.getTime())}`,
      `failure: ${design.failure_kind ?? '-'} ${design.failed_phase ?? ''} ${design.failure_message ?? ''}`,
    );
    for (const it of await db
      .selectFrom('design_iterations')
      .selectAll()
      .where('design_id', '=', designId)
      .orderBy('iteration')
      .execute())
      lines.push(
        `  iteration ${it.iteration}: requested ${at(new Date(it.created_at).getTime())}, front stored ${it.completed_at ? at(it.completed_at.getTime()) : '-'} (${it.preset ?? (it.feedback ? 'feedback' : 'first')})`,
      );
    for (const view of await db
      .selectFrom('design_views')
      .selectAll()
      .where('design_id', '=', designId)
      .execute())
      lines.push(
        `  view ${view.view}: ${view.state}, attempts ${view.attempts}, started ${view.started_at ? at(view.started_at.getTime()) : '-'}, finished ${view.finished_at ? at(view.finished_at.getTime()) : '-'} ${view.error ?? ''}`,
      );
    for (const hold of await db
      .selectFrom('credit_holds')
      .selectAll()
      .where('subject', 'like', `design:${designId}:%`)
      .execute())
      lines.push(
        `  hold ${hold.subject}: ${hold.status}, amount ${hold.amount}, expires ${iso(hold.expires_at)}`,
      );
    const surfaceTs = readSlackCardPlace(design.surface)?.ts;
    lines.push('', `Slack (card ts recorded in designs.surface: ${surfaceTs ?? 'none'})`);
    const cards = [...(recorder.cardsByDesign.get(designId) ?? [])];
    const threads = cards.flatMap((ts) => recorder.thread(ts));
    for (const message of [...cards.flatMap((ts) => recorder.messages.get(ts) ?? []), ...threads]) {
      lines.push(
        `  message ${message.ts}${message.threadTs ? ` (in the thread of ${message.threadTs})` : ''}:`,
      );
      for (const version of message.history)
        lines.push(
          `    ${at(version.at)} #${version.seq} ${version.text.replace(/\n/g, ' | ').slice(0, 220)}`,
        );
    }
  }

  lines.push('', 'faults');
  for (const fault of options.faults)
    lines.push(`  +${fault.at.toFixed(3).padStart(8)}s ${fault.kind}: ${fault.detail}`);

  lines.push('', 'log lines that name the design (all processes)');
  const logged: { time: number; line: string }[] = [];
  for (const file of (await readdir(logDir)).filter((f) => f.endsWith('.log'))) {
    const text = await readFile(path.join(logDir, file), 'utf8');
    for (const raw of text.split('\n')) {
      if (!raw.includes(designId)) continue;
      try {
        const entry = JSON.parse(raw) as {
          time: number;
          level: number;
          msg?: string;
          err?: { message?: string };
          [key: string]: unknown;
        };
        const extra = ['phase', 'view', 'attempt', 'jobId', 'version', 'failures', 'retry']
          .filter((key) => entry[key] !== undefined)
          .map((key) => `${key}=${String(entry[key])}`)
          .join(' ');
        logged.push({
          time: entry.time,
          line: `${at(entry.time)} ${file.replace(/\.log$/, '').padEnd(10)} ${entry.level} ${entry.msg ?? ''} ${extra} ${(entry.err?.message ?? '').slice(0, 160)}`,
        });
      } catch {
        logged.push({ time: 0, line: `${file}: ${raw.slice(0, 200)}` });
      }
    }
  }
  for (const entry of logged.sort((a, b) => a.time - b.time)) lines.push(`  ${entry.line}`);
  const file = path.join(logDir, `design-${designId}.txt`);
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}
