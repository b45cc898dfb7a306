import { isWinAnsi } from './font-metrics.ts';

/** Shown for what the standard PDF fonts cannot draw (emoji, CJK, most non-Latin scripts). */
export const replacementCharacter = '?';

// Control characters, and invisible ones that would otherwise become a visible '?': joiners, zero-width
// spaces, bidi controls, variation selectors, the byte order mark and the soft hyphen (which SVG and PDF
// would show differently). Whitespace controls (tab, newline) are not here: they become spaces.
const invisibleRanges: readonly (readonly [number, number])[] = [
  [0x00, 0x08],
  [0x0e, 0x1f],
  [0x7f, 0x9f],
  [0xad, 0xad],
  [0x180e, 0x180e],
  [0x200b, 0x200f],
  [0x202a, 0x202e],
  [0x2060, 0x2069],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
];
// Letters that do not decompose and typographic characters outside WinAnsi, with a plain equivalent in it.
const nearEquivalents: Readonly<Record<string, string>> = {
  '\u0141': 'L',
  '\u0142': 'l',
  '\u0110': 'D',
  '\u0111': 'd',
  '\u0126': 'H',
  '\u0127': 'h',
  '\u0131': 'i',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2015': '\u2014',
  '\u2212': '-',
  '\u2032': "'",
  '\u2033': '"',
  '\u2192': '->',
  '\u2190': '<-',
  '\u2264': '<=',
  '\u2265': '>=',
  '\u2248': '~',
  '\u2217': '*',
  '\u2044': '/',
};
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
// A page shows a few thousand characters at most; more is cut before the segmenter sees it.
const maxInputLength = 20_000;

/**
 * `text` on one line in characters Helvetica can draw from WinAnsi: whitespace collapsed, accents
 * outside Latin-1 dropped ("ő" -> "o"), compatibility forms unfolded ("ﬁ" -> "fi", full-width "Ａ" -> "A"),
 * and each run of anything else (an emoji, a CJK word) shown as one '?' so that pdf-lib never throws
 * and the reader still sees that something was there.
 */
export function toWinAnsi(text: string): string {
  const flat = Array.from(text.slice(0, maxInputLength).normalize('NFC'))
    .filter((character) => !isInvisible(character.codePointAt(0) ?? 0))
    .join('')
    .replace(/\s+/gu, ' ');
  let result = '';
  let replacing = false;
  for (const { segment } of graphemes.segment(flat)) {
    const drawable = drawableForm(segment);
    if (drawable === undefined) {
      if (!replacing) result += replacementCharacter;
      replacing = true;
      continue;
    }
    result += drawable;
    replacing = false;
  }
  return result.trim();
}

function drawableForm(grapheme: string): string | undefined {
  if (isAllWinAnsi(grapheme)) return grapheme;
  const near = nearEquivalents[grapheme];
  if (near !== undefined) return near;
  const unfolded = grapheme.normalize('NFKD').replace(/\p{M}/gu, '');
  if (unfolded !== '' && isAllWinAnsi(unfolded)) return unfolded;
  return undefined;
}

function isInvisible(codePoint: number): boolean {
  return invisibleRanges.some(([first, last]) => codePoint >= first && codePoint <= last);
}

function isAllWinAnsi(text: string): boolean {
  for (const character of text) if (!isWinAnsi(character)) return false;
  return true;
}
