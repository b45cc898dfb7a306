import { boldWidths, regularWidths, winAnsiCharacters } from './glyph-widths.ts';

export type FontWeight = 'regular' | 'bold';

const indexOfCharacter = new Map(Array.from(winAnsiCharacters, (character, index) => [character, index]));
// Wider than any glyph in either font: text that slipped past sanitising is over-measured, never under.
const unknownWidth = 1100;

/** Width in points of `text` at `size` points, in whichever of the PDF's and the PNG's fonts is wider. */
export function textWidth(text: string, size: number, weight: FontWeight = 'regular'): number {
  const widths = weight === 'bold' ? boldWidths : regularWidths;
  let total = 0;
  for (const character of text) {
    const index = indexOfCharacter.get(character);
    total += index === undefined ? unknownWidth : (widths[index] ?? unknownWidth);
  }
  return (total * size) / 1000;
}

export function isWinAnsi(character: string): boolean {
  return indexOfCharacter.has(character);
}
