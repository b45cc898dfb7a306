/**
 * Colour words a description is likely to use, so that "a red kettle" looks red. Longer phrases win over
 * the words inside them because the pattern tries them first.
 */
export const namedColours: Readonly<Record<string, string>> = {
  'matte black': '#1c1c1e',
  'jet black': '#111111',
  'space grey': '#4a4b4f',
  'space gray': '#4a4b4f',
  'navy blue': '#1f2f5c',
  'sky blue': '#6fb7e9',
  'forest green': '#2e5e3a',
  'rose gold': '#c9907f',
  'off white': '#ece8df',
  black: '#1f1f21',
  charcoal: '#36383c',
  graphite: '#44464b',
  white: '#f3f3f1',
  cream: '#efe6cf',
  beige: '#d8c6a3',
  grey: '#8a8d92',
  gray: '#8a8d92',
  silver: '#bfc3c8',
  gold: '#cfa64a',
  red: '#c62d2d',
  maroon: '#6e1f2a',
  orange: '#e7782c',
  yellow: '#efc93a',
  green: '#3f9a4e',
  olive: '#6d7238',
  teal: '#1f8a8a',
  cyan: '#35b8d0',
  blue: '#2f62d6',
  navy: '#1f2f5c',
  purple: '#7046b8',
  pink: '#e681ad',
  magenta: '#c2378f',
  brown: '#7a5234',
};

const colourAlternatives = Object.keys(namedColours)
  .sort((a, b) => b.length - a.length)
  .map((name) => name.replace(' ', '[\\s-]+'))
  .join('|');

/** A colour word, and whether the words right after it make it an accent ("orange accents", "red trim"). */
const colourPattern = new RegExp(`\\b(${colourAlternatives})\\b((?:\\s+[\\p{L}-]+){0,2})`, 'giu');
const accentWords =
  /\b(accents?|trims?|details?|highlights?|stripes?|stitch(?:ing|es)?|buttons?|handles?|laces?|cushions?|piping)\b/i;

export type ColourWords = { body: string | undefined; accent: string | undefined };

/**
 * The body colour is the first colour named that is not an accent; the accent is one named as such
 * ("bright orange accent") or else the second colour named.
 */
export function colourWords(text: string): ColourWords {
  let body: string | undefined;
  let accent: string | undefined;
  let second: string | undefined;
  for (const match of text.matchAll(colourPattern)) {
    const name = (match[1] ?? '').toLowerCase().replace(/[\s-]+/g, ' ');
    const hex = namedColours[name];
    if (hex === undefined) continue;
    if (accentWords.test(match[2] ?? '')) accent ??= hex;
    else if (body === undefined) body = hex;
    else second ??= hex;
  }
  return { body, accent: accent ?? second };
}

export type Rgb = [number, number, number];

export function rgbOf(hex: string): Rgb {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
}

export function hexOf([r, g, b]: Rgb): string {
  const channel = (value: number) =>
    Math.max(0, Math.min(255, Math.round(value)))
      .toString(16)
      .padStart(2, '0');
  return `#${channel(r)}${channel(g)}${channel(b)}`;
}

/** Towards white (amount > 0) or black (amount < 0), 0..1. */
export function tint(hex: string, amount: number): string {
  const target = amount > 0 ? 255 : 0;
  const share = Math.abs(amount);
  return hexOf(rgbOf(hex).map((channel) => channel + (target - channel) * share) as Rgb);
}

export function luminance(hex: string): number {
  const [r, g, b] = rgbOf(hex);
  return (0.299 * r + 0.587 * g + 0.114 * b) / 255;
}

/** Hue in degrees and saturation 0..1 (HSL). */
export function hueOf(hex: string): { hue: number; saturation: number } {
  const [r, g, b] = rgbOf(hex).map((channel) => channel / 255) as Rgb;
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const chroma = max - min;
  if (chroma === 0) return { hue: 0, saturation: 0 };
  const lightness = (max + min) / 2;
  const saturation = chroma / (1 - Math.abs(2 * lightness - 1));
  let hue: number;
  if (max === r) hue = ((g - b) / chroma) % 6;
  else if (max === g) hue = (b - r) / chroma + 2;
  else hue = (r - g) / chroma + 4;
  return { hue: (hue * 60 + 360) % 360, saturation };
}

export function hsl(hue: number, saturation: number, lightness: number): string {
  const s = saturation / 100;
  const l = lightness / 100;
  const chroma = (1 - Math.abs(2 * l - 1)) * s;
  const channel = (n: number) => {
    const k = (n + hue / 30) % 12;
    return (l - (chroma / 2) * Math.max(-1, Math.min(k - 3, 9 - k, 1))) * 255;
  };
  return hexOf([channel(0), channel(8), channel(4)]);
}

/** Outlines and small parts that read on the body: darker on light bodies, lighter on dark ones. */
export function outlineFor(body: string): string {
  return luminance(body) < 0.25 ? tint(body, 0.35) : tint(body, -0.55);
}
