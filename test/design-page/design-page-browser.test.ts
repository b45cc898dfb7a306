import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { designPageFixture, type DesignPageFixture } from './design-page-fixture.ts';

type Layout = {
  scrollWidth: number;
  clientWidth: number;
  images: { src: string | null; loaded: boolean; width: number }[];
  swatch: string;
};

const chromiumOptions = {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
};

/** The design page of a completed design in Debian's chromium, on a desktop and on a phone. */
describe('design page in a browser', () => {
  let f: DesignPageFixture;
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    f = await designPageFixture('design_page_browser');
    url = await f.pageUrl(f.completed.id);
    browser = await chromium.launch(chromiumOptions);
  }, 90_000);
  afterAll(async () => {
    await browser.close();
    await f.close();
  });

  for (const width of [1280, 390]) {
    it(`reads well at ${width} px: no horizontal overflow, every image loaded, no CSP violation`, async () => {
      const context = await browser.newContext({ viewport: { width, height: 900 }, javaScriptEnabled: true });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        // The browser asks for /favicon.ico on its own; the page has none.
        if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico'))
          problems.push(`${message.text()} ${message.location().url}`);
      });
      page.on('response', (response) => {
        if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
      });
      await page.goto(url, { waitUntil: 'load' });
      // A string: the tests compile without the DOM's types.
      const layout = await page.evaluate<Layout>(`({
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
        images: Array.from(document.images, (image) => ({
          src: image.getAttribute('src'),
          loaded: image.complete && image.naturalWidth > 0,
          width: image.getBoundingClientRect().width,
        })),
        swatch: getComputedStyle(document.querySelector('.swatch')).backgroundColor,
      })`);
      expect(layout.scrollWidth).toBeLessThanOrEqual(layout.clientWidth);
      expect(layout.images.length).toBeGreaterThanOrEqual(9);
      for (const image of layout.images) {
        expect(image.loaded, image.src ?? '').toBe(true);
        expect(image.width).toBeLessThanOrEqual(width);
      }
      // The swatch colour comes from the hashed stylesheet: the CSP let it through.
      expect(layout.swatch).toBe('rgb(26, 26, 26)');
      expect(problems).toEqual([]);
      await page.screenshot({ path: `/tmp/design-page-${width}.png`, fullPage: true });
      await context.close();
    });
  }
});
