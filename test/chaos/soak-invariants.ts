/*
 * The end-of-soak checks of test/chaos/soak.ts, read from Postgres, the image store and the recorded
 * Slack messages once the system is quiet:
 *   1. every design is finished (completed, failed, cancelled, expired, declined) or awaiting approval
 *      with its expiry not yet due;
 *   2. every completed design has all five views stored (rows done, objects in the bucket, the revision
 *      naming them) and captured exactly its price (base + accepted edits), once;
 *   3. every failed, cancelled, expired or declined design captured nothing and has no active hold; a
 *      declined one released every hold it had and says who declined it, when and why (and only a
 *      declined design says so);
 *   4. the ledger balances (auditLedger: counters = journal, held = active holds, no overdraft,
 *      conservation) and every account's debits are the sum of its designs' charges;
 *   5. no Slack message shows a state the database does not have: each card's and each thread status
 *      message's LAST content equals what Facet renders from the design as stored now (elapsed seconds
 *      aside), including cards that were posted but never recorded (orphans).
 */
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { buildDesignCard } from '../../src/bots/card/design-card.ts';
import { buildDesignThread } from '../../src/bots/card/design-thread.ts';
import { renderSlackCard } from '../../src/bots/slack/slack-blocks.ts';
import { readSlackCardPlace } from '../../src/bots/slack/slack-card-place.ts';
import { renderSlackThreadStatus } from '../../src/bots/slack/slack-thread-blocks.ts';
import { auditLedger } from '../../src/credits/invariants.ts';
import type { FacetDatabase } from '../../src/storage/database.ts';
import type { DesignState } from '../../src/storage/schema.ts';
import { loadSnapshot, type DesignSnapshot } from '../../src/workflow/design-snapshot.ts';
import { viewNames } from '../../src/workflow/views.ts';
import { readCard, type SlackBlock, type SlackRecorder } from './soak-slack-recorder.ts';

export type Violation = { kind: string; designId?: string; detail: string };

export type CheckDeps = {
  db: FacetDatabase;
  recorder: SlackRecorder;
  s3: S3Client;
  bucket: string;
  holdTtlMs: number;
  starterCredits: number;
  /** How long after its expiry is due an awaiting design may still be waiting (the expire job's lag). */
  expiryGraceMs: number;
};

export type CheckFigures = {
  byState: Record<string, number>;
  acceptedEdits: number;
  completedViewsChecked: number;
  legitimatelyAwaiting: number;
  cardsChecked: number;
  threadStatusesChecked: number;
  /** Designs with no card in Slack (the command's card post failed and the design was cancelled). */
  withoutCard: number;
  /** Extra channel messages for a design beyond its recorded card (all showing the right state). */
  duplicateCards: number;
  /** Completed designs whose thread lacks an image it should show (not a stale state; informational). */
  threadImagesMissing: number;
  /** Completed designs whose thread never got its status message (informational). */
  threadStatusMissing: number;
  completedWithoutContactSheet: number;
  /** Declined designs whose record (who, when, why) and released holds were checked. */
  declinesChecked: number;
  ledger: { granted: number; captured: number; held: number; balance: number; accounts: number };
};

/** The states a design ends in: nothing more happens to it unless someone acts (Retry, Edit view). */
export const finishedStates: readonly DesignState[] = [
  'completed',
  'failed',
  'cancelled',
  'expired',
  'declined',
];

/** Elapsed seconds ("(12 s)") are the only part of a rendering that depends on the clock. */
function normalized(blocks: SlackBlock[]): string {
  return JSON.stringify(blocks).replace(/\(\d+ s\)/g, '(N s)');
}

function describeCard(blocks: SlackBlock[]): string {
  const card = readCard(blocks);
  const actions = card.actionIds.map((id) => id.split(':')[1]).join(',');
  return `"${card.status.slice(0, 90)}" [${actions}]`;
}

/** Where two renderings part: a little of each around the first difference. */
function difference(shown: SlackBlock[], wanted: SlackBlock[]): string {
  const a = normalized(shown);
  const b = normalized(wanted);
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  const around = (text: string) => text.slice(Math.max(0, i - 30), i + 70).replace(/\\n/g, ' | ');
  return `shows ...${around(a)}... where the database gives ...${around(b)}...`;
}

