import sharp from '../sharp.ts';
import { featuresBandLayout, featuresBandSvg } from './contact-sheet-features.ts';
import type { ProductFeatures } from './product-features.ts';
import { isViewName, viewNames, type ViewName } from './views.ts';
import { escapeXml } from '../text.ts';

export type ContactSheetView = { view: ViewName; png: Buffer };

/** 3 columns x 2 rows of square tiles, views in canonical order; the sixth cell stays empty. */
export const contactSheetLayout = {
  tile: 512,
  gap: 24,
  labelHeight: 44,
  titleHeight: 72,
  columns: 3,
  rows: 2,
} as const;

const sheetBackground = '#f4f4f5';
const tileBackground = { r: 255, g: 255, b: 255 };
const textColour = '#27272a';
// Fits the sheet in DejaVu Sans Bold even for the widest Latin glyphs; the clip path catches wider scripts.
const maxTitleLength = 48;
const fontFamily = "'DejaVu Sans', sans-serif";

export type TilePlacement = { view: ViewName; left: number; top: number; size: number };

/** Where each view's tile lands, and the features band under them; exported so callers and tests agree. */
export function contactSheetGeometry(
  hasTitle: boolean,
  hasFeatures = false,
): {
  width: number;
  height: number;
  tiles: TilePlacement[];
  /** The band with colours, materials and dimensions; undefined without features. */
  features: { left: number; top: number; width: number; height: number } | undefined;
} {
  const { tile, gap, labelHeight, titleHeight, columns, rows } = contactSheetLayout;
  const header = hasTitle ? titleHeight : 0;
  const tiles = viewNames.map((view, index) => ({
    view,
    left: gap + (index % columns) * (tile + gap),
    top: header + gap + Math.floor(index / columns) * (tile + labelHeight + gap),
    size: tile,
  }));
  const width = columns * tile + (columns + 1) * gap;
  const gridHeight = header + rows * (tile + labelHeight) + (rows + 1) * gap;
  const band = featuresBandLayout.height;
  return {
    width,
    height: hasFeatures ? gridHeight + band + gap : gridHeight,
    tiles,
    features: hasFeatures ? { left: gap, top: gridHeight, width: width - 2 * gap, height: band } : undefined,
  };
}

export type ContactSheetOptions = {
  title?: string;
  /** What was read off the approved front view: drawn under the views as swatches, materials, dimensions. */
  features?: ProductFeatures | null;
};

/**
 * One PNG showing every view, for a single chat message. Inputs may be any size or aspect ratio; each is
 * letterboxed onto a white tile. A view missing from the input leaves its cell blank, labelled as missing.
 */
export async function renderContactSheet(
  views: ContactSheetView[],
  options?: ContactSheetOptions,
): Promise<Buffer> {
  const byView = new Map<ViewName, Buffer>();
  for (const { view, png } of views) {
    if (!isViewName(view)) throw new RangeError(`unknown view ${JSON.stringify(view)}`);
    if (byView.has(view)) throw new RangeError(`view ${view} given twice`);
    byView.set(view, png);
  }
  const title = options?.title === undefined ? '' : cleanText(options.title, maxTitleLength);
  const features = options?.features ?? undefined;
  const geometry = contactSheetGeometry(title !== '', features !== undefined);
  const { tile } = contactSheetLayout;

  const tiles = await Promise.all(
    geometry.tiles.flatMap(({ view, left, top }) => {
      const png = byView.get(view);
      if (png === undefined) return [];
      return [
        sharp(png)
          .resize(tile, tile, { fit: 'contain', background: { ...tileBackground, alpha: 1 } })
          // Transparent inputs would otherwise show the grey sheet through the tile.
          .flatten({ background: tileBackground })
          // Raw pixels: a PNG per tile would be encoded here only to be decoded again by composite.
          .raw()
          .toBuffer({ resolveWithObject: true })
          .then(({ data, info }) => ({
            input: data,
            raw: { width: info.width, height: info.height, channels: info.channels },
            left,
            top,
          })),
      ];
    }),
  );
  // The sheet is drawn in SVG (background, labels, title, features) and the tiles laid on it: a canvas
  // with the SVG composited over it cost a third more CPU for the same pixels (the labels, title and band
  // never overlap a tile).
  return sharp(Buffer.from(contactSheetSvg(geometry, title, byView, features)))
    .composite(tiles)
    .removeAlpha()
    .png()
    .toBuffer();
}

