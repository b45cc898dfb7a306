import { describe, expect, it } from 'vitest';
import {
  defaultModelPrices,
  estimateCost,
  priceOf,
  type ModelPrices,
} from '../../src/workflow/model-calls/model-prices.ts';
import { levelsReached, monthKey, monthStart } from '../../src/workflow/budgets/budget-periods.ts';

describe('model prices', () => {
  it('finds a model by its name or the longest entry it starts with', () => {
    const prices: ModelPrices = {
      ...defaultModelPrices,
      'gemini-2.5': { inputPerMillionTokens: 1, outputPerMillionTokens: 1, perImage: 1, perCall: 1 },
    };
    expect(priceOf(prices, 'gemini-2.5-flash-image')).toBe(prices['gemini-2.5-flash-image']);
    expect(priceOf(prices, 'gemini-2.5-flash-image-preview-09-2025')).toBe(prices['gemini-2.5-flash-image']);
    expect(priceOf(prices, 'gemini-2.5-pro')).toBe(prices['gemini-2.5']);
    expect(priceOf(prices, 'dall-e-3')).toBeUndefined();
  });

  it('estimates from tokens, else images, else a typical call; a failed call that reports nothing is free', () => {
    const call = { model: 'gemini-2.5-flash-image', images: 1, outcome: 'ok' as const };
    expect(
      estimateCost(defaultModelPrices, { ...call, usage: { tokensIn: 1_000, tokensOut: 1_290 } }),
    ).toEqual({ microUsd: 39_000, pricedBy: 'tokens' });
    expect(estimateCost(defaultModelPrices, { ...call, usage: undefined })).toEqual({
      microUsd: 39_000,
      pricedBy: 'images',
    });
    expect(
      estimateCost(defaultModelPrices, { model: 'gpt-4o-mini', images: 0, outcome: 'ok', usage: undefined }),
    ).toEqual({ microUsd: 4_000, pricedBy: 'call' });
    expect(
      estimateCost(defaultModelPrices, { ...call, images: 0, outcome: 'transient_error', usage: undefined }),
    ).toEqual({ microUsd: 0, pricedBy: 'unpriced' });
    expect(estimateCost(defaultModelPrices, { ...call, model: 'unknown-model', usage: undefined })).toEqual({
      microUsd: 0,
      pricedBy: 'unpriced',
    });
  });
});

describe('budget periods', () => {
  it('runs by UTC month and tells the levels a spend reached', () => {
    const late = new Date('2026-12-31T23:30:00-05:00');
    expect(monthKey(late)).toBe('2027-01');
    expect(monthStart(new Date('2026-12-04T10:00:00Z')).toISOString()).toBe('2026-12-01T00:00:00.000Z');
    // A $50 cap is 50,000,000 millionths of a dollar.
    expect(levelsReached(39_999_999, 5_000)).toEqual([]);
    expect(levelsReached(40_000_000, 5_000)).toEqual([80]);
    expect(levelsReached(50_000_000, 5_000)).toEqual([80, 100]);
    expect(levelsReached(0, 0)).toEqual([80, 100]);
  });
});
