import { viewNames, type ViewName } from '../workflow/views.ts';
import { textWidth } from './font-metrics.ts';
import { placeText } from './place-text.ts';
import type { SheetBox, SheetElement } from './sheet-elements.ts';
import { sheetBands, sheetColours, textStyles } from './sheet-style.ts';
import type { SpecSheet } from './spec-sheet.ts';

/** Where the views go: the front large, the other four in a 2 x 2 grid beside it, each labelled below. */
export const viewGrid = (() => {
  const top = sheetBands.bodyTop;
  const left = sheetBands.left;
  const front = 270;
  const label = 12;
  const gap = 8;
  // Two rows of small tiles with their labels stand exactly as tall as the front tile with its label.
  const small = (front + label - gap) / 2 - label;
  const smallLeft = left + front + 10;
  const slots: Record<ViewName, { x: number; y: number; size: number }> = {
    front: { x: left, y: top, size: front },
    back: { x: smallLeft, y: top, size: small },
    side: { x: smallLeft + small + gap, y: top, size: small },
    top: { x: smallLeft, y: top + small + label + gap, size: small },
    bottom: { x: smallLeft + small + gap, y: top + small + label + gap, size: small },
  };
  return { slots, right: smallLeft + 2 * small + gap, bottom: top + front + label };
})();

/** A tile per view with its label; a view that is missing gets a grey tile that says so. */
export function layoutViews(views: SpecSheet['views']): SheetElement[] {
  return viewNames.flatMap((view): SheetElement[] => {
    const { x, y, size } = viewGrid.slots[view];
    const tile: SheetBox = { kind: 'box', x, y, width: size, height: size, fill: sheetColours.tile };
    const label = placeText(
      x,
      y + size + 9,
      textStyles.label,
      sheetColours.heading,
      view.toUpperCase(),
      size,
    );
    if (views[view] !== undefined) return [tile, { kind: 'view', view, x, y, size }, label];
    const missing = 'No image';
    const missingWidth = textWidth(missing, textStyles.body.size, textStyles.body.weight);
    const centred = x + (size - missingWidth) / 2;
    return [
      tile,
      placeText(centred, y + size / 2 + 3, textStyles.body, sheetColours.muted, missing, missingWidth),
      label,
    ];
  });
}
