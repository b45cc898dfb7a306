/*
 * node --import tsx test/chaos/soak.ts: the chaos soak. SOAK_DESIGNS (200) designs are driven through
 * the Slack app with signed requests, by simulated users who act on what their card shows, while a
 * fault loop breaks the infrastructure under them for SOAK_FAULT_SECONDS (150); afterwards the system
 * is left to settle and every invariant is checked (test/chaos/soak-invariants.ts).
 *
 * The stack, all on 127.0.0.1 and all the soak's own (other tests may run on this machine meanwhile):
 *   - SOAK_WEBS (2) `facet start --role web` and SOAK_WORKERS (2) `facet start --role worker` processes,
 *     run as production runs them (bin/facet.js), Slack in HTTP mode with one bot token;
 *   - Postgres: a database of its own (facet_soak_<random>), dropped at the end;
 *   - Redis: its own redis-server on a free port, without persistence;
 *   - images: the S3 adapter against s3rver in a child process (test/chaos/soak-s3rver.ts);
 *   - the fake Gemini API (test/fakes/fake-gemini-server.ts) answering 0.3-2 s later, each request
 *     drawn from a seeded script: 10% transient errors (HTTP 503 or 429), 2% permanent ones (a blocked
 *     prompt or finishReason IMAGE_SAFETY), the rest images;
 *   - the fake Slack Web API (test/fakes/fake-slack-api.ts) behind a recording proxy
 *     (test/chaos/soak-slack-recorder.ts) that keeps the last content of every message.
 *
 * Users (seeded plans): start with `/design`; at a front view some edit it once or twice (a quick-edit
 * button, or Request changes and the modal), then an approver approves it (some double-click Approve
 * on two web processes) or declines it (Decline and the reason form), or the requester withdraws it
 * (Cancel); some requesters withdraw while the front view generates, or while an edit of it does; some
 * designs are never answered and their hold expires (FACET_HOLD_TTL = SOAK_HOLD_TTL_SECONDS, 40); on a
 * failure some press Retry, some Cancel; some click an old, stale button at the end. A click whose card
 * has not moved on 12 s later is clicked again, as people do when a request failed. The workspace has
 * an approver group (a Slack user group of SOAK_DESIGNS / 20 approvers, at least 4, so that none of
 * them reaches the per-person request limit) and the default policy: requesters do not approve their
 * own designs, which is what puts Decline on the cards.
 *
 * Faults, one every 4-12 s in shuffled rounds: SIGKILL a worker and start another; restart Redis
 * (SIGKILL, everything queued is lost, back 0.5-2 s later); pg_terminate_backend on every connection to
 * the soak's database; the image store down for 3-6 s.
 *
 * Prints progress lines, then ONE JSON line last (the summary). Exits 1 on any invariant violation.
 * Env: SOAK_DESIGNS (200), SOAK_FAULT_SECONDS (150), SOAK_SEED (random; printed, to repeat a run's plans
 * and fault order), SOAK_WEBS (2), SOAK_WORKERS (2), SOAK_HOLD_TTL_SECONDS (40), SOAK_SETTLE_SECONDS
 * (240, the most to wait after the faults for everything to finish), SOAK_KEEP_LOGS (1: keep the
 * processes' logs even when nothing failed; they are always kept on a violation).
 */
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import { startFakeGemini, type FakeGemini, type FakeGeminiOutcome } from '../fakes/fake-gemini-server.ts';
import { startFakeSlack, type FakeSlack } from '../fakes/fake-slack-api.ts';
import { adminUrl, createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { ensureWorkspace } from '../../src/storage/workspaces.ts';
import { checkInvariants, finishedStates, type CheckFigures, type Violation } from './soak-invariants.ts';
import { writeDesignReport } from './soak-report.ts';
import { readCard, SlackRecorder, type CardTone } from './soak-slack-recorder.ts';
import { FacetProcess, freePort, LogTally, Managed, root, SoakRedis, SoakS3 } from './soak-stack.ts';
import { buttonClickBody, slashCommandBody, type SlackOrigin } from '../fakes/slack-requests.ts';

const envInt = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number`);
  return Math.floor(value);
};

const config = {
  designs: envInt('SOAK_DESIGNS', 200),
  faultSeconds: envInt('SOAK_FAULT_SECONDS', 150),
  seed: envInt('SOAK_SEED', Math.floor(Math.random() * 2 ** 31)),
  webs: Math.max(1, envInt('SOAK_WEBS', 2)),
  workers: Math.max(1, envInt('SOAK_WORKERS', 2)),
  holdTtlSeconds: Math.max(5, envInt('SOAK_HOLD_TTL_SECONDS', 40)),
  settleSeconds: envInt('SOAK_SETTLE_SECONDS', 240),
  keepLogs: process.env.SOAK_KEEP_LOGS === '1',
  /** Five designs per person on average: well under the per-person request limit (30 a minute). */
  users: Math.max(10, Math.ceil(envInt('SOAK_DESIGNS', 200) / 5)),
  approvers: Math.max(4, Math.ceil(envInt('SOAK_DESIGNS', 200) / 20)),
  starterCredits: 1000,
};

const team = 'TSOAK';
const channel = 'CSOAK';
const approverGroup = 'SSOAKLEADS';
const approvers = Array.from({ length: config.approvers }, (_, n) => `ULEAD${String(n).padStart(2, '0')}`);
const signingSecret = 'soak-signing-secret';
const bucket = 'facet-soak';
/** Grace after an awaiting design's expiry is due: the reconciler re-queues a lost expire job every minute. */
const expiryGraceMs = 90_000;
const reclickMs = 12_000;
const pollMs = 300;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const t0 = Date.now();
const elapsed = () => (Date.now() - t0) / 1000;
const log = (line: string) => console.log(`[${elapsed().toFixed(1).padStart(6)}s] ${line}`);

/** mulberry32: a small seeded generator, one stream per concern so that plans do not depend on timing. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const planRng = seeded(config.seed);
const modelRng = seeded(config.seed ^ 0x9e3779b9);
const faultRng = seeded(config.seed + 7);
const latencyRng = seeded(config.seed + 13);
const decisionRng = seeded(config.seed + 17);
const pick = <T>(rng: () => number, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;

function percentile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!);
}

// ---------------------------------------------------------------------------------------------------
// The fake model's script: 10% transient, 2% permanent, per request.

function modelOutcome(): FakeGeminiOutcome {
  const r = modelRng();
  if (r < 0.05) return { kind: 'status', status: 503, message: 'The model is overloaded.' };
  if (r < 0.1) return { kind: 'status', status: 429, message: 'Resource has been exhausted.' };
  if (r < 0.11) return { kind: 'blocked', reason: 'SAFETY' };
  if (r < 0.12) return { kind: 'finish', reason: 'IMAGE_SAFETY' };
  return { kind: 'image' };
}

// ---------------------------------------------------------------------------------------------------
// State shared by the parts of the soak.

type FaultKind = 'worker_kill' | 'redis_restart' | 'pg_terminate' | 's3_outage';
const faultKinds: readonly FaultKind[] = ['worker_kill', 'redis_restart', 'pg_terminate', 's3_outage'];
const faults: { kind: FaultKind; at: number; detail: string }[] = [];
const crashes: Violation[] = [];
const tally = new LogTally();
const webs: FacetProcess[] = [];
const workers: FacetProcess[] = [];
let processCounter = 0;
/** Set at the end of the run (stopping) and by Ctrl-C (interrupted); read by every loop. */
const run = { stopping: false, interrupted: false };

const counters = {
  commands: 0,
  commandRetries: 0,
  designsWithoutCard: 0,
  clicks: {
    approve: 0,
    doubleApprove: 0,
    editPreset: 0,
    editModal: 0,
    cancelEarly: 0,
    cancelWhileRevising: 0,
    cancelAtApproval: 0,
    decline: 0,
    cancelAfterFailure: 0,
    retry: 0,
    stale: 0,
  },
  reclicks: 0,
  modalsNotOpened: 0,
  leftToExpire: 0,
};
const acks: number[] = [];
const ackProblems: string[] = [];
let ackErrors = 0;
let acksNot200 = 0;
let nextWeb = 0;
let webUrls: string[] = [];

// ---------------------------------------------------------------------------------------------------
// Signed Slack requests, as Slack sends them.

async function post(body: string, webIndex?: number): Promise<number> {
  const target = webUrls[(webIndex ?? nextWeb++) % webUrls.length]!;
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  const started = performance.now();
  try {
    const response = await fetch(`${target}/slack/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-signature': signature,
        'x-slack-request-timestamp': String(timestamp),
      },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    await response.arrayBuffer();
    acks.push(performance.now() - started);
    if (response.status !== 200) {
      acksNot200 += 1;
      if (ackProblems.length < 10) ackProblems.push(`HTTP ${response.status} from ${target}`);
    }
    return response.status;
  } catch (error) {
    ackErrors += 1;
    if (ackProblems.length < 10) ackProblems.push(`${target}: ${(error as Error).message}`);
    return 0;
  }
}

