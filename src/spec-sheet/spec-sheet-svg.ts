import type { SpecSheetLayout } from './sheet-elements.ts';
import { sheetColours } from './sheet-style.ts';
import { escapeXml } from '../text.ts';

/** DejaVu Sans is the one font in the production image; the layout's widths already allow for it. */
const fontFamily = "'DejaVu Sans', sans-serif";

/** Pixel size of the PNG for a layout `pixelWidth` wide, its aspect kept. */
export function pixelSizeOf(layout: SpecSheetLayout, pixelWidth: number): { width: number; height: number } {
  return { width: pixelWidth, height: Math.round((layout.height * pixelWidth) / layout.width) };
}

/**
 * The sheet's text, rules, tiles and swatches as SVG in page points, scaled to `pixelWidth` by its
 * viewBox; the views are composited over it afterwards. Every piece of text is escaped.
 */
export function specSheetSvg(layout: SpecSheetLayout, pixelWidth: number): string {
  const { width, height } = pixelSizeOf(layout, pixelWidth);
  const body = layout.elements.flatMap((element) => {
    switch (element.kind) {
      case 'text':
        return [
          `<text x="${round(element.x)}" y="${round(element.y)}" font-size="${element.size}"` +
            `${element.weight === 'bold' ? ' font-weight="bold"' : ''} fill="${escapeXml(element.colour)}">` +
            `${escapeXml(element.text)}</text>`,
        ];
      case 'box':
        return [
          `<rect x="${round(element.x)}" y="${round(element.y)}" width="${round(element.width)}" height="${round(element.height)}"` +
            ` fill="${escapeXml(element.fill)}"` +
            `${element.stroke === undefined ? '' : ` stroke="${escapeXml(element.stroke)}" stroke-width="0.5"`}/>`,
        ];
      case 'view':
        return [];
    }
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${layout.width} ${layout.height}">`,
    `<rect width="100%" height="100%" fill="${sheetColours.background}"/>`,
    `<g font-family="${escapeXml(fontFamily)}" xml:space="preserve">`,
    ...body,
    '</g></svg>',
  ].join('\n');
}

function round(value: number): string {
  return String(Math.round(value * 100) / 100);
}
