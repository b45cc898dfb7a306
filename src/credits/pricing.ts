/** What a workspace charges, in credits. Defaults are the product's list prices. */
export type Prices = { design: number; variation: number; edit: number };

export const defaultPrices: Readonly<Prices> = Object.freeze({ design: 3, variation: 2, edit: 1 });

export type DesignKind = 'design' | 'variation';

export function startCost(prices: Prices, kind: DesignKind): number {
  return kind === 'variation' ? prices.variation : prices.design;
}

/** The amount a completed design captures: its start price plus every accepted edit. */
export function totalCost(basePrice: number, editPrice: number, edits: number): number {
  return basePrice + editPrice * edits;
}