let triggerCounter = 0;
const newTrigger = (kind: string) => `soak-${kind}-${++triggerCounter}`;

const origin = (responseBase: string): SlackOrigin => ({ team, domain: 'soak', channel, responseBase });

/** The two forms a card's buttons open about an iteration (src/bots/slack/slack-iteration-modal.ts). */
const forms = {
  feedback: {
    callbackId: 'facet_feedback',
    blockId: 'facet_feedback_block',
    actionId: 'facet_feedback_text',
  },
  decline: { callbackId: 'facet_decline', blockId: 'facet_decline_block', actionId: 'facet_decline_text' },
} as const;

function submitBody(form: keyof typeof forms, privateMetadata: string, text: string, user: string): string {
  const { callbackId, blockId, actionId } = forms[form];
  const payload = {
    type: 'view_submission',
    team: { id: team, domain: 'soak' },
    user: { id: user, team_id: team },
    api_app_id: 'A0FACET',
    view: {
      id: `V${++triggerCounter}`,
      type: 'modal',
      callback_id: callbackId,
      private_metadata: privateMetadata,
      state: { values: { [blockId]: { [actionId]: { type: 'plain_text_input', value: text } } } },
    },
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

// ---------------------------------------------------------------------------------------------------
// Users: a seeded plan per design, played against what the card shows.

type Plan = {
  cancelEarly: boolean;
  leave: boolean;
  edits: ('preset' | 'modal')[];
  finalCancel: boolean;
  doubleApprove: boolean;
  staleClick: boolean;
  onFailure: 'retry' | 'cancel' | 'leave';
  /** The approver declines the front view (with a reason) instead of approving it. */
  decline: boolean;
  /** The requester withdraws the design while an edit of its front view generates. */
  cancelWhileRevising: boolean;
};

function makePlan(): Plan {
  const editCount = ((r) => (r < 0.55 ? 0 : r < 0.85 ? 1 : 2))(planRng());
  return {
    cancelEarly: planRng() < 0.05,
    leave: planRng() < 0.08,
    edits: Array.from({ length: editCount }, () => (planRng() < 0.7 ? 'preset' : 'modal')),
    finalCancel: planRng() < 0.08,
    doubleApprove: planRng() < 0.15,
    staleClick: planRng() < 0.1,
    onFailure: ((r) => (r < 0.3 ? 'retry' : r < 0.6 ? 'cancel' : 'leave'))(planRng()),
    // From a stream of their own: a seed still draws the plans it drew before these choices existed.
    decline: decisionRng() < 0.12,
    cancelWhileRevising: decisionRng() < 0.25,
  };
}

type Drive = {
  n: number;
  user: string;
  plan: Plan;
  designId: string | undefined;
  /** Per iteration, when the user first saw its front view with Approve on the card. */
  sawFront: Map<number, number>;
  lastTone: CardTone | 'none';
  done: boolean;
};

const drives: Drive[] = [];
/** The command's trigger_id (from request_key) → design id, refreshed from Postgres. */
const designByTrigger = new Map<string, string>();

async function waitFor<T>(check: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline || run.stopping) return undefined;
    await sleep(pollMs);
  }
}

