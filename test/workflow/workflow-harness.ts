import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { pino, type Logger } from 'pino';
import type { BudgetCaps } from '../../src/workflow/budgets/ai-budgets.ts';
import { GeminiImageModel } from '../../src/ai/gemini/gemini-image-model.ts';
import { OpenAIFeatureExtractor } from '../../src/ai/openai/openai-feature-extractor.ts';
import { CreditLedger } from '../../src/credits/ledger.ts';
import type { FacetDatabase } from '../../src/storage/database.ts';
import { LocalImageStore } from '../../src/storage/images/local-image-store.ts';
import { ensureWorkspace } from '../../src/storage/workspaces.ts';
import type { Actor } from '../../src/workflow/actor.ts';
import type { GeneratingCaps } from '../../src/workflow/admission/choose-admissions.ts';
import type { DesignSnapshot } from '../../src/workflow/design-snapshot.ts';
import { InProcessJobQueue } from '../../src/workflow/jobs/in-process-job-queue.ts';
import type { JobQueue } from '../../src/workflow/ports/job-queue.ts';
import type { ImageStore } from '../../src/workflow/ports/image-store.ts';
import type { Notifier } from '../../src/workflow/ports/notifier.ts';
import { createWorkflow, type Workflow } from '../../src/workflow/workflow.ts';
import { startFakeGemini, type FakeGemini } from '../fakes/fake-gemini-server.ts';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/fake-openai-server.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';

/** Records every snapshot a platform would have shown. */
export class RecordingNotifier implements Notifier {
  readonly seen: DesignSnapshot[] = [];
  notify(design: DesignSnapshot): Promise<void> {
    this.seen.push(design);
    return Promise.resolve();
  }
  of(designId: string): DesignSnapshot[] {
    return this.seen.filter((design) => design.id === designId);
  }
}

export type Harness = {
  test: TestDatabase;
  gemini: FakeGemini;
  openai: FakeOpenAI;
  images: ImageStore;
  ledger: CreditLedger;
  notifier: RecordingNotifier;
  /** A workflow with its worker running; more can be made (e.g. with another TTL or queue). */
  workflow: Workflow;
  makeWorkflow(options?: WorkflowOptions): Promise<Workflow>;
  workspaceId: string;
  close(): Promise<void>;
};

type WorkflowOptions = {
  holdTtlMs?: number;
  jobs?: JobQueue;
  worker?: boolean;
  caps?: GeneratingCaps;
  budgets?: BudgetCaps;
  /** Where the workflow logs (to read its warnings); silent when left out. */
  logger?: Logger;
};

export const silentLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export function actor(userId: string, extra: Partial<Actor> = {}): Actor {
  return { userId, isAdmin: false, groups: [], ...extra };
}

/** The real adapters (Gemini and OpenAI SDKs against loopback fakes, local store, Postgres ledger). */
export async function createHarness(
  label: string,
  /**
   * `notifier` also receives every snapshot (a platform under test), after the recording one; a function
   * builds it once the test database exists.
   */
  options: {
    starterCredits?: number;
    images?: ImageStore;
    notifier?: Notifier | ((db: FacetDatabase) => Notifier);
    /** Options of the first workflow (the one started with the harness). */
    workflow?: WorkflowOptions;
    /** The model fakes answer without token usage (a gateway that strips it). */
    withoutUsage?: boolean;
  } = {},
): Promise<Harness> {
  const test = await createTestDatabase(label, { poolSize: 20 });
  const withoutUsage = options.withoutUsage ?? false;
  const gemini = await startFakeGemini({ keepImageData: true, withoutUsage });
  const openai = await startFakeOpenAI({ withoutUsage });
  const dir = await mkdtemp(path.join(tmpdir(), 'facet-workflow-'));
  const images =
    options.images ?? new LocalImageStore({ dir, publicUrl: 'http://127.0.0.1:9', secret: 'test-secret' });
  const ledger = new CreditLedger(test.db, {
    clock: () => new Date(),
    starterCredits: options.starterCredits ?? 10,
  });
  const notifier = new RecordingNotifier();
  const surface = typeof options.notifier === 'function' ? options.notifier(test.db) : options.notifier;
  const workspace = await ensureWorkspace(test.db, 'slack', `T${randomUUID().slice(0, 8)}`);
  const workflows: Workflow[] = [];

  const makeWorkflow = async (made: WorkflowOptions = {}) => {
    const workflow = createWorkflow({
      db: test.db,
      ledger,
      jobs: made.jobs ?? new InProcessJobQueue({ backoffMs: 20, attempts: 4, logger: silentLogger }),
      model: new GeminiImageModel({ apiKey: 'test-gemini-key', baseUrl: gemini.url, timeoutMs: 10_000 }),
      extractor: new OpenAIFeatureExtractor({
        apiKey: 'test-openai-key',
        baseUrl: openai.url,
        timeoutMs: 10_000,
      }),
      images,
      notifier: surface ? teeNotifier(notifier, surface) : notifier,
      clock: () => new Date(),
      holdTtlMs: made.holdTtlMs ?? 60 * 60_000,
      logger: made.logger ?? silentLogger,
      reconcileEveryMs: 0,
      ...(made.caps ? { caps: made.caps } : {}),
      ...(made.budgets ? { budgets: made.budgets } : {}),
    });
    if (made.worker !== false) await workflow.startWorker();
    workflows.push(workflow);
    return workflow;
  };

  const workflow = await makeWorkflow(options.workflow);
  return {
    test,
    gemini,
    openai,
    images,
    ledger,
    notifier,
    workflow,
    makeWorkflow,
    workspaceId: workspace.id,
    async close() {
      await Promise.all(workflows.map((w) => w.close()));
      await Promise.all([gemini.close(), openai.close()]);
      await test.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Polls the design until `done` holds (or fails the test with its last state). */
export async function waitFor(
  workflow: Workflow,
  designId: string,
  done: (design: DesignSnapshot) => boolean,
  timeoutMs = 20_000,
): Promise<DesignSnapshot> {
  const deadline = Date.now() + timeoutMs;
  let last: DesignSnapshot | undefined;
  while (Date.now() < deadline) {
    last = await workflow.service.snapshot(designId);
    if (last && done(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(
    `design ${designId} did not get there; last state ${last?.state} ${JSON.stringify(last?.views)}`,
  );
}

export const inState =
  (...states: DesignSnapshot['state'][]) =>
  (design: DesignSnapshot) =>
    states.includes(design.state);

function teeNotifier(first: Notifier, second: Notifier): Notifier {
  return {
    async notify(design) {
      await first.notify(design);
      await second.notify(design);
    },
  };
}
