/*
 * The fake Gemini and OpenAI of bench/workflow.ts in a process of their own, as the real services are
 * remote: their HTTP parsing and answers then cost the measured process nothing. Forked by
 * forkModelFakes() (bench/model-fakes.ts) and driven over the IPC channel (bench/forked-child.ts).
 */
import { performance } from 'node:perf_hooks';
import {
  startFakeGemini,
  type FakeGemini,
  type FakeGeminiRequest,
} from '../test/fakes/fake-gemini-server.ts';
import { startFakeOpenAI, type FakeOpenAI } from '../test/fakes/fake-openai-server.ts';
import {
  calibrationPrompt,
  type FakesReport,
  type FakesRequest,
  type FakesSettings,
  type ModelCall,
} from './model-fakes.ts';
import { serveParent } from './forked-child.ts';

let fakes: { gemini: FakeGemini; openai: FakeOpenAI } | undefined;
const calls: ModelCall[] = [];
let unmatched = 0;

const between = (min: number, max: number) => Math.round(min + Math.random() * (max - min));
const isView = (text: string) => text.startsWith('Product: ');
// bench/workflow.ts and bench/load.ts number their designs ("bench product #12", quoted in the prompt); the
// chat benches' prompts are free.
const designOf = (text: string) => /bench product #(\d+)\b/.exec(text)?.[1];

/** Records a call of a numbered design on the wall clock shared with the parent (performance.now() has a per-process origin). */
function record(text: string, kind: ModelCall['kind'], ms: number, failed = false): void {
  const number = designOf(text);
  if (number === undefined) unmatched++;
  else
    calls.push({
      design: Number(number),
      kind,
      at: performance.timeOrigin + performance.now(),
      ms,
      ...(failed ? { failed } : {}),
    });
}

/** Front views take frontMs (or up to frontMaxMs); the other views a random time in [viewMinMs, viewMaxMs]. */
function latencyFor(settings: FakesSettings) {
  return (request: FakeGeminiRequest): number => {
    const text = request.texts[0] ?? '';
    if (text.startsWith(calibrationPrompt)) return 0;
    const kind = isView(text) ? 'view' : 'front';
    const failed = request.outcome === 'status';
    const ms = failed
      ? (settings.failureMs ?? 200)
      : kind === 'front'
        ? between(settings.frontMs, settings.frontMaxMs ?? settings.frontMs)
        : between(settings.viewMinMs, settings.viewMaxMs);
    record(text, kind, ms, failed);
    return ms;
  };
}

/** Feature extractions take openaiMs (or up to openaiMaxMs); recorded when they name a bench design. */
function featuresLatencyFor(settings: FakesSettings) {
  return (rawBody: string): number => {
    const ms = between(settings.openaiMs, settings.openaiMaxMs ?? settings.openaiMs);
    if (designOf(rawBody) !== undefined) record(rawBody, 'features', ms);
    return ms;
  };
}

async function run(request: FakesRequest): Promise<unknown> {
  switch (request.op) {
    case 'start': {
      if (fakes) throw new Error('already started');
      const gemini = await startFakeGemini({ latencyMs: latencyFor(request.arg) });
      const openai = await startFakeOpenAI({ latencyMs: featuresLatencyFor(request.arg) });
      fakes = { gemini, openai };
      return { geminiUrl: gemini.url, openaiUrl: openai.url };
    }
    case 'failOnce': {
      if (!fakes) throw new Error('failOnce before start');
      const { design, kind } = request.arg;
      fakes.gemini.scriptFor(
        (text) => designOf(text) === String(design) && isView(text) === (kind === 'view'),
        { kind: 'status', status: 503, message: 'fake transient failure' },
      );
      return null;
    }
    case 'report': {
      if (!fakes) throw new Error('report before start');
      const from = request.arg?.fromDesign;
      const report: FakesReport = {
        calls: from === undefined ? calls : calls.filter((call) => call.design >= from),
        unmatched,
        gemini: fakes.gemini.stats(),
        openaiRequests: fakes.openai.requests.length,
        cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
      };
      return report;
    }
    case 'close':
      await Promise.all([fakes?.gemini.close(), fakes?.openai.close()]);
      fakes = undefined;
      return null;
  }
}

serveParent(
  (request) => run(request as FakesRequest),
  () => Promise.all([fakes?.gemini.close(), fakes?.openai.close()]),
);
