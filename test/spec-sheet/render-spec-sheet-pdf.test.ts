import { PDFDocument } from 'pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderSpecSheetPdf, specSheetPage, type SpecSheet } from '../../src/spec-sheet/index.ts';
import { pageImages, pageStrings } from './pdf-reading.ts';
import { hostileSheet, kettlePrompt, kettleSheet, offlineViews } from './spec-sheet-fixture.ts';

let views: SpecSheet['views'];
beforeAll(async () => {
  views = await offlineViews(kettlePrompt);
});

async function load(pdf: Buffer) {
  expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  const document = await PDFDocument.load(pdf);
  expect(document.getPageCount()).toBe(1);
  return { document, page: document.getPage(0) };
}

describe('renderSpecSheetPdf', () => {
  it('makes one A4 landscape page with the five views embedded small and the facts as text', async () => {
    const pdf = await renderSpecSheetPdf(kettleSheet(views));
    const { document, page } = await load(pdf);
    expect(page.getSize()).toEqual({ width: specSheetPage.width, height: specSheetPage.height });
    const images = pageImages(document, page);
    expect(images).toHaveLength(5);
    for (const image of images) {
      expect(image.filter).toBe('/DCTDecode');
      expect(Math.max(image.width, image.height)).toBeLessThanOrEqual(700);
    }
    const strings = pageStrings(document, page);
    for (const expected of [
      'Ceramic pour-over kettle',
      'Grace Hopper',
      'Sage',
      '#9caf88',
      'Stoneware ceramic, Oiled walnut, Silicone gasket',
      'Wide stable base',
      'dsg_01JEXAMPLE7Q2K',
      '5 credits over 3 iterations',
    ])
      expect(strings.some((line) => line.includes(expected))).toBe(true);
    expect(document.getTitle()).toBe('Ceramic pour-over kettle - spec sheet');
    // Five 1024 px PNGs are over 100 KB each; shrunk to JPEG the whole sheet stays small.
    expect(pdf.length).toBeLessThan(300_000);
  });

  it('draws hostile text without throwing, still on one page, the unencodable shown as "?"', async () => {
    const { document, page } = await load(await renderSpecSheetPdf(hostileSheet(views)));
    const strings = pageStrings(document, page);
    expect(strings.some((line) => line.startsWith('Lamp ? with ? and ?, <script>alert("x")</script>'))).toBe(
      true,
    );
    expect(strings.some((line) => line.includes('more iterations not shown'))).toBe(true);
    expect(pageImages(document, page)).toHaveLength(5);
  });

  it('renders without features, approval or most views', async () => {
    const sheet = kettleSheet({ side: views.side }, { features: null, approval: null, iterations: [] });
    const { document, page } = await load(await renderSpecSheetPdf(sheet));
    expect(pageImages(document, page)).toHaveLength(1);
    const strings = pageStrings(document, page);
    expect(strings).toContain('Not approved');
    expect(strings.filter((line) => line === 'No image')).toHaveLength(4);
  });
});
