/*
 * The Gemini and OpenAI adapters of the benches, pointed at the model fakes (bench/model-fakes.ts): the
 * real SDKs, a bench key, a 30 s timeout.
 */
import { GeminiImageModel } from '../src/ai/gemini/gemini-image-model.ts';
import { OpenAIFeatureExtractor } from '../src/ai/openai/openai-feature-extractor.ts';

export function modelClients(urls: { geminiUrl: string; openaiUrl: string }): {
  model: GeminiImageModel;
  extractor: OpenAIFeatureExtractor;
} {
  return {
    model: new GeminiImageModel({ apiKey: 'bench-gemini-key', baseUrl: urls.geminiUrl, timeoutMs: 30_000 }),
    extractor: new OpenAIFeatureExtractor({
      apiKey: 'bench-openai-key',
      baseUrl: urls.openaiUrl,
      timeoutMs: 30_000,
    }),
  };
}
