import type { ProductFeatures } from './product-features.ts';

/** The band under the five views with the design's colours, materials and dimensions. */
export const featuresBandLayout = {
  height: 196,
  swatch: 56,
  /** The most swatches drawn in one row; the features schema allows 8. */
  maxSwatches: 8,
} as const;

export type FeaturesBandText = {
  escape: (text: string) => string;
  clean: (text: string, max: number) => string;
};

/**
 * SVG elements for the band: one swatch per colour with its name and hex code, then the materials and the
 * dimensions. Every word comes from a model, so it is cleaned, shortened and escaped.
 */
export function featuresBandSvg(
  features: ProductFeatures,
  box: { left: number; top: number; width: number },
  { escape, clean }: FeaturesBandText,
): string[] {
  const { swatch, maxSwatches } = featuresBandLayout;
  const colours = features.colors.slice(0, maxSwatches);
  const cell = box.width / Math.max(4, colours.length);
  const nameLength = Math.max(6, Math.floor((cell - swatch - 24) / 12));
  const heading = (y: number, words: string) =>
    `<text x="${box.left}" y="${y}" font-size="20" font-weight="bold">${escape(words)}</text>`;
  const swatches = colours.flatMap((colour, index) => {
    const x = box.left + index * cell;
    const y = box.top + 34;
    const hex = /^#[0-9a-fA-F]{6}$/.test(colour.hex) ? colour.hex.toLowerCase() : '#000000';
    return [
      `<rect x="${x.toFixed(1)}" y="${y}" width="${swatch}" height="${swatch}" rx="8" fill="${hex}" stroke="#27272a" stroke-width="2"/>`,
      `<text x="${(x + swatch + 12).toFixed(1)}" y="${y + 24}" font-size="20" font-weight="bold">${escape(clean(colour.name, nameLength))}</text>`,
      `<text x="${(x + swatch + 12).toFixed(1)}" y="${y + 50}" font-size="18" font-family="'DejaVu Sans Mono', monospace">${escape(hex)}</text>`,
    ];
  });
  const { width, height, depth, unit } = features.dimensions;
  const number = (value: number) => String(Math.round(value * 10) / 10);
  const materials = features.materials.length > 0 ? features.materials.join(', ') : 'not stated';
  const textLength = Math.floor(box.width / 12);
  // Past the widest heading ("Dimensions" in 20 px DejaVu Sans Bold).
  const valueIndent = 150;
  return [
    heading(box.top + 20, 'Colours'),
    ...swatches,
    heading(box.top + 134, 'Materials'),
    `<text x="${box.left + valueIndent}" y="${box.top + 134}" font-size="20">${escape(clean(materials, textLength - 12))}</text>`,
    heading(box.top + 170, 'Dimensions'),
    `<text x="${box.left + valueIndent}" y="${box.top + 170}" font-size="20">${escape(
      `${number(width)} × ${number(height)} × ${number(depth)} ${unit} (width × height × depth)`,
    )}</text>`,
  ];
}