async function mapLimit<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

export async function checkInvariants(
  deps: CheckDeps,
): Promise<{ violations: Violation[]; figures: CheckFigures }> {
  const { db, recorder } = deps;
  const violations: Violation[] = [];
  const violate = (kind: string, detail: string, designId?: string) =>
    violations.push({ kind, detail, ...(designId ? { designId } : {}) });
  const now = new Date();

  const designs = await db.selectFrom('designs').selectAll().orderBy('created_at').execute();
  const holds = await db.selectFrom('credit_holds').selectAll().execute();
  const settlements = await db
    .selectFrom('ledger_entries')
    .select(['hold_id', 'kind', 'amount'])
    .where('kind', 'in', ['capture', 'release', 'expire'])
    .execute();
  const views = await db.selectFrom('design_views').selectAll().execute();
  const revisions = await db.selectFrom('revisions').selectAll().execute();
  const iterations = await db
    .selectFrom('design_iterations')
    .select(['design_id', 'iteration', 'completed_at'])
    .execute();
  const posts = await db.selectFrom('chat_posts').selectAll().execute();
  const accounts = await db.selectFrom('credit_accounts').selectAll().execute();

  const holdsOf = new Map<string, typeof holds>();
  for (const hold of holds) {
    const designId = /^design:([^:]+):\d+$/.exec(hold.subject)?.[1];
    if (!designId) continue;
    holdsOf.set(designId, [...(holdsOf.get(designId) ?? []), hold]);
  }
  const capturedOf = new Map<string, number>();
  for (const entry of settlements)
    if (entry.kind === 'capture' && entry.hold_id)
      capturedOf.set(entry.hold_id, (capturedOf.get(entry.hold_id) ?? 0) + entry.amount);

  const figures: CheckFigures = {
    byState: {},
    acceptedEdits: 0,
    completedViewsChecked: 0,
    legitimatelyAwaiting: 0,
    cardsChecked: 0,
    threadStatusesChecked: 0,
    withoutCard: 0,
    duplicateCards: 0,
    threadImagesMissing: 0,
    threadStatusMissing: 0,
    completedWithoutContactSheet: 0,
    declinesChecked: 0,
    ledger: { granted: 0, captured: 0, held: 0, balance: 0, accounts: 0 },
  };
  const imageKeysToCheck: { designId: string; key: string }[] = [];

  for (const design of designs) {
    const id = design.id;
    figures.byState[design.state] = (figures.byState[design.state] ?? 0) + 1;
    figures.acceptedEdits += design.iteration - 1;
    const price =
      design.round === 1 ? design.base_price + design.edit_price * (design.iteration - 1) : Number.NaN;
    const designHolds = holdsOf.get(id) ?? [];
    const active = designHolds.filter((hold) => hold.status === 'active');
    const captured = designHolds.reduce((sum, hold) => sum + (capturedOf.get(hold.id) ?? 0), 0);
    const capturedHolds = designHolds.filter((hold) => hold.status === 'captured');

    // 1. Finished, or legitimately waiting for approval.
    if (design.state === 'awaiting_approval') {
      const shownAt = iterations.find(
        (it) => it.design_id === id && it.iteration === design.iteration,
      )?.completed_at;
      const dueAt = (shownAt?.getTime() ?? 0) + deps.holdTtlMs;
      if (now.getTime() > dueAt + deps.expiryGraceMs)
        violate(
          'not_expired',
          `awaiting approval of iteration ${design.iteration} ${Math.round((now.getTime() - dueAt) / 1000)} s after its expiry was due`,
          id,
        );
      else figures.legitimatelyAwaiting += 1;
      if (active.length !== 1 || active[0]!.amount !== price)
        violate(
          'hold_wrong',
          `awaiting approval with ${active.length} active hold(s) of ${active.map((h) => h.amount).join('+') || 0}, price so far ${price}`,
          id,
        );
      if (captured !== 0) violate('charged_unfinished', `awaiting approval but captured ${captured}`, id);
    } else if (!finishedStates.includes(design.state)) {
      violate(
        'stuck',
        `still ${design.state} (iteration ${design.iteration}, last change ${Math.round((now.getTime() - design.updated_at.getTime()) / 1000)} s ago)`,
        id,
      );
    }

    // 2. Completed: five views stored, exactly its price captured, once.
    if (design.state === 'completed') {
      const own = views.filter((view) => view.design_id === id);
      for (const name of viewNames) {
        const view = own.find((v) => v.view === name);
        if (view?.state !== 'done' || !view.image_key) {
          violate('view_missing', `completed without a stored ${name} view (${view?.state ?? 'no row'})`, id);
          continue;
        }
        imageKeysToCheck.push({ designId: id, key: view.image_key });
      }
      const revision = revisions.find((r) => r.design_id === id && r.number === design.round);
      if (!revision) violate('revision_missing', 'completed without its revision', id);
      else {
        const named = viewNames.filter((name) => revision.image_keys[name]);
        if (named.length !== viewNames.length)
          violate('revision_incomplete', `revision names ${named.length} of 5 views`, id);
        if (revision.charged !== price)
          violate('revision_charge', `revision says ${revision.charged} charged, price ${price}`, id);
        if (revision.contact_sheet_key === null) figures.completedWithoutContactSheet += 1;
      }
      if (design.charged !== price || captured !== price || capturedHolds.length !== 1)
        violate(
          'charge_wrong',
          `price ${price}: design.charged ${design.charged}, captured ${captured} over ${capturedHolds.length} hold(s)`,
          id,
        );
    }

    // 3. Failed, cancelled, expired, declined: nothing captured, no hold left active.
    if (
      design.state === 'failed' ||
      design.state === 'cancelled' ||
      design.state === 'expired' ||
      design.state === 'declined'
    ) {
      if (captured !== 0 || design.charged !== 0)
        violate(
          'charged_for_nothing',
          `${design.state} but captured ${captured} (design.charged ${design.charged})`,
          id,
        );
    }
    checkDecline(design, designHolds, violate);
    if (design.state === 'declined') figures.declinesChecked += 1;
    if (finishedStates.includes(design.state) && active.length > 0)
      violate(
        'hold_not_released',
        `${design.state} with ${active.length} active hold(s) of ${active.map((h) => h.amount).join('+')}`,
        id,
      );
  }

  // The objects themselves, in the bucket.
  await mapLimit(imageKeysToCheck, 8, async ({ designId, key }) => {
    try {
      const head = await deps.s3.send(new HeadObjectCommand({ Bucket: deps.bucket, Key: key }));
      if (!head.ContentLength) violate('image_empty', `${key} is empty in the bucket`, designId);
      figures.completedViewsChecked += 1;
    } catch (error) {
      violate('image_missing', `${key} not in the bucket (${(error as Error).name})`, designId);
    }
  });

  // 4. The ledger: the same audit as `facet credits audit`, and each account against its designs.
  const audit = await auditLedger(db);
  figures.ledger = audit.totals;
  for (const line of audit.violations) violate('ledger', line);
  for (const account of accounts) {
    const own = designs.filter(
      (d) => d.workspace_id === account.workspace_id && d.requester_id === account.user_id,
    );
    const charged = own.reduce((sum, d) => sum + d.charged, 0);
    if (account.posted_debits !== charged)
      violate(
        'account_debits',
        `account ${account.user_id}: debits ${account.posted_debits}, its designs were charged ${charged}`,
      );
    const held = holds
      .filter((h) => h.account_id === account.id && h.status === 'active')
      .reduce((sum, h) => sum + h.amount, 0);
    if (account.pending_debits !== held)
      violate(
        'account_held',
        `account ${account.user_id}: held ${account.pending_debits}, active holds ${held}`,
      );
    if (account.posted_credits !== deps.starterCredits)
      violate('account_credits', `account ${account.user_id}: credits ${account.posted_credits}`);
  }

  // 5. Chat messages against the database.
  for (const design of designs) {
    const snapshot = await loadSnapshot(db, design.id);
    if (!snapshot) continue;
    checkChat(snapshot, now, recorder, posts, figures, violate);
  }
  return { violations, figures };
}

