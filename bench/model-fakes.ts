/*
 * The model services of the benches (fake Gemini and OpenAI, bench/model-fakes-process.ts) in a
 * process of their own, and what they report back: which design asked for which image when, and how long
 * each answer was made to take.
 */
import { forkChild } from './forked-child.ts';

export const calibrationPrompt = 'Calibration:';

export type FakesSettings = {
  frontMs: number;
  /** When set, a front view takes a random time in [frontMs, frontMaxMs]. */
  frontMaxMs?: number;
  /** The fakes' process priority (see forkChild); unset: the same as the bench's. */
  nice?: number;
  viewMinMs: number;
  viewMaxMs: number;
  openaiMs: number;
};

/** One image request of a bench design: `at` is performance.timeOrigin + performance.now() on arrival. */
export type ModelCall = { design: number; kind: 'front' | 'view'; at: number; ms: number };

export type FakesReport = {
  calls: ModelCall[];
  /** Image requests whose prompt named no bench design (none expected). */
  unmatched: number;
  gemini: { total: number; inFlight: number; maxInFlight: number };
  openaiRequests: number;
  /** CPU time the fakes' process has used so far (what the real services would spend, not us). */
  cpuMs: number;
};

export type FakesRequest =
  { id: number; op: 'start'; arg: FakesSettings } | { id: number; op: 'report' | 'close'; arg: null };

export type ModelFakes = {
  geminiUrl: string;
  openaiUrl: string;
  report(): Promise<FakesReport>;
  close(): Promise<void>;
};

export async function forkModelFakes(settings: FakesSettings): Promise<ModelFakes> {
  const child = forkChild<FakesRequest['op']>(
    new URL('./model-fakes-process.ts', import.meta.url),
    'model fakes',
    { nice: settings.nice },
  );
  const urls = await child.call<{ geminiUrl: string; openaiUrl: string }>('start', settings);
  return { ...urls, report: () => child.call('report', null), close: () => child.close() };
}
