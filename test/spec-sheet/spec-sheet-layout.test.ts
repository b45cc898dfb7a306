import { beforeAll, describe, expect, it } from 'vitest';
import { textWidth } from '../../src/spec-sheet/font-metrics.ts';
import { layoutSpecSheet, specSheetPage, type SpecSheet } from '../../src/spec-sheet/index.ts';
import type { SheetText, SpecSheetLayout } from '../../src/spec-sheet/sheet-elements.ts';
import { sheetBands } from '../../src/spec-sheet/sheet-style.ts';
import { viewGrid } from '../../src/spec-sheet/views-layout.ts';
import { hostileSheet, kettlePrompt, kettleSheet, offlineViews } from './spec-sheet-fixture.ts';

let views: SpecSheet['views'];
beforeAll(async () => {
  views = await offlineViews(kettlePrompt);
});

const textsOf = (layout: SpecSheetLayout) =>
  layout.elements.filter((element): element is SheetText => element.kind === 'text');
const allText = (layout: SpecSheetLayout) =>
  textsOf(layout)
    .map((element) => element.text)
    .join('\n');

/** The ink box of a line: from its cap height above the baseline to its descenders below. */
const inkBox = (element: SheetText) => ({
  left: element.x,
  right: element.x + textWidth(element.text, element.size, element.weight),
  top: element.y - element.size * 0.76,
  bottom: element.y + element.size * 0.24,
});
const overlaps = (a: ReturnType<typeof inkBox>, b: ReturnType<typeof inkBox>) =>
  a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

/** What must hold for any sheet: nothing leaves its box, the page or the margins, nothing collides. */
function expectFitsThePage(layout: SpecSheetLayout) {
  const { margin } = specSheetPage;
  const texts = textsOf(layout);
  for (const element of texts) {
    const box = inkBox(element);
    expect(box.right - element.x).toBeLessThanOrEqual(element.maxWidth + 0.01);
    expect(box.left).toBeGreaterThanOrEqual(margin);
    expect(box.right).toBeLessThanOrEqual(layout.width - margin + 0.01);
    expect(box.top).toBeGreaterThanOrEqual(margin);
    expect(box.bottom).toBeLessThanOrEqual(layout.height - margin);
    // The two columns stay apart: text starts and ends on one side of the gap between them.
    const inLeftColumn = element.x < viewGrid.right;
    if (inLeftColumn && element.y > sheetBands.headerRuleY && element.y < sheetBands.footerRuleY)
      expect(box.right).toBeLessThanOrEqual(viewGrid.right + 0.01);
  }
  for (let i = 0; i < texts.length; i++)
    for (let j = i + 1; j < texts.length; j++) {
      const [a, b] = [texts[i]!, texts[j]!];
      if (overlaps(inkBox(a), inkBox(b))) expect.fail(`"${a.text}" overlaps "${b.text}"`);
    }
  for (const element of layout.elements)
    if (element.kind === 'view')
      for (const text of texts) {
        const box = inkBox(text);
        const image = {
          left: element.x,
          right: element.x + element.size,
          top: element.y,
          bottom: element.y + element.size,
        };
        if (overlaps(box, image)) expect.fail(`"${text.text}" is drawn over the ${element.view} view`);
      }
}

describe('layoutSpecSheet', () => {
  it('places the five views and every fact of a complete design', () => {
    const layout = layoutSpecSheet(kettleSheet(views));
    expect(
      layout.elements.filter((element) => element.kind === 'view').map((element) => element.view),
    ).toEqual(['front', 'back', 'side', 'top', 'bottom']);
    const text = allText(layout);
    for (const expected of [
      'Ceramic pour-over kettle',
      'Approved by Grace Hopper',
      'Sage',
      '#9caf88',
      'Bone white',
      'W 210 \u00d7 D 140 \u00d7 H 180 mm',
      'Stoneware ceramic, Oiled walnut, Silicone gasket',
      'Gooseneck spout for a controlled pour',
      'Quick edit: More minimal \u2014 Ada',
      'dsg_01JEXAMPLE7Q2K',
      '5 credits over 3 iterations',
      '2026-12-04 20:41 UTC',
    ])
      expect(text).toContain(expected);
    const swatches = layout.elements.filter((element) => element.kind === 'box' && element.width === 20);
    expect(swatches.map((swatch) => swatch.kind === 'box' && swatch.fill)).toEqual([
      '#9caf88',
      '#5c4033',
      '#f5f5f0',
      '#2b2b2b',
    ]);
    expectFitsThePage(layout);
  });

  it('fits hostile text: emoji, CJK, markup, a 4,000-character prompt and 30 iterations', () => {
    const sheet = hostileSheet(views);
    expect(sheet.prompt).toHaveLength(4000);
    const layout = layoutSpecSheet(sheet);
    const text = allText(layout);
    expect(text).toContain('Lamp ? with ? and ?, <script>');
    expect(text).toContain('more iterations not shown');
    expect(text).toContain('30.');
    expect(text).toMatch(/lorem ipsum dol\S*\u2026/);
    for (const character of text) expect(character.codePointAt(0)!).toBeLessThan(0x2200);
    expectFitsThePage(layout);
  });

  it('says the features could not be read when there are none, and labels missing views', () => {
    const layout = layoutSpecSheet(kettleSheet({ front: views.front }, { features: null, approval: null }));
    const text = allText(layout);
    expect(text).toContain('could not be read');
    expect(text).toContain('Not approved');
    expect(text.match(/No image/g)).toHaveLength(4);
    expect(layout.elements.filter((element) => element.kind === 'view')).toHaveLength(1);
    expect(text).not.toContain('KEY ELEMENTS');
    expectFitsThePage(layout);
  });

  it('renders whatever part of the features arrived', () => {
    const partials: SpecSheet['features'][] = [
      {},
      { colors: [] },
      { colors: [{ hex: 'red', name: '', usage: '' }] },
      { dimensions: { width: Number.NaN, height: -1, depth: 0, unit: 'mm' } },
      { materials: [], keyElements: [], description: '' },
      { description: '🙂' },
    ];
    for (const features of partials) {
      const layout = layoutSpecSheet(
        kettleSheet(views, { features, iterations: [], costCredits: Number.NaN }),
      );
      const text = allText(layout);
      expect(text).toContain('COLOURS');
      expect(text).toContain('Not available');
      expectFitsThePage(layout);
    }
  });

  it('survives an invalid date and an empty title and prompt', () => {
    const layout = layoutSpecSheet(
      kettleSheet(views, { title: '  ', prompt: '', date: new Date(Number.NaN), designId: '' }),
    );
    const text = allText(layout);
    expect(text).toContain('Untitled design');
    expect(text).toContain('unknown date');
    expectFitsThePage(layout);
  });
});