/**
 * A declined design holds nothing and was charged nothing: none of its holds is active or captured
 * (the one it had while awaiting approval was released, or had expired on its own a moment before),
 * and it says who declined it, when and why. Any other design has no decline recorded.
 */
function checkDecline(
  design: {
    id: string;
    state: DesignState;
    declined_by: string | null;
    declined_at: Date | null;
    decline_reason: string | null;
  },
  holds: { status: string; amount: number }[],
  violate: (kind: string, detail: string, designId?: string) => void,
): void {
  const recorded = [design.declined_by, design.declined_at, design.decline_reason];
  if (design.state !== 'declined') {
    if (recorded.some((value) => value !== null))
      violate('decline_on_other_state', `${design.state} but declined_by ${design.declined_by}`, design.id);
    return;
  }
  if (recorded.some((value) => value === null) || design.decline_reason?.trim() === '')
    violate(
      'decline_unrecorded',
      `declined without who/when/why: by ${design.declined_by}, at ${design.declined_at?.toISOString()}, reason ${JSON.stringify(design.decline_reason)}`,
      design.id,
    );
  const unreleased = holds.filter((hold) => hold.status === 'active' || hold.status === 'captured');
  if (unreleased.length > 0)
    violate(
      'decline_hold',
      `declined with hold(s) still active or captured: ${unreleased.map((h) => `${h.status} ${h.amount}`).join(', ')}`,
      design.id,
    );
}