/** The sheet without its tiles: background, labels, title and features band; exported for tests. */
export function contactSheetSvg(
  geometry: ReturnType<typeof contactSheetGeometry>,
  title: string,
  present: ReadonlyMap<ViewName, Buffer>,
  features?: ProductFeatures,
): string {
  const { labelHeight, titleHeight, gap } = contactSheetLayout;
  const labels = geometry.tiles.map(({ view, left, top, size }) => {
    const text = present.has(view) ? capitalise(view) : `${capitalise(view)} (missing)`;
    const y = top + size + Math.round(labelHeight * 0.7);
    return `<text x="${left + size / 2}" y="${y}" font-size="22" text-anchor="middle">${escapeXml(text)}</text>`;
  });
  const defs: string[] = [];
  if (title !== '') {
    const y = gap + Math.round(titleHeight * 0.6);
    const width = geometry.width - 2 * gap;
    defs.push(
      `<clipPath id="title"><rect x="${gap}" y="0" width="${width}" height="${titleHeight}"/></clipPath>`,
    );
    const attributes = `x="${gap}" y="${y}" font-size="28" font-weight="bold" clip-path="url(#title)"`;
    labels.unshift(`<text ${attributes}>${escapeXml(title)}</text>`);
  }
  if (features && geometry.features) {
    const band = geometry.features;
    labels.push(
      `<rect x="${band.left}" y="${band.top}" width="${band.width}" height="${band.height}" rx="12" fill="#ffffff"/>`,
      ...featuresBandSvg(
        features,
        { left: band.left + 24, top: band.top + 16, width: band.width - 48 },
        { escape: escapeXml, clean: cleanText },
      ),
    );
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${geometry.width}" height="${geometry.height}">`,
    `<defs>${defs.join('')}</defs>`,
    `<rect width="100%" height="100%" fill="${sheetBackground}"/>`,
    `<g font-family="${escapeXml(fontFamily)}" fill="${textColour}">`,
    ...labels,
    '</g></svg>',
  ].join('\n');
}

/**
 * User text goes into SVG: drop what XML 1.0 cannot carry at all (control characters, lone surrogates)
 * and bidi controls that could make a title read differently from what it is, then shorten.
 */
function cleanText(text: string, maxLength: number): string {
  // Only the start can be shown, so a megabyte of title never reaches the segmenter.
  const head = text.slice(0, maxLength * 16);
  const kept = Array.from(head.replace(/\s+/g, ' '))
    .filter((char) => isPrintable(char.codePointAt(0) ?? 0))
    .join('')
    .trim();
  // Graphemes, so truncation never splits an emoji sequence or a letter from its accent.
  const graphemes = Array.from(graphemeSegmenter.segment(kept), ({ segment }) => segment);
  if (graphemes.length <= maxLength && head.length === text.length) return kept;
  return `${graphemes
    .slice(0, maxLength - 1)
    .join('')
    .trimEnd()}…`;
}

const graphemeSegmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

function isPrintable(codePoint: number): boolean {
  if (codePoint < 0x20 || (codePoint >= 0x7f && codePoint < 0xa0)) return false;
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return false;
  if (codePoint === 0xfffe || codePoint === 0xffff) return false;
  if ((codePoint >= 0x202a && codePoint <= 0x202e) || (codePoint >= 0x2066 && codePoint <= 0x2069))
    return false;
  return true;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
