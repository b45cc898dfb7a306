import { placeText } from './place-text.ts';
import type { SheetElement } from './sheet-elements.ts';
import { lineHeight, sheetColours, textStyles } from './sheet-style.ts';
import type { SpecSheet } from './spec-sheet.ts';
import { formatDimensions, safeHex } from './spec-sheet-facts.ts';
import { toWinAnsi } from './win-ansi-text.ts';
import { wrapText } from './wrap-text.ts';

export type FeaturesBox = { left: number; top: number; right: number; bottom: number };

const swatch = 20;
const swatchRow = 27;
const dimensionsWidth = 170;

/**
 * Colours as swatches with name, hex and use, then dimensions and materials side by side. Each part the
 * extractor did not give says so; with no features at all, one line says why.
 */
export function layoutFeatures(features: SpecSheet['features'], box: FeaturesBox): SheetElement[] {
  const width = box.right - box.left;
  if (!features) {
    return [
      placeText(box.left, box.top, textStyles.heading, sheetColours.heading, 'FEATURES', width),
      placeText(
        box.left,
        box.top + 13,
        textStyles.body,
        sheetColours.muted,
        'Colours, materials and dimensions could not be read from the approved front view.',
        width,
      ),
    ];
  }
  const colours = (features.colors ?? []).slice(0, 8);
  const elements: SheetElement[] = [
    placeText(box.left, box.top, textStyles.heading, sheetColours.heading, 'COLOURS', width),
  ];
  let y = box.top + 8;
  if (colours.length === 0) {
    elements.push(placeText(box.left, y + 10, textStyles.body, sheetColours.muted, 'Not available', width));
    y += 14;
  }
  // Up to four colours in two roomy columns; more in three, so that eight still leave room below.
  const columns = colours.length > 4 ? 3 : 2;
  const cellWidth = width / columns;
  colours.forEach((colour, index) => {
    const x = box.left + (index % columns) * cellWidth;
    const top = y + Math.floor(index / columns) * swatchRow;
    const hex = safeHex(colour.hex);
    const textLeft = x + swatch + 8;
    const textRoom = cellWidth - swatch - 16;
    const detail = [hex ?? 'no hex', toWinAnsi(colour.usage)].filter((part) => part !== '');
    elements.push(
      {
        kind: 'box',
        x,
        y: top,
        width: swatch,
        height: swatch,
        fill: hex ?? sheetColours.tile,
        stroke: sheetColours.rule,
      },
      placeText(
        textLeft,
        top + 8,
        textStyles.swatchName,
        sheetColours.ink,
        toWinAnsi(colour.name) || 'Unnamed',
        textRoom,
      ),
      placeText(
        textLeft,
        top + 18,
        textStyles.detail,
        sheetColours.muted,
        detail.join('  \u00b7  '),
        textRoom,
      ),
    );
  });
  y += Math.ceil(colours.length / columns) * swatchRow + 14;

  const dimensions = formatDimensions(features.dimensions);
  elements.push(
    placeText(box.left, y, textStyles.heading, sheetColours.heading, 'ESTIMATED DIMENSIONS', dimensionsWidth),
    placeText(
      box.left,
      y + 13,
      textStyles.body,
      dimensions ? sheetColours.ink : sheetColours.muted,
      dimensions ?? 'Not available',
      dimensionsWidth,
    ),
  );

  const materialsLeft = box.left + dimensionsWidth + 16;
  const materialsWidth = box.right - materialsLeft;
  const materials = (features.materials ?? [])
    .map((material) => toWinAnsi(material))
    .filter((material) => material !== '');
  elements.push(
    placeText(materialsLeft, y, textStyles.heading, sheetColours.heading, 'MATERIALS', materialsWidth),
  );
  const firstBaseline = y + 13;
  const maxLines = Math.max(1, Math.floor((box.bottom - firstBaseline) / lineHeight) + 1);
  const lines =
    materials.length > 0
      ? wrapText(materials.join(', '), materialsWidth, textStyles.body, maxLines).lines
      : [];
  if (lines.length === 0)
    elements.push(
      placeText(
        materialsLeft,
        firstBaseline,
        textStyles.body,
        sheetColours.muted,
        'Not available',
        materialsWidth,
      ),
    );
  lines.forEach((line, index) =>
    elements.push(
      placeText(
        materialsLeft,
        firstBaseline + index * lineHeight,
        textStyles.body,
        sheetColours.ink,
        line,
        materialsWidth,
      ),
    ),
  );
  return elements;
}
