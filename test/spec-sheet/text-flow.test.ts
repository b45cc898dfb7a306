import { describe, expect, it } from 'vitest';
import type { SheetText } from '../../src/spec-sheet/sheet-elements.ts';
import { allocateLines, flowSections, type FlowSection } from '../../src/spec-sheet/text-flow.ts';

const options = {
  top: 100,
  bottom: 300,
  headingStyle: { size: 8, weight: 'bold' },
  bodyStyle: { size: 8.5, weight: 'regular' },
  colours: { heading: '#111111', ink: '#222222', muted: '#999999' },
} as const;

const texts = (sections: FlowSection[], width = 250) =>
  flowSections(sections, 10, width, options).filter(
    (element): element is SheetText => element.kind === 'text',
  );

describe('allocateLines', () => {
  it('gives every section what it wants when all fits', () => {
    expect(
      allocateLines(
        [
          { wanted: 3, cap: 5 },
          { wanted: 4, cap: 2 },
        ],
        () => 20,
      ),
    ).toEqual([3, 4]);
  });

  it('caps first, then hands the spare lines out in order', () => {
    expect(
      allocateLines(
        [
          { wanted: 50, cap: 5 },
          { wanted: 50, cap: 5 },
          { wanted: 2, cap: 5 },
        ],
        () => 20,
      ),
    ).toEqual([13, 5, 2]);
  });

  it('shrinks caps that do not fit, and drops sections when not even a line each fits', () => {
    expect(
      allocateLines(
        [
          { wanted: 10, cap: 10 },
          { wanted: 10, cap: 10 },
        ],
        () => 12,
      ),
    ).toEqual([6, 6]);
    expect(
      allocateLines(
        [
          { wanted: 10, cap: 10 },
          { wanted: 10, cap: 10 },
        ],
        (count) => (count === 2 ? 1 : 3),
      ),
    ).toEqual([3, 0]);
  });
});

describe('flowSections', () => {
  const iterations = (count: number): FlowSection => ({
    heading: 'ITERATIONS',
    items: Array.from({ length: count }, (_, index) => ({
      prefix: `${index + 1}.`,
      text: `change number ${index + 1}`,
      maxLines: 3,
    })),
    cap: 8,
    keep: 'first-and-last',
    noun: 'iteration',
  });

  it('keeps the first and the latest iterations and says how many are hidden', () => {
    const lines = texts([iterations(30)]).map((element) => element.text);
    expect(lines[0]).toBe('ITERATIONS');
    expect(lines).toContain('1.');
    expect(lines).toContain('30.');
    expect(lines).not.toContain('2.');
    expect(lines.some((line) => /more iterations not shown/.test(line))).toBe(true);
  });

  it('never places a line below the bottom, however much text there is', () => {
    const prompt: FlowSection = {
      heading: 'PROMPT',
      items: [{ text: 'lorem ipsum '.repeat(500) }],
      cap: 7,
      keep: 'head',
      noun: 'line',
    };
    const elements = texts([prompt, iterations(40), { ...prompt, heading: 'MORE' }]);
    for (const element of elements) expect(element.y).toBeLessThanOrEqual(options.bottom);
    expect(elements.some((element) => element.text.endsWith('\u2026'))).toBe(true);
  });

  it('indents item text past the widest prefix, so "30." never collides with its text', () => {
    const elements = texts([iterations(30)]);
    const prefix = elements.find((element) => element.text === '30.');
    const text = elements.find((element) => element.text === 'change number 30');
    expect(prefix).toBeDefined();
    expect(text!.x).toBeGreaterThan(prefix!.x + 12);
  });

  it('keeps the first items of a list and names what it hides; a first item too long alone is cut', () => {
    const keyElements = (texts: string[]): FlowSection => ({
      heading: 'KEY ELEMENTS',
      items: texts.map((text) => ({ prefix: '\u2022', text, maxLines: 40 })),
      cap: 4,
      keep: 'head',
      noun: 'key element',
    });
    const short = texts([keyElements(Array.from({ length: 40 }, (_, index) => `element ${index}`))], 250);
    const shortLines = short.map((element) => element.text);
    expect(shortLines).toContain('element 0');
    expect(shortLines).not.toContain('element 39');
    expect(shortLines.at(-1)).toMatch(/^\u2026 \d+ more key elements not shown$/);

    const long = texts([keyElements(['word '.repeat(400), 'second'])], 250);
    const longLines = long.filter((element) => element.text !== '\u2022').map((element) => element.text);
    expect(longLines.some((line) => line.startsWith('word') && line.endsWith('\u2026'))).toBe(true);
    expect(longLines.at(-1)).toBe('\u2026 1 more key element not shown');
  });
});
