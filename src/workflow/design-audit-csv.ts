import type { DesignAudit, IterationAudit } from './design-audit.ts';

type Cell = string | number | Date | null;

/**
 * Design columns first (repeated on each of its iterations' rows), then the iteration's. Columns added
 * later go at the end, so that a script reading an older export's columns by position still reads them.
 */
const columns: readonly [string, (design: DesignAudit, iteration: IterationAudit | undefined) => Cell][] = [
  ['design_id', (d) => d.id],
  ['created_at', (d) => d.createdAt],
  ['finished_at', (d) => d.finishedAt],
  ['kind', (d) => d.kind],
  ['state', (d) => d.state],
  ['failure_kind', (d) => d.failureKind],
  ['requester', (d) => d.requesterId],
  ['prompt', (d) => d.prompt],
  ['decision', (d) => d.decision?.kind ?? null],
  ['decided_iteration', (d) => d.decision?.iteration ?? null],
  ['decided_by', (d) => d.decision?.by ?? null],
  ['decided_at', (d) => d.decision?.at ?? null],
  ['credits_held', (d) => d.credits.held],
  ['credits_captured', (d) => d.credits.captured],
  ['credits_released', (d) => d.credits.released],
  ['credits_expired', (d) => d.credits.expired],
  ['model_calls', (d) => d.model.calls],
  ['model_ms', (d) => d.model.latencyMs],
  ['est_cost_usd', (d) => microUsdAsUsd(d.model.costMicroUsd)],
  ['iteration', (_, i) => i?.iteration ?? null],
  ['requested_by', (_, i) => i?.requestedBy ?? null],
  ['requested_at', (_, i) => i?.requestedAt ?? null],
  ['asked_via', (_, i) => i?.askedVia ?? null],
  ['asked_for', (_, i) => i?.askedFor ?? null],
  ['front_completed_at', (_, i) => i?.frontCompletedAt ?? null],
  ['iteration_decision', (_, i) => i?.decision ?? null],
  // The decision columns above say who declined which iteration and when; this says why.
  ['decline_reason', (d) => (d.decision?.kind === 'declined' ? d.decision.reason : null)],
];

export const designAuditCsvHeader = columns.map(([name]) => name);

/**
 * CSV with a header, one row per iteration (a design without iterations still gets one row). Fields are
 * quoted as RFC 4180 says, so a prompt's commas, quotes and line breaks stay in its field; rows end in LF
 * like `facet usage --format csv`.
 */
export function designAuditCsv(designs: readonly DesignAudit[]): string {
  const rows = designs.flatMap((design) =>
    (design.iterations.length > 0 ? design.iterations : [undefined]).map((iteration) =>
      columns.map(([, cell]) => field(cell(design, iteration))),
    ),
  );
  return [designAuditCsvHeader, ...rows].map((row) => row.join(',')).join('\n');
}

/** Exact decimal text: a float division could print 0.30000000000000004 for a sum of prices. */
function microUsdAsUsd(micro: number): string {
  const whole = Math.floor(micro / 1_000_000);
  const fraction = String(micro % 1_000_000)
    .padStart(6, '0')
    .replace(/0+$/, '');
  return fraction === '' ? String(whole) : `${whole}.${fraction}`;
}

function field(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = value instanceof Date ? value.toISOString() : spreadsheetSafe(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Prompts and feedback are anyone's words, and a spreadsheet runs a cell that starts with = + - @ (or a
 * tab or CR before them) as a formula: such text gets a leading apostrophe, which spreadsheets show as
 * text (OWASP's advice for CSV injection). The JSON export keeps the text exactly.
 */
function spreadsheetSafe(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}
