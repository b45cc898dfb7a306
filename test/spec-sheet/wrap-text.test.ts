import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { textWidth } from '../../src/spec-sheet/font-metrics.ts';
import { ellipsis, fitLine, wrapText } from '../../src/spec-sheet/wrap-text.ts';

const body = { size: 10, weight: 'regular' } as const;
const widthOf = (line: string) => textWidth(line, body.size, body.weight);

describe('wrapText', () => {
  it('breaks between words and keeps every word when it fits', () => {
    const { lines, truncated } = wrapText('the quick brown fox jumps over the lazy dog', 90, body, 10);
    expect(truncated).toBe(false);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.join(' ')).toBe('the quick brown fox jumps over the lazy dog');
    for (const line of lines) expect(widthOf(line)).toBeLessThanOrEqual(90);
  });

  it('ends the last allowed line with an ellipsis when the text is longer', () => {
    const { lines, truncated } = wrapText('word '.repeat(200), 100, body, 3);
    expect(truncated).toBe(true);
    expect(lines).toHaveLength(3);
    expect(lines[2]?.endsWith(ellipsis)).toBe(true);
    for (const line of lines) expect(widthOf(line)).toBeLessThanOrEqual(100);
  });

  it('splits a word wider than a line instead of letting it overflow', () => {
    const { lines } = wrapText(`see https://example.com/${'a'.repeat(200)} now`, 80, body, 50);
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(widthOf(line)).toBeLessThanOrEqual(80);
    expect(lines.join('')).toContain('a'.repeat(100).slice(0, 10));
  });

  it('fitLine shortens to one line with an ellipsis, or leaves a short line alone', () => {
    expect(fitLine('short', 200, body)).toBe('short');
    const cut = fitLine('a rather long line that cannot fit', 60, body);
    expect(cut.endsWith(ellipsis)).toBe(true);
    expect(widthOf(cut)).toBeLessThanOrEqual(60);
  });

  it('never returns more lines than allowed nor a line wider than allowed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-zA-Z0-9.,'-]{1,40}$/), { maxLength: 60 }),
        fc.integer({ min: 20, max: 400 }),
        fc.integer({ min: 1, max: 8 }),
        (words, width, maxLines) => {
          const { lines } = wrapText(words.join(' '), width, body, maxLines);
          expect(lines.length).toBeLessThanOrEqual(maxLines);
          for (const line of lines) expect(widthOf(line)).toBeLessThanOrEqual(width);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gives nothing for empty text or no lines', () => {
    expect(wrapText('', 100, body, 3)).toEqual({ lines: [], truncated: false });
    expect(wrapText('text', 100, body, 0)).toEqual({ lines: [], truncated: true });
  });
});
