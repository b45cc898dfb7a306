import fc from 'fast-check';
import { PDFDocument, StandardFonts, type PDFFont } from 'pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { textWidth } from '../../src/spec-sheet/font-metrics.ts';
import { boldWidths, regularWidths, winAnsiCharacters } from '../../src/spec-sheet/glyph-widths.ts';
import { toWinAnsi } from '../../src/spec-sheet/win-ansi-text.ts';

let helvetica: PDFFont;
let helveticaBold: PDFFont;
beforeAll(async () => {
  const document = await PDFDocument.create();
  helvetica = await document.embedFont(StandardFonts.Helvetica);
  helveticaBold = await document.embedFont(StandardFonts.HelveticaBold);
});

describe('toWinAnsi, text the standard PDF fonts can draw', () => {
  it('keeps Latin-1 and the typographic quotes and dashes WinAnsi has', () => {
    expect(toWinAnsi('Café “crème” – 20 € — ‘ok’ …')).toBe('Café “crème” – 20 € — ‘ok’ …');
  });

  it('folds what has a drawable form and marks each run of the rest with one "?"', () => {
    expect(toWinAnsi('Łódź ő ﬁne ＡＢ')).toBe('Lódz o fine AB');
    expect(toWinAnsi('Lamp 💡🔥 with 漢字 and 한국어!')).toBe('Lamp ? with ? and ?!');
    expect(toWinAnsi('family 👨‍👩‍👧 and flag 🇫🇷')).toBe('family ? and flag ?');
    expect(toWinAnsi('x − y → z')).toBe('x - y -> z');
  });

  it('drops invisible characters and puts everything on one line', () => {
    expect(toWinAnsi('a\u200bb\u202ec\ufeff\u00add\u0007e\n\n\tf  ')).toBe('abcde f');
  });

  it('never gives pdf-lib a character it cannot encode, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (text) => {
        const drawable = toWinAnsi(text);
        expect(() => helvetica.encodeText(drawable)).not.toThrow();
        expect(() => helveticaBold.encodeText(drawable)).not.toThrow();
      }),
      { numRuns: 300 },
    );
    expect(() => helvetica.encodeText('漢')).toThrow();
  });
});

describe('the width tables one layout is measured with', () => {
  it('cover every WinAnsi character, each at least as wide as Helvetica draws it', () => {
    const characters = Array.from(winAnsiCharacters);
    expect(characters).toHaveLength(218);
    expect(regularWidths).toHaveLength(characters.length);
    expect(boldWidths).toHaveLength(characters.length);
    for (const character of characters) {
      expect(() => helvetica.encodeText(character)).not.toThrow();
      expect(textWidth(character, 1000)).toBeGreaterThanOrEqual(
        helvetica.widthOfTextAtSize(character, 1000) - 0.5,
      );
      expect(textWidth(character, 1000, 'bold')).toBeGreaterThanOrEqual(
        helveticaBold.widthOfTextAtSize(character, 1000) - 0.5,
      );
    }
  });

  it('measure wider than Helvetica where DejaVu Sans (the PNG font) is wider', () => {
    const sample = 'illustrative minimalism';
    expect(textWidth(sample, 10)).toBeGreaterThan(helvetica.widthOfTextAtSize(sample, 10) * 1.1);
  });
});
