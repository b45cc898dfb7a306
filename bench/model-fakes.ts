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
  /** When set, a feature extraction takes a random time in [openaiMs, openaiMaxMs]. */
  openaiMaxMs?: number;
  /** How long an image request answered with a transient error (see failOnce) takes. Default 200 ms. */
  failureMs?: number;
};

/**
 * One model request of a bench design (an image, or its features from OpenAI): `at` is
 * performance.timeOrigin + performance.now() on arrival; `failed` when it was answered with a transient error.
 */
export type ModelCall = {
  design: number;
  kind: 'front' | 'view' | 'features';
  at: number;
  ms: number;
  failed?: boolean;
};

export type FakesReport = {
  calls: ModelCall[];
  /** Image requests whose prompt named no bench design (none expected). */
  unmatched: number;
  gemini: { total: number; inFlight: number; maxInFlight: number };
  openaiRequests: number;
  /** CPU time the fakes' process has used so far (what the real services would spend, not us). */
  cpuMs: number;
};

/** The next image request of this kind for this design is answered HTTP 503 (a transient error). */
export type FailOnce = { design: number; kind: 'front' | 'view' };

export type FakesRequest =
  | { id: number; op: 'start'; arg: FakesSettings }
  | { id: number; op: 'failOnce'; arg: FailOnce }
  /** `fromDesign`: only the calls of designs numbered from it (a long bench's report stays small). */
  | { id: number; op: 'report'; arg: { fromDesign?: number } | null }
  | { id: number; op: 'close'; arg: null };

export type ModelFakes = {
  geminiUrl: string;
  openaiUrl: string;
  failOnce(target: FailOnce): Promise<void>;
  report(options?: { fromDesign?: number }): Promise<FakesReport>;
  close(): Promise<void>;
};

export async function forkModelFakes(settings: FakesSettings): Promise<ModelFakes> {
  const child = forkChild<FakesRequest['op']>(
    new URL('./model-fakes-process.ts', import.meta.url),
    'model fakes',
    { nice: settings.nice },
  );
  const urls = await child.call<{ geminiUrl: string; openaiUrl: string }>('start', settings);
  return {
    ...urls,
    failOnce: (target) => child.call('failOnce', target),
    report: (options) => child.call('report', options ?? null),
    close: () => child.close(),
  };
}
