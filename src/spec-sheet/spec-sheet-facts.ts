import type { ProductFeatures } from '../workflow/product-features.ts';
import type { SpecSheetIteration } from './spec-sheet.ts';

/** The phrases the sheet prints, before they are made drawable and fitted. */

export function formatMoment(moment: Date): string {
  if (Number.isNaN(moment.getTime())) return 'unknown date';
  // UTC and fixed: the sheet is read by people in different time zones and must render the same everywhere.
  return `${moment.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function formatDay(moment: Date): string {
  return Number.isNaN(moment.getTime()) ? 'unknown date' : moment.toISOString().slice(0, 10);
}

export function formatCredits(credits: number): string {
  if (!Number.isFinite(credits)) return 'cost unknown';
  return credits === 1 ? '1 credit' : `${credits} credits`;
}

/** "W 180 × D 90 × H 240 mm"; undefined when the extractor gave no usable figures. */
export function formatDimensions(
  dimensions: Partial<ProductFeatures['dimensions']> | undefined,
): string | undefined {
  if (dimensions === undefined) return undefined;
  const parts = (
    [
      ['W', dimensions.width],
      ['D', dimensions.depth],
      ['H', dimensions.height],
    ] as const
  ).flatMap(([axis, value]) =>
    typeof value === 'number' && Number.isFinite(value) && value > 0
      ? [`${axis} ${roundForDisplay(value)}`]
      : [],
  );
  if (parts.length === 0) return undefined;
  const unit = typeof dimensions.unit === 'string' ? ` ${dimensions.unit}` : '';
  return `${parts.join(' \u00d7 ')}${unit}`;
}

function roundForDisplay(value: number): string {
  return String(value >= 100 ? Math.round(value) : Math.round(value * 10) / 10);
}

/** What an iteration asked for, as one phrase; the number is printed beside it. */
export function describeIteration(iteration: SpecSheetIteration): string {
  const change = iteration.change;
  const asked =
    change.kind === 'original'
      ? 'Original prompt'
      : change.kind === 'preset'
        ? `Quick edit: ${change.label}`
        : `\u201c${change.text}\u201d`;
  return iteration.requestedBy ? `${asked} \u2014 ${iteration.requestedBy}` : asked;
}

/** Hex colours go into SVG attributes and PDF operators: anything else is not drawn as a colour. */
export function safeHex(hex: unknown): string | undefined {
  return typeof hex === 'string' && /^#[0-9a-fA-F]{6}$/.test(hex) ? hex.toLowerCase() : undefined;
}