function checkChat(
  design: DesignSnapshot,
  now: Date,
  recorder: SlackRecorder,
  posts: { design_id: string; key: string; message_ref: string | null }[],
  figures: CheckFigures,
  violate: (kind: string, detail: string, designId?: string) => void,
): void {
  const id = design.id;
  // The soak's Slack cannot fetch image URLs: a front view is shown by the file id it was uploaded as.
  const card = buildDesignCard(design);
  const fileId = card.image
    ? posts.find((post) => post.design_id === id && post.key === `upload:${card.image?.key ?? ''}`)
        ?.message_ref
    : undefined;
  const expectedCard = renderSlackCard(card, fileId ? { fileId } : null).blocks;
  const want = normalized(expectedCard);
  const surfaceTs = readSlackCardPlace(design.surface)?.ts;
  const cardTs = new Set(recorder.cardsByDesign.get(id) ?? []);
  if (surfaceTs) cardTs.add(surfaceTs);
  if (cardTs.size === 0) {
    figures.withoutCard += 1;
    return;
  }
  for (const ts of cardTs) {
    const message = recorder.messages.get(ts);
    const role = ts === surfaceTs ? 'card' : 'unrecorded card';
    if (!message) {
      violate('card_missing', `designs.surface names ts ${ts}, which Slack never got`, id);
      continue;
    }
    figures.cardsChecked += 1;
    if (ts !== surfaceTs) figures.duplicateCards += 1;
    if (normalized(message.last.blocks) !== want)
      violate(
        ts === surfaceTs ? 'stale_card' : 'stale_orphan_card',
        `${role} ${ts} shows ${describeCard(message.last.blocks)} (${message.updates} edits); the database says ${design.state}: ${describeCard(expectedCard)}`,
        id,
      );
  }
  if (!surfaceTs) return;

  const thread = buildDesignThread(design, { frontsInThread: true });
  const statusMessages = recorder
    .thread(surfaceTs)
    .filter((message) => message.posted.blocks.some((block) => block.block_id === 'facet_thread_status'));
  const expectedStatus = thread.status ? renderSlackThreadStatus(thread.status).blocks : undefined;
  for (const message of statusMessages) {
    figures.threadStatusesChecked += 1;
    if (!expectedStatus) {
      violate(
        'stale_thread_status',
        `thread status ${message.ts} shows "${message.last.text.replace(/\n/g, ' | ').slice(0, 160)}" but the design is ${design.state}, whose thread shows no status`,
        id,
      );
      continue;
    }
    if (normalized(message.last.blocks) !== normalized(expectedStatus))
      violate(
        'stale_thread_status',
        `thread status ${message.ts} of a ${design.state} design ${difference(message.last.blocks, expectedStatus)}`,
        id,
      );
  }
  if (design.state === 'completed') {
    const recorded = new Set(
      posts.filter((p) => p.design_id === id && p.message_ref !== null).map((p) => p.key),
    );
    const missing = thread.images.filter((image) => !recorded.has(image.postKey)).length;
    if (thread.status && statusMessages.length === 0) figures.threadStatusMissing += 1;
    if (missing > 0) figures.threadImagesMissing += 1;
  }
}