async function drive(d: Drive, recorder: SlackRecorder, deadline: number): Promise<void> {
  const rng = seeded(config.seed * 31 + d.n);
  // The command; typed again (a new trigger) if no card appears, as a person would.
  for (let attempt = 0; attempt < 3 && !d.designId && !run.stopping; attempt++) {
    const trigger = newTrigger(`cmd${d.n}`);
    if (attempt > 0) counters.commandRetries += 1;
    counters.commands += 1;
    await post(
      slashCommandBody(
        origin(recorder.url),
        `soak product #${d.n}: a ${pick(rng, products)}`,
        d.user,
        trigger,
      ),
    );
    const id = await waitFor(() => designByTrigger.get(trigger), 20_000);
    if (!id) continue;
    const card = await waitFor(() => recorder.latestCard(id), 20_000);
    if (card) d.designId = id;
  }
  const designId = d.designId;
  if (!designId) {
    counters.designsWithoutCard += 1;
    d.done = true;
    return;
  }
  // The approver who answers this design's front views.
  const approver = approvers[d.n % approvers.length]!;
  const click = (actionId: string, webIndex?: number, user = d.user) =>
    post(buttonClickBody(origin(recorder.url), actionId, user, newTrigger('click')), webIndex);
  const seenActions = new Set<string>();
  const acted = new Map<number, { at: number; clicks: number; act: () => Promise<unknown> }>();
  let editsDone = 0;
  let didCancelEarly = false;
  let didCancelWhileRevising = false;
  let failures = 0;
  let failureAction: { at: number; clicks: number } | undefined;
  let previousTone: CardTone | 'none' = 'none';

  /** A button that opens a form (Request changes, Decline), then the form sent with `text`. */
  const withForm = async (form: keyof typeof forms, buttonId: string, user: string, text: string) => {
    const trigger = newTrigger('modal');
    await post(buttonClickBody(origin(recorder.url), buttonId, user, trigger));
    const view = await waitFor(() => recorder.views.get(trigger), 6_000);
    if (!view) {
      counters.modalsNotOpened += 1;
      return;
    }
    await post(submitBody(form, view.privateMetadata, text, user));
  };

  while (Date.now() < deadline && !run.stopping) {
    const card = recorder.latestCard(designId);
    if (!card) {
      await sleep(pollMs);
      continue;
    }
    const view = readCard(card.last.blocks);
    for (const id of view.actionIds) seenActions.add(id);
    if (view.tone === 'failed' && previousTone !== 'failed') failures += 1;
    previousTone = view.tone;
    d.lastTone = view.tone;

    if (view.tone === 'working') {
      const cancel = view.actionIds.find((id) => id.startsWith('facet1:cancel:'));
      if (d.plan.cancelEarly && !didCancelEarly && cancel) {
        didCancelEarly = true;
        counters.clicks.cancelEarly += 1;
        await click(cancel);
      } else if (d.plan.cancelWhileRevising && editsDone > 0 && !didCancelWhileRevising && cancel) {
        didCancelWhileRevising = true;
        counters.clicks.cancelWhileRevising += 1;
        await click(cancel);
      }
    } else if (view.tone === 'waiting') {
      const approve = view.actionIds.find((id) => id.startsWith('facet1:approve:'));
      const iteration = approve ? Number(approve.split(':')[3]) : Number.NaN;
      if (!d.sawFront.has(iteration)) d.sawFront.set(iteration, Date.now());
      const previous = acted.get(iteration);
      if (!previous && approve) {
        let act: () => Promise<unknown>;
        let first: (() => Promise<unknown>) | undefined;
        if (d.plan.leave) {
          counters.leftToExpire += 1;
          act = () => Promise.resolve();
        } else if (editsDone < d.plan.edits.length) {
          const kind = d.plan.edits[editsDone++]!;
          const presets = view.actionIds.filter((id) => id.startsWith('facet1:edit:'));
          const requestChanges = view.actionIds.find((id) => id.startsWith('facet1:request_changes:'));
          if (kind === 'modal' && requestChanges) {
            counters.clicks.editModal += 1;
            act = () =>
              withForm('feedback', requestChanges, d.user, `soak feedback: ${pick(rng, feedbacks)}`);
          } else {
            counters.clicks.editPreset += 1;
            const preset = pick(rng, presets);
            act = () => click(preset);
          }
        } else if (d.plan.finalCancel) {
          const cancel = view.actionIds.find((id) => id.startsWith('facet1:cancel:'))!;
          counters.clicks.cancelAtApproval += 1;
          act = () => click(cancel);
        } else if (d.plan.decline && view.actionIds.some((id) => id.startsWith('facet1:decline:'))) {
          const decline = view.actionIds.find((id) => id.startsWith('facet1:decline:'))!;
          counters.clicks.decline += 1;
          act = () => withForm('decline', decline, approver, `soak decline: ${pick(rng, declineReasons)}`);
        } else {
          counters.clicks.approve += 1;
          act = () => click(approve, undefined, approver);
          if (d.plan.doubleApprove) {
            counters.clicks.doubleApprove += 1;
            // The first time, two clicks at once, each to another web process.
            first = () => Promise.all([click(approve, 0, approver), click(approve, 1, approver)]);
          }
        }
        acted.set(iteration, { at: Date.now(), clicks: 1, act });
        await (first ?? act)();
      } else if (previous && !d.plan.leave && Date.now() - previous.at > reclickMs && previous.clicks < 4) {
        // Still the same front view after a while: the click was lost (an error message, most likely).
        previous.at = Date.now();
        previous.clicks += 1;
        counters.reclicks += 1;
        await previous.act();
      }
    } else if (view.tone === 'failed') {
      const retry = view.actionIds.find((id) => id.startsWith('facet1:retry:'));
      const cancel = view.actionIds.find((id) => id.startsWith('facet1:cancel:'));
      const wanted = failures === 1 ? d.plan.onFailure : 'leave';
      if (wanted === 'leave') break;
      const target = wanted === 'retry' ? retry : cancel;
      if (!target) break;
      if (!failureAction) {
        failureAction = { at: Date.now(), clicks: 1 };
        if (wanted === 'retry') counters.clicks.retry += 1;
        else counters.clicks.cancelAfterFailure += 1;
        await click(target);
      } else if (Date.now() - failureAction.at > reclickMs && failureAction.clicks < 4) {
        failureAction.at = Date.now();
        failureAction.clicks += 1;
        counters.reclicks += 1;
        await click(target);
      }
    } else if (view.tone === 'done' || view.tone === 'ended') {
      if (d.plan.staleClick) {
        // A button from an earlier card (an older iteration's Approve or edit, or Cancel): refused.
        const stale = [...seenActions].filter(
          (id) => !view.actionIds.includes(id) && !id.startsWith('facet1:request_changes:'),
        );
        if (stale.length > 0) {
          counters.clicks.stale += 1;
          await click(pick(rng, stale));
        }
      }
      break;
    }
    await sleep(pollMs);
  }
  d.done = true;
}

