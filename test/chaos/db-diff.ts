import { sql } from 'kysely';
import { expect } from 'vitest';
import type { FacetDatabase } from '../../src/storage/database.ts';

/** Every row of every table (by primary key), read in one statement. */
export type DbSnapshot = Map<string, Map<string, Record<string, unknown>>>;

export type TableDiff = {
  added: Record<string, unknown>[];
  removed: Record<string, unknown>[];
  changed: { before: Record<string, unknown>; after: Record<string, unknown> }[];
};

/** Only the tables that changed. */
export type DbDiff = Record<string, TableDiff>;

type TableKey = { table: string; key: string[] };

const ignoredTables = new Set(['facet_migrations']);

/**
 * Bookkeeping a card delivery writes whenever it happens (possibly late, for an earlier design): which
 * version the card shows. Not an effect of the input under test.
 */
const ignoredColumns: Record<string, string[]> = { designs: ['shown_version'] };

/**
 * Snapshots of the whole schema, found from the catalog so that tables added later are covered too.
 * Rows are compared as JSON, keyed by their primary key.
 */
export class DbSnapshots {
  private tables: TableKey[] | undefined;

  constructor(private readonly db: FacetDatabase) {}

  async take(): Promise<DbSnapshot> {
    const tables = (this.tables ??= await this.discover());
    const selects = tables.map(({ table, key }) => {
      const order = key.map((column) => `t.${quote(column)}`).join(', ');
      return `select ${literal(table)} as name, (select coalesce(json_agg(to_jsonb(t) order by ${order}), '[]'::json) from ${quote(table)} t) as rows`;
    });
    const result = await sql<{
      name: string;
      rows: Record<string, unknown>[];
    }>`${sql.raw(selects.join(' union all '))}`.execute(this.db);
    const snapshot: DbSnapshot = new Map();
    for (const { name, rows } of result.rows) {
      const key = tables.find((t) => t.table === name)!.key;
      const ignored = ignoredColumns[name] ?? [];
      const kept = rows.map((row) =>
        Object.fromEntries(Object.entries(row).filter(([column]) => !ignored.includes(column))),
      );
      snapshot.set(name, new Map(kept.map((row) => [JSON.stringify(key.map((column) => row[column])), row])));
    }
    return snapshot;
  }

  /**
   * A snapshot once the database has stopped changing (two reads `gapMs` apart agree): what a valid
   * input set off in the background (feature extraction, card bookkeeping) has finished.
   */
  async settled(gapMs = 40, timeoutMs = 10_000): Promise<DbSnapshot> {
    const deadline = Date.now() + timeoutMs;
    let last = await this.take();
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, gapMs));
      const next = await this.take();
      if (Object.keys(diffSnapshots(last, next)).length === 0) return next;
      if (Date.now() > deadline) throw new Error(`the database kept changing for ${timeoutMs} ms`);
      last = next;
    }
  }

  private async discover(): Promise<TableKey[]> {
    const result = await sql<{ table: string; key: string[] }>`
      select c.relname as table,
             array_agg(a.attname::text order by array_position(i.indkey::int2[], a.attnum)) as key
      from pg_index i
      join pg_class c on c.oid = i.indrelid
      join pg_namespace n on n.oid = c.relnamespace
      join pg_attribute a on a.attrelid = c.oid and a.attnum = any(i.indkey::int2[])
      where i.indisprimary and n.nspname = current_schema()
      group by c.relname
      order by c.relname`.execute(this.db);
    return result.rows.filter((row) => !ignoredTables.has(row.table));
  }
}

export function diffSnapshots(before: DbSnapshot, after: DbSnapshot): DbDiff {
  const diff: DbDiff = {};
  for (const [table, rows] of after) {
    const old = before.get(table) ?? new Map<string, Record<string, unknown>>();
    const entry: TableDiff = { added: [], removed: [], changed: [] };
    for (const [key, row] of rows) {
      const previous = old.get(key);
      if (!previous) entry.added.push(row);
      else if (JSON.stringify(previous) !== JSON.stringify(row))
        entry.changed.push({ before: previous, after: row });
    }
    for (const [key, row] of old) if (!rows.has(key)) entry.removed.push(row);
    if (entry.added.length + entry.removed.length + entry.changed.length > 0) diff[table] = entry;
  }
  return diff;
}

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** Credits a new (workspace, user) account starts with in the kits and the playground's defaults. */
export const starterCredits = 10;

/** What the first sight of a workspace or a person may create without any input being "valid". */
export type FirstSight = { workspaces?: boolean; starterAccounts?: boolean };

/**
 * The diff without what a first sight creates: workspaces with default settings, and credit accounts
 * holding exactly their starter grant (with that grant's ledger entry).
 */
