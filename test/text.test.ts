import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/** No half of a surrogate pair on its own (String.prototype.isWellFormed, which this TS lib lacks). */
const wellFormed = (text: string) =>
  !/[\uD800-\uDFFF]/.test(text.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''));
import { clip, truncate } from '../src/text.ts';

const graphemes = (text: string) =>
  [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)].map((s) => s.segment);

describe('clip, the one cut for every length a platform limits', () => {
  it('never splits a grapheme: surrogate pairs, families, flags, combining accents', () => {
    const family = '👨‍👩‍👧'; // 8 UTF-16 units joined by zero-width joiners
    expect(clip(`ab${family}`, 9)).toBe('ab');
    expect(clip(`ab${family}`, 10)).toBe(`ab${family}`);
    expect(clip('x🇫🇷', 3)).toBe('x');
    expect(clip('cafe\u0301s', 4)).toBe('caf');
    expect(clip('a😀', 2)).toBe('a');
    expect(clip('short', 100)).toBe('short');
  });

  it('keeps the longest prefix of whole graphemes within the limit, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.nat(120), (text, max) => {
        const cut = clip(text, max);
        expect(cut.length).toBeLessThanOrEqual(max);
        expect(text.startsWith(cut)).toBe(true);
        expect(wellFormed(cut)).toBe(true);
        const whole = graphemes(text);
        const kept = graphemes(cut);
        expect(kept).toEqual(whole.slice(0, kept.length));
        const next = whole[kept.length];
        if (next !== undefined) expect(cut.length + next.length).toBeGreaterThan(max);
      }),
    );
  });

  it('truncate marks a cut with an ellipsis inside the limit', () => {
    expect(truncate('a desk lamp', 6)).toBe('a des…');
    expect(truncate('a😀😀', 4)).toBe('a😀…');
    expect(truncate('fits', 4)).toBe('fits');
  });
});