const products = [
  'ceramic pour-over coffee dripper',
  'folding bicycle helmet',
  'wireless over-ear headphones',
  'desk lamp with a fabric shade',
  'insulated travel mug',
  'modular bookshelf',
  'electric kettle with a wooden handle',
  'compact espresso grinder',
];
const declineReasons = [
  'off-brand colours; start from the spring palette',
  "too close to a competitor's product",
  '=not what the brief asked for, "see the deck"',
];
const feedbacks = [
  'make the handle thinner and matte',
  'rounder corners, warmer colour',
  'less chrome, more recycled plastic',
  'a bolder silhouette',
];

// ---------------------------------------------------------------------------------------------------
// The stack.

type Stack = {
  test: TestDatabase;
  redis: SoakRedis;
  s3: SoakS3;
  gemini: FakeGemini;
  slack: FakeSlack;
  recorder: SlackRecorder;
  dir: string;
  logDir: string;
  env: Record<string, string>;
};

const stack: Partial<Stack> = {};

/**
 * Starts `facet start --role R` in the slot of a process it replaces (or a new slot). The soak is also
 * the supervisor an orchestrator would be: a process that exits by itself is a violation (a crash), and
 * is replaced, so that the rest of the run still tests everything else.
 */
function startFacet(role: 'web' | 'worker', slot?: number): FacetProcess {
  const { env, logDir } = stack as Stack;
  const name = `${role}-${++processCounter}`;
  const facet = FacetProcess.start(name, role, env, logDir, tally);
  const group = role === 'web' ? webs : workers;
  const index = slot ?? group.length;
  group[index] = facet;
  if (role === 'web') void facet.url.then((url) => url.startsWith('http') && (webUrls[index] = url));
  void facet.exited.then((exit) => {
    if (facet.expectedExit) return;
    const tail = crashTail(path.join(logDir, `${name}.log`));
    crashes.push({
      kind: 'process_crashed',
      detail: `${name} (pid ${facet.pid}) exited by itself (${exit.code ?? exit.signal}) at +${elapsed().toFixed(1)}s: ${tail}`,
    });
    log(`CRASH: ${name} (pid ${facet.pid}) exited by itself (${exit.code ?? exit.signal}): ${tail}`);
    if (run.stopping || group[index] !== facet) return;
    const next = startFacet(role, index);
    log(`supervisor: started ${next.name} in place of ${name}`);
  });
  return facet;
}

