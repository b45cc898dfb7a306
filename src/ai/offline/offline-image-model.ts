import { setTimeout as delay } from 'node:timers/promises';
import sharp from '../../sharp.ts';
import { TransientError } from '../../workflow/errors/transient-error.ts';
import type { GeneratedImage, ImageModel, ImageRequest } from '../../workflow/ports/image-model.ts';
import { tint } from './offline-colours.ts';
import {
  offlineDesignSchema,
  offlineDrawing,
  type OfflineDesign,
  type OfflineDrawing,
} from './offline-drawing.ts';
import { drawFamily, paintOf } from './offline-families.ts';
import { readPalette } from './offline-feature-extractor.ts';
import { readTextChunk, withTextChunk } from './png-text-chunk.ts';
import { escapeXml } from '../../text.ts';

export type OfflineImageModelOptions = {
  /** Simulated model latency, so that local runs and load tests show realistic timing. */
  delayMs?: number;
};

const size = 1024;
const centre = size / 2;
const fontFamily = 'DejaVu Sans, sans-serif';
/** The tEXt chunk that carries the drawn design from a front view to its edits and other views. */
const designChunk = 'facet-offline-design';

/**
 * Draws a labelled preview instead of calling an AI model, so that Facet runs end to end without a
 * Gemini key. The product family (headphones, kettle, chair, lamp, shoe...) and its colours come from the
 * description's words; an edit and the remaining views start from the design drawn in their reference
 * image (carried in the PNG), so all five views share one palette and every edit shows. The same request
 * always gives the same bytes.
 */
export class OfflineImageModel implements ImageModel {
  readonly name = 'offline';
  readonly model = offlineImageModelName;
  private readonly delayMs: number;

  constructor(options: OfflineImageModelOptions = {}) {
    this.delayMs = options.delayMs ?? 0;
  }

  async generate(request: ImageRequest): Promise<GeneratedImage> {
    try {
      request.signal?.throwIfAborted();
      if (this.delayMs > 0) await delay(this.delayMs, undefined, { signal: request.signal });
    } catch (error) {
      throw new TransientError('offline model: request cancelled by the caller', { cause: error });
    }
    const drawing = offlineDrawing(request, await referenceOf(request));
    const png = await sharp(Buffer.from(offlineSvg(drawing)))
      .png()
      .toBuffer();
    return { png: withTextChunk(png, designChunk, encodeDesign(drawing.design)), model: this.model };
  }
}

export const offlineImageModelName = 'offline-renderer';

/** The design drawn in an offline PNG; undefined for any other image. */
export function readDesign(png: Buffer): OfflineDesign | undefined {
  const text = readTextChunk(png, designChunk);
  if (text === undefined) return undefined;
  try {
    const parsed = offlineDesignSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

async function referenceOf(request: ImageRequest) {
  const reference = request.references[0];
  if (reference === undefined) return undefined;
  if (reference.role === 'input_image') {
    const palette = await readPalette(reference.png);
    return { design: undefined, role: reference.role, palette: palette.map((colour) => colour.hex) };
  }
  return { design: readDesign(reference.png), role: reference.role };
}

/** JSON in Latin-1: everything beyond ASCII escaped. */
function encodeDesign(design: OfflineDesign): string {
  return JSON.stringify(design).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The SVG of a drawing, before it is rasterised. */
export function offlineSvg(drawing: OfflineDrawing): string {
  const { design, palette, view } = drawing;
  // A premium finish is a metallic gradient of the body colour with a gold edge (see paintOf).
  const paint = paintOf(drawing);
  const plan = view === 'top' || view === 'bottom';
  const lines = excerptLines(drawing.description);
  const traits = [
    design.family === 'box' ? 'product' : design.family,
    ...(design.detail < 2 ? ['minimal'] : []),
    ...(design.premium ? ['premium'] : []),
    ...(design.playful ? ['playful'] : []),
    ...(design.rugged ? ['rugged'] : []),
    ...(design.scale < 1 ? ['compact'] : []),
  ].join(' · ');
  const transform =
    design.scale === 1
      ? ''
      : ` transform="translate(${centre} 560) scale(${design.scale}) translate(-${centre} -560)"`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">`,
    design.premium ? finishGradient(palette.body) : '',
    `<rect width="${size}" height="${size}" fill="${palette.background}"/>`,
    `<rect width="${size}" height="56" fill="#222222"/>`,
    text(centre, 38, 26, '#ffffff', 'OFFLINE PREVIEW · no AI model configured', 'bold'),
    text(centre, 130, 60, '#222222', view.toUpperCase(), 'bold'),
    text(centre, 172, 26, '#555555', traits, 'normal'),
    ...(design.caption === undefined ? [] : caption(design.edits, design.caption, palette.accent)),
    `<ellipse cx="${centre}" cy="${plan ? 880 : 858}" rx="${280 * design.scale}" ry="20" fill="#000000" fill-opacity="0.12"/>`,
    `<g${transform}>`,
    ...drawFamily(design.family, view, paint),
    '</g>',
    ...lines.map((line, index) => text(centre, 962 + index * 34, 26, '#333333', line, 'normal')),
    `</svg>`,
  ].join('\n');
}

function finishGradient(body: string): string {
  return [
    `<defs><linearGradient id="finish" x1="0" y1="0" x2="1" y2="1">`,
    `<stop offset="0" stop-color="${tint(body, 0.55)}"/>`,
    `<stop offset="0.35" stop-color="${body}"/>`,
    `<stop offset="0.6" stop-color="${tint(body, -0.45)}"/>`,
    `<stop offset="0.8" stop-color="${tint(body, 0.3)}"/>`,
    `<stop offset="1" stop-color="${tint(body, -0.2)}"/>`,
    `</linearGradient></defs>`,
  ].join('');
}

function caption(edits: number, words: string, accent: string): string[] {
  const label = edits > 0 ? `edit ${edits}: ${words}` : words;
  return [
    `<rect x="112" y="884" width="800" height="48" rx="24" fill="#ffffff" stroke="${accent}" stroke-width="4"/>`,
    text(centre, 917, 26, '#222222', cleanText(label), 'bold'),
  ];
}

function text(x: number, y: number, fontSize: number, fill: string, content: string, weight: string): string {
  return `<text x="${x}" y="${y}" font-family="${fontFamily}" font-size="${fontSize}" font-weight="${weight}" fill="${fill}" text-anchor="middle">${escapeXml(content)}</text>`;
}

function excerptLines(description: string, width = 52, maxLines = 2): string[] {
  const graphemes = Array.from(
    new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(cleanText(description).slice(0, 400)),
    (segment) => segment.segment,
  );
  const lines: string[] = [];
  let rest = graphemes;
  while (rest.length > 0 && lines.length < maxLines) {
    let cut = rest.length <= width ? rest.length : rest.lastIndexOf(' ', width);
    if (cut <= 0) cut = Math.min(width, rest.length);
    lines.push(rest.slice(0, cut).join('').trim());
    rest = rest.slice(cut);
    while (rest[0] === ' ') rest = rest.slice(1);
  }
  const last = lines.at(-1);
  if (rest.length > 0 && last !== undefined) {
    lines[lines.length - 1] = `${Array.from(last)
      .slice(0, width - 1)
      .join('')
      .trimEnd()}…`;
  }
  return lines.length > 0 ? lines : ['(no description)'];
}

/** Drops what XML 1.0 cannot hold at all (control characters, lone surrogates) and folds whitespace. */
function cleanText(value: string): string {
  return value
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
}