export function withoutFirstSight(diff: DbDiff, allow: FirstSight): DbDiff {
  const rest: DbDiff = { ...diff };
  // A card's front view is recorded as attached whenever that card catches up, which can be late (see
  // the coalescing regression test): bookkeeping of an earlier valid input, not an effect of this one.
  const posts = rest.chat_posts;
  if (posts) {
    const kept = withoutLateCardImages(posts);
    if (kept.added.length + kept.removed.length + kept.changed.length === 0) delete rest.chat_posts;
    else rest.chat_posts = kept;
  }
  // Model calls are recorded in batches after they end: the earlier designs' calls land whenever their
  // model answers. The table is append-only; a change or removal would still show.
  const calls = rest.model_calls;
  if (calls && calls.changed.length + calls.removed.length === 0) delete rest.model_calls;
  const workspaces = rest.workspaces;
  if (allow.workspaces && workspaces && workspaces.changed.length + workspaces.removed.length === 0) {
    const defaults = workspaces.added.every(
      (w) =>
        w.approver_group === null && w.price_design === 3 && w.price_variation === 2 && w.price_edit === 1,
    );
    if (defaults) delete rest.workspaces;
  }
  const accounts = rest.credit_accounts;
  if (allow.starterAccounts && accounts && accounts.changed.length + accounts.removed.length === 0) {
    const starters = accounts.added.filter(
      (a) => a.posted_credits === starterCredits && a.posted_debits === 0 && a.pending_debits === 0,
    );
    const ids = new Set(starters.map((a) => a.id));
    const entries = rest.ledger_entries;
    const onlyGrants =
      !entries ||
      (entries.changed.length + entries.removed.length === 0 &&
        entries.added.every(
          (e) => e.kind === 'grant' && e.amount === starterCredits && ids.has(e.account_id),
        ));
    if (starters.length === accounts.added.length && onlyGrants) {
      delete rest.credit_accounts;
      delete rest.ledger_entries;
    }
  }
  return rest;
}

function withoutLateCardImages(posts: TableDiff, ownDesign?: string): TableDiff {
  const late = (row: Record<string, unknown>) =>
    String(row.key).startsWith('card-image:') && row.design_id !== ownDesign;
  return {
    added: posts.added.filter((row) => !late(row)),
    removed: posts.removed.filter((row) => !late(row)),
    changed: posts.changed.filter((change) => !late(change.after)),
  };
}

export function expectUnchanged(diff: DbDiff, allow: FirstSight = {}, input?: unknown) {
  expect(withoutFirstSight(diff, allow), `database changed for ${JSON.stringify(input)}`).toEqual({});
}

const designTables = [
  'designs',
  'design_iterations',
  'design_views',
  // The front view drawn so far: each candidate is recorded as it is drawn.
  'front_candidates',
  'credit_holds',
  'ledger_entries',
  'credit_accounts',
  'chat_posts',
  'workspaces',
];

/**
 * Exactly one new design of `requesterId` with this prompt and the price held for it, and nothing else:
 * no other design, hold, entry or account touched (its account and workspace may be new).
 */
export function expectOneDesign(
  diff: DbDiff,
  expected: { workspaceId: string; requesterId: string; prompt: string; price: number },
): string {
  const designs = diff.designs;
  expect(designs?.added, 'one new design').toHaveLength(1);
  expect(designs?.changed ?? [], 'other designs changed').toEqual([]);
  const design = designs!.added[0]!;
  expect(design).toMatchObject({
    workspace_id: expected.workspaceId,
    requester_id: expected.requesterId,
    prompt: expected.prompt,
    kind: 'design',
    iteration: 1,
    hold_amount: expected.price,
    charged: 0,
  });
  const id = design.id as string;
  expect(diff.design_iterations?.added.map((row) => [row.design_id, row.iteration])).toEqual([[id, 1]]);
  expect(diff.design_views?.added.map((row) => row.design_id)).toEqual([id, id, id, id, id]);
  expect((diff.front_candidates?.added ?? []).every((row) => row.design_id === id)).toBe(true);
  expect(diff.front_candidates?.changed ?? []).toEqual([]);
  expect(diff.credit_holds?.added.map((hold) => [hold.amount, hold.status])).toEqual([
    [expected.price, 'active'],
  ]);
  const entries = diff.ledger_entries?.added ?? [];
  expect(entries.filter((entry) => entry.kind === 'reserve').map((entry) => entry.amount)).toEqual([
    expected.price,
  ]);
  expect(entries.every((entry) => entry.kind === 'reserve' || entry.kind === 'grant')).toBe(true);
  const accounts = [
    ...(diff.credit_accounts?.added ?? []),
    ...(diff.credit_accounts?.changed.map((c) => c.after) ?? []),
  ];
  expect(accounts.map((a) => a.user_id)).toEqual([expected.requesterId]);
  expect(
    Object.keys(withoutFirstSight(diff, {})).filter((table) => !designTables.includes(table)),
    'other tables changed',
  ).toEqual([]);
  for (const table of ['design_iterations', 'design_views', 'credit_holds', 'ledger_entries']) {
    expect(diff[table]?.changed ?? [], `${table} changed`).toEqual([]);
    expect(diff[table]?.removed ?? [], `${table} removed`).toEqual([]);
  }
  // Where the card went (Discord records its image there) belongs to the new design too, unless it is
  // the late card of an earlier design catching up (see withoutFirstSight).
  const posts = diff.chat_posts && withoutLateCardImages(diff.chat_posts, id);
  expect(
    !posts ||
      (posts.changed.length + posts.removed.length === 0 && posts.added.every((p) => p.design_id === id)),
    `chat_posts of other designs changed: ${JSON.stringify(posts)}`,
  ).toBe(true);
  // A workspace seen for the first time is created with its first design.
  const workspaces = diff.workspaces;
  expect(
    !workspaces ||
      (workspaces.changed.length + workspaces.removed.length === 0 &&
        workspaces.added.every((w) => w.id === expected.workspaceId)),
    `workspaces changed: ${JSON.stringify(workspaces)}`,
  ).toBe(true);
  return id;
}