/** The first line of the error a crashed process printed last (its stderr is in its log file). */
function crashTail(file: string): string {
  try {
    const text = readFileSync(file, 'utf8');
    const start = text.lastIndexOf("Unhandled 'error' event");
    const from = start >= 0 ? start : Math.max(0, text.length - 600);
    return text
      .slice(from, from + 400)
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.trim().startsWith('at ') && !line.includes('^'))
      .slice(0, 3)
      .join(' / ');
  } catch {
    return '(no log)';
  }
}

async function terminateConnections(database: string): Promise<number> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const result = await client.query<{ n: string }>(
      'select count(pg_terminate_backend(pid))::text as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [database],
    );
    return Number(result.rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

async function inject(kind: FaultKind): Promise<string> {
  const { redis, s3, test } = stack as Stack;
  switch (kind) {
    case 'worker_kill': {
      const running = workers.filter((w) => w.running);
      if (running.length === 0) throw new Error('no worker is running');
      const victim = pick(faultRng, running);
      await victim.kill();
      const next = startFacet('worker', workers.indexOf(victim));
      await next.ready();
      return `SIGKILL ${victim.name} (pid ${victim.pid}), started ${next.name} (pid ${next.pid})`;
    }
    case 'redis_restart': {
      const downMs = Math.round(500 + faultRng() * 1500);
      await redis.restart(downMs);
      return `redis-server SIGKILLed, empty again on port ${redis.port} after ${downMs} ms`;
    }
    case 'pg_terminate': {
      const n = await terminateConnections(test.name);
      return `pg_terminate_backend on ${n} connection(s) to ${test.name}`;
    }
    case 's3_outage': {
      const downMs = Math.round(3000 + faultRng() * 3000);
      await s3.outage(downMs);
      return `s3rver killed, back on port ${s3.port} after ${downMs} ms`;
    }
  }
}

async function faultLoop(): Promise<void> {
  const end = t0 + config.faultSeconds * 1000;
  await sleep(Math.min(8_000, config.faultSeconds * 100));
  let round: FaultKind[] = [];
  while (Date.now() < end && !run.stopping) {
    if (round.length === 0) {
      round = [...faultKinds];
      for (let i = round.length - 1; i > 0; i--) {
        const j = Math.floor(faultRng() * (i + 1));
        [round[i], round[j]] = [round[j]!, round[i]!];
      }
    }
    const kind = round.shift()!;
    const at = elapsed();
    try {
      const detail = await inject(kind);
      faults.push({ kind, at, detail });
      log(`fault ${faults.length}: ${kind}: ${detail}`);
    } catch (error) {
      log(`fault ${kind} could not be injected: ${(error as Error).message}`);
    }
    const gap = 4000 + faultRng() * 8000;
    if (Date.now() + gap > end) break;
    await sleep(gap);
  }
}

async function refreshDesigns(db: TestDatabase['db']): Promise<Map<string, number>> {
  const rows = await db.selectFrom('designs').select(['id', 'request_key', 'state']).execute();
  const byState = new Map<string, number>();
  for (const row of rows) {
    // The key is `<user>:<trigger_id>` (request ids are scoped by who sent them).
    if (row.request_key) designByTrigger.set(row.request_key.slice(row.request_key.indexOf(':') + 1), row.id);
    byState.set(row.state, (byState.get(row.state) ?? 0) + 1);
  }
  return byState;
}

// ---------------------------------------------------------------------------------------------------
// Run.

async function cleanup(): Promise<void> {
  run.stopping = true;
  const all = [...webs, ...workers];
  await Promise.all(all.map((p) => (run.interrupted ? p.kill() : p.stop())));
  await stack.redis?.stop().catch(() => undefined);
  await stack.s3?.stop().catch(() => undefined);
  await stack.recorder?.close().catch(() => undefined);
  await stack.slack?.close().catch(() => undefined);
  await stack.gemini?.close().catch(() => undefined);
  await stack.test?.drop().catch((error: unknown) => log(`dropping the database failed: ${String(error)}`));
}

process.once('SIGINT', () => {
  run.interrupted = true;
  log(
    `interrupted: stopping every process the soak started and dropping its database; logs kept in ${stack.logDir ?? '(none yet)'}`,
  );
  void cleanup().finally(() => process.exit(130));
});
// Last resort: no child outlives the soak.
process.once('exit', () => {
  const children: (Managed | undefined)[] = [...webs, ...workers, stack.redis?.process, stack.s3?.process];
  for (const child of children) if (child?.running) child.child.kill('SIGKILL');
});

async function main(): Promise<number> {
  log(
    `chaos soak: ${config.designs} designs, faults for ${config.faultSeconds} s, seed ${config.seed}, ` +
      `${config.webs} web + ${config.workers} worker processes, hold TTL ${config.holdTtlSeconds} s`,
  );
  const dir = await mkdtemp(path.join(tmpdir(), 'facet-soak-'));
  const logDir = path.join(dir, 'logs');
  await mkdir(logDir);
  await mkdir(path.join(dir, 's3'));
  stack.dir = dir;
  stack.logDir = logDir;
  const test = await createTestDatabase('soak', { poolSize: 5 });
  stack.test = test;
  // The workspace exists before its first command, with its approver group (members: the approvers).
  const workspace = await ensureWorkspace(test.db, 'slack', team);
  await test.db
    .updateTable('workspaces')
    .set({ approver_group: approverGroup })
    .where('id', '=', workspace.id)
    .execute();
  const redis = new SoakRedis(await freePort(), logDir);
  stack.redis = redis;
  await redis.start();
  const s3 = new SoakS3(path.join(dir, 's3'), bucket, logDir);
  stack.s3 = s3;
  await s3.start();
  const gemini = await startFakeGemini({ latencyMs: () => Math.round(300 + latencyRng() * 1700) });
  stack.gemini = gemini;
  let scripted = config.designs * 15 + 500;
  gemini.script(...Array.from({ length: scripted }, modelOutcome));
  const slack = await startFakeSlack();
  stack.slack = slack;
  slack.groups.set(approverGroup, { handle: 'soak-leads', members: approvers });
  const recorder = new SlackRecorder(slack.url);
  stack.recorder = recorder;
  await recorder.start();
  stack.env = {
    PORT: '0',
    FACET_HOST: '127.0.0.1',
    DATABASE_URL: test.url,
    REDIS_URL: redis.url,
    FACET_DATA_DIR: path.join(dir, 'data'),
    S3_BUCKET: bucket,
    S3_ENDPOINT: s3.endpoint,
    S3_REGION: 'us-east-1',
    S3_FORCE_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_EC2_METADATA_DISABLED: 'true',
    GEMINI_API_KEY: 'soak-gemini-key',
    GEMINI_BASE_URL: gemini.url,
    SLACK_BOT_TOKEN: 'xoxb-soak',
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: recorder.apiUrl,
    FACET_STARTER_CREDITS: String(config.starterCredits),
    FACET_HOLD_TTL: `${config.holdTtlSeconds}s`,
    FACET_PLAYGROUND: '0',
    // debug: each process logs every design change it publishes ("design changed", with its version).
    LOG_LEVEL: 'debug',
  };
  log(
    `stack: Postgres database ${test.name}, redis-server :${redis.port}, s3rver :${s3.port}, ` +
      `fake Gemini ${gemini.url}, fake Slack behind ${recorder.url}; logs in ${logDir}`,
  );
  for (let i = 0; i < config.webs; i++) startFacet('web');
  for (let i = 0; i < config.workers; i++) startFacet('worker');
  webUrls = await Promise.all(webs.map((web) => web.ready()));
  await Promise.all(workers.map((worker) => worker.ready()));
  log(`processes up: ${[...webs, ...workers].map((p) => `${p.name} (pid ${p.pid})`).join(', ')}`);

  // Everything is measured from here.
  const runStart = Date.now();
  const faultEnd = runStart + config.faultSeconds * 1000;
  const hardDeadline = faultEnd + config.settleSeconds * 1000;
  let byState = new Map<string, number>();
  const poller = (async () => {
    while (!run.stopping) {
      try {
        byState = await refreshDesigns(test.db);
      } catch {
        // a terminated connection: the next turn asks again
      }
      if (gemini.requests.length > scripted - 200) {
        gemini.script(...Array.from({ length: 1000 }, modelOutcome));
        scripted += 1000;
      }
      await sleep(500);
    }
  })();
  const progress = setInterval(() => {
    const states = [...byState].map(([state, n]) => `${state} ${n}`).join(', ');
    const active = drives.filter((d) => !d.done).length;
    log(
      `progress: ${drives.length}/${config.designs} users started, ${active} still acting; designs: ${states || 'none yet'}; ` +
        `faults ${faults.length}; model calls ${gemini.requests.length}; Slack calls ${[...recorder.callsByMethod.values()].reduce((a, b) => a + b, 0)}`,
    );
  }, 10_000);

  // Users start over the first 3/4 of the fault window (at least 20 s), evenly with some jitter.
  const startWindowMs = Math.max(20_000, config.faultSeconds * 750);
  const driving: Promise<void>[] = [];
  const starting = (async () => {
    for (let n = 1; n <= config.designs && !run.stopping; n++) {
      const due = runStart + (startWindowMs * (n - 1)) / config.designs;
      if (due > Date.now()) await sleep(due - Date.now());
      const d: Drive = {
        n,
        user: `U${String(n % config.users).padStart(3, '0')}`,
        plan: makePlan(),
        designId: undefined,
        sawFront: new Map(),
        lastTone: 'none',
        done: false,
      };
      drives.push(d);
      driving.push(drive(d, recorder, hardDeadline));
    }
  })();
  const faulting = config.faultSeconds > 0 ? faultLoop() : Promise.resolve();
  await Promise.all([starting, faulting]);
  if (Date.now() < faultEnd) await sleep(faultEnd - Date.now());
  log(`fault window over: ${faults.length} faults injected; waiting for every design to finish`);

  // Settle: every design finished (awaiting ones until their expiry), contact sheets made, Slack quiet.
  let settledReason = 'timeout';
  let lastSettleLog = 0;
  for (;;) {
    if (Date.now() > hardDeadline) break;
    try {
      const rows = await test.db
        .selectFrom('designs')
        .leftJoin('revisions', (join) =>
          join
            .onRef('revisions.design_id', '=', 'designs.id')
            .onRef('revisions.number', '=', 'designs.round'),
        )
        .select(['designs.state', 'revisions.contact_sheet_key'])
        .execute();
      const unfinished = rows.filter((r) => !finishedStates.includes(r.state));
      const sheetless = rows.filter((r) => r.state === 'completed' && r.contact_sheet_key === null);
      const usersActing = drives.filter((d) => !d.done).length;
      const quietMs = Date.now() - recorder.lastCallAt;
      // Users still acting once everything is finished and Slack has been quiet for a while are waiting
      // on a card that does not show the design's state: the checks below report it.
      if (
        unfinished.length === 0 &&
        sheetless.length === 0 &&
        quietMs > (usersActing === 0 ? 5_000 : 20_000)
      ) {
        settledReason =
          usersActing === 0
            ? 'all finished'
            : `all finished; ${usersActing} user(s) left waiting on their card`;
        break;
      }
      if (Date.now() - lastSettleLog >= 10_000) {
        lastSettleLog = Date.now();
        log(
          `settling: ${unfinished.length} unfinished, ${sheetless.length} without contact sheet, ${usersActing} users acting, Slack quiet ${Math.round(quietMs / 1000)} s`,
        );
      }
    } catch {
      // a connection of the soak's own pool was terminated: ask again
    }
    await sleep(1000);
  }
  run.stopping = true;
  clearInterval(progress);
  await poller;
  await Promise.allSettled(driving);
  const settleSeconds = Math.round((Date.now() - faultEnd) / 1000);
  log(`settled after ${settleSeconds} s past the fault window (${settledReason}); checking invariants`);

  // The checks, while every process is still up: nothing is flushed for them.
  const s3Client = new S3Client({
    region: 'us-east-1',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  const checked = await checkInvariants({
    db: test.db,
    recorder,
    s3: s3Client,
    bucket,
    holdTtlMs: config.holdTtlSeconds * 1000,
    starterCredits: config.starterCredits,
    expiryGraceMs,
  });
  s3Client.destroy();
  const violations: Violation[] = [...crashes, ...checked.violations];

  // Liveness, measured from the users' side: how long after its front view was stored a user saw it.
  const frontTimes = await test.db
    .selectFrom('design_iterations')
    .select(['design_id', 'iteration', 'completed_at'])
    .execute();
  const lags: number[] = [];
  const neverShown: string[] = [];
  const states = new Map(
    (await test.db.selectFrom('designs').select(['id', 'state']).execute()).map((r) => [r.id, r.state]),
  );
  for (const d of drives) {
    if (!d.designId) continue;
    for (const row of frontTimes.filter((r) => r.design_id === d.designId && r.completed_at)) {
      const saw = d.sawFront.get(row.iteration);
      if (saw !== undefined) lags.push(saw - row.completed_at!.getTime());
      else if (states.get(d.designId) === 'expired')
        neverShown.push(`${d.designId} iteration ${row.iteration} (user #${d.n})`);
    }
  }

  // Stop the processes the way a deploy does, then the same audit an operator would run.
  await Promise.all([...webs, ...workers].map((p) => p.stop()));
  const audit = await runAudit(test.url);
  if (audit.code !== 0) violations.push({ kind: 'cli_audit', detail: audit.output.slice(0, 500) });
  log(`facet credits audit: exit ${audit.code}: ${audit.output.split('\n')[0]?.slice(0, 200)}`);

  const outcomes = gemini.requests.reduce<Record<string, number>>((acc, r) => {
    acc[r.outcome] = (acc[r.outcome] ?? 0) + 1;
    return acc;
  }, {});
  const faultCounts = Object.fromEntries(
    faultKinds.map((k) => [k, faults.filter((f) => f.kind === k).length]),
  );
  const figures: CheckFigures = checked.figures;
  for (const v of violations.slice(0, 40))
    log(`VIOLATION ${v.kind}${v.designId ? ` ${v.designId}` : ''}: ${v.detail}`);
  if (neverShown.length > 0)
    log(
      `finding: ${neverShown.length} front view(s) expired without the card ever showing them: ${neverShown.slice(0, 5).join('; ')}`,
    );
  log(`warnings and errors logged by Facet: ${JSON.stringify(tally.summary())}`);
  const keep = config.keepLogs || violations.length > 0 || neverShown.length > 0;
  const reasons = new Map<string, string[]>();
  for (const v of violations)
    if (v.designId) reasons.set(v.designId, [...(reasons.get(v.designId) ?? []), `${v.kind}: ${v.detail}`]);
  for (const d of drives)
    if (d.designId && neverShown.some((line) => line.startsWith(d.designId!)))
      reasons.set(d.designId, [
        ...(reasons.get(d.designId) ?? []),
        'front view expired without its card ever showing it',
      ]);
  const reports: string[] = [];
  for (const [designId, why] of [...reasons].slice(0, 60))
    reports.push(
      await writeDesignReport({
        db: test.db,
        recorder,
        designId,
        logDir,
        startedAt: t0,
        faults,
        why,
      }),
    );
  if (reports.length > 0) log(`evidence per design: ${reports.join(' ')}`);
  console.log(
    JSON.stringify({
      soak: 'chaos',
      seed: config.seed,
      designs: Object.values(figures.byState).reduce((a, b) => a + b, 0),
      users: config.users,
      designsPlanned: config.designs,
      byState: figures.byState,
      legitimatelyAwaiting: figures.legitimatelyAwaiting,
      commands: counters.commands,
      commandRetries: counters.commandRetries,
      usersWithoutCard: counters.designsWithoutCard,
      edits: {
        accepted: figures.acceptedEdits,
        presetClicks: counters.clicks.editPreset,
        modalEdits: counters.clicks.editModal,
      },
      cancels: {
        cancelled: figures.byState.cancelled ?? 0,
        whileGenerating: counters.clicks.cancelEarly,
        whileRevising: counters.clicks.cancelWhileRevising,
        atApproval: counters.clicks.cancelAtApproval,
        afterFailure: counters.clicks.cancelAfterFailure,
      },
      declines: {
        declined: figures.byState.declined ?? 0,
        clicks: counters.clicks.decline,
        checked: figures.declinesChecked,
        approvers: config.approvers,
      },
      expiries: { expired: figures.byState.expired ?? 0, leftToExpire: counters.leftToExpire },
      approvals: counters.clicks.approve,
      doubleApprovals: counters.clicks.doubleApprove,
      retries: counters.clicks.retry,
      staleClicks: counters.clicks.stale,
      reclicks: counters.reclicks,
      faults: faultCounts,
      faultsInjected: faults.length,
      model: {
        requests: gemini.requests.length,
        transient: outcomes.status ?? 0,
        permanent: (outcomes.blocked ?? 0) + (outcomes.finish ?? 0),
      },
      acks: {
        requests: acks.length + ackErrors,
        not200: acksNot200,
        problems: ackProblems.slice(0, 3),
        errors: ackErrors,
        p50Ms: percentile(acks, 0.5),
        p99Ms: percentile(acks, 0.99),
        maxMs: percentile(acks, 1),
      },
      frontShownAfterMs: {
        p50: percentile(lags, 0.5),
        p99: percentile(lags, 0.99),
        max: percentile(lags, 1),
        over10s: lags.filter((ms) => ms > 10_000).length,
      },
      frontsExpiredUnseen: neverShown.length,
      checked: {
        completedViews: figures.completedViewsChecked,
        cards: figures.cardsChecked,
        threadStatuses: figures.threadStatusesChecked,
        duplicateCards: figures.duplicateCards,
        designsWithoutCard: figures.withoutCard,
        completedWithoutContactSheet: figures.completedWithoutContactSheet,
        threadImagesMissing: figures.threadImagesMissing,
        threadStatusMissing: figures.threadStatusMissing,
      },
      ledger: figures.ledger,
      slackCalls: Object.fromEntries(recorder.callsByMethod),
      slackRefused: Object.fromEntries(recorder.refused),
      processCrashes: crashes.length,
      invariantViolations: {
        count: violations.length,
        byKind: violations.reduce<Record<string, number>>((acc, v) => {
          acc[v.kind] = (acc[v.kind] ?? 0) + 1;
          return acc;
        }, {}),
        first: violations
          .slice(0, 8)
          .map((v) => `${v.kind}${v.designId ? ` ${v.designId}` : ''}: ${v.detail}`),
      },
      settledAfterSeconds: settleSeconds,
      settled: settledReason,
      logs: keep ? stack.logDir : null,
      wallSeconds: Math.round(elapsed()),
    }),
  );
  if (!keep) await rm(dir, { recursive: true, force: true });
  return violations.length === 0 ? 0 : 1;
}

async function runAudit(databaseUrl: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['bin/facet.js', 'credits', 'audit'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'silent',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output: output.trim() };
}

let exitCode: number;
try {
  exitCode = await main();
} catch (error) {
  console.error('chaos soak failed:', error);
  exitCode = 1;
} finally {
  if (!run.interrupted) await cleanup();
}
process.exit(exitCode);
