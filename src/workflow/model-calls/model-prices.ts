import type { ModelCall } from './model-call.ts';

/** What one model costs, in US dollars. */
export type ModelPrice = {
  inputPerMillionTokens: number;
  outputPerMillionTokens: number;
  /** For an answer that reports no tokens: each image it returned. */
  perImage: number;
  /** For an answer that reports no tokens and returns no image (a vision call). */
  perCall: number;
};

/** By model id; a model the answer names more precisely ("…-preview-09-2025") matches its longest prefix. */
export type ModelPrices = Readonly<Record<string, ModelPrice>>;

/**
 * Defaults for the default models, as published when they were set: Gemini 2.5 Flash Image
 * (ai.google.dev/gemini-api/docs/pricing, read 2026-12-04: $0.30 per million input tokens, $30 per million
 * output tokens, an image of up to 1024x1024 px being 1,290 output tokens, so $0.039) and gpt-4o-mini
 * (openai.com/api/pricing, read 2026-12-04: $0.15 and $0.60 per million input and output tokens; a call
 * with a 1024 px image is about 25,000 input tokens, so about $0.004 when the answer reports none).
 * Operators correct them with FACET_MODEL_PRICES (docs/operations.md).
 */
export const defaultModelPrices: ModelPrices = {
  'gemini-2.5-flash-image': {
    inputPerMillionTokens: 0.3,
    outputPerMillionTokens: 30,
    perImage: 0.039,
    perCall: 0,
  },
  'gpt-4o-mini': { inputPerMillionTokens: 0.15, outputPerMillionTokens: 0.6, perImage: 0, perCall: 0.004 },
  'offline-renderer': { inputPerMillionTokens: 0, outputPerMillionTokens: 0, perImage: 0, perCall: 0 },
  'offline-palette': { inputPerMillionTokens: 0, outputPerMillionTokens: 0, perImage: 0, perCall: 0 },
};

export type CostEstimate = { microUsd: number; pricedBy: 'tokens' | 'images' | 'call' | 'unpriced' };

/** The price of a model: its own entry, or the longest entry its name starts with. */
export function priceOf(prices: ModelPrices, model: string): ModelPrice | undefined {
  const exact = prices[model];
  if (exact) return exact;
  let best: string | undefined;
  for (const key of Object.keys(prices))
    if (model.startsWith(key) && (best === undefined || key.length > best.length)) best = key;
  return best === undefined ? undefined : prices[best];
}

/**
 * A call's estimated cost: from the tokens its answer reports, else from the images it returned, else
 * a typical call's price when it succeeded. A failed call that reports nothing is counted as free (the
 * providers bill answers, and a refused or dropped request has none).
 */
export function estimateCost(
  prices: ModelPrices,
  call: Pick<ModelCall, 'model' | 'usage' | 'images' | 'outcome'>,
): CostEstimate {
  const price = priceOf(prices, call.model);
  if (!price) return { microUsd: 0, pricedBy: 'unpriced' };
  if (call.usage) {
    const usd =
      (call.usage.tokensIn * price.inputPerMillionTokens +
        call.usage.tokensOut * price.outputPerMillionTokens) /
      1_000_000;
    return { microUsd: toMicro(usd), pricedBy: 'tokens' };
  }
  if (call.images > 0) return { microUsd: toMicro(call.images * price.perImage), pricedBy: 'images' };
  if (call.outcome === 'ok') return { microUsd: toMicro(price.perCall), pricedBy: 'call' };
  return { microUsd: 0, pricedBy: 'unpriced' };
}

const toMicro = (usd: number) => Math.round(usd * 1_000_000);
