import type { FakeGemini } from '../../fakes/fake-gemini-server.ts';

/** Holds the fake image model's answers until the returned function is called (a design stays generating). */
export function holdModel(gemini: FakeGemini): () => void {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  gemini.setLatency(() => gate);
  return () => {
    gemini.setLatency(0);
    open();
  };
}

/** Each request's text parts, joined: what the model was asked. */
export const modelTexts = (gemini: FakeGemini): string[] =>
  gemini.requests.map((request) => request.texts.join(' '));
