import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { startFacet, type FacetHandle } from '../../src/main.ts';
import { solidImage, textFile } from '../helpers/input-images.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { silentLogger } from '../workflow/workflow-harness.ts';

const screenshots = path.resolve('test-output/playground-image');

/** The playground's Image button in Debian's chromium: pick a file, type the command, see the card. */
describe('playground in a browser: starting from an image', () => {
  let test: TestDatabase;
  let facet: FacetHandle;
  let browser: Browser;
  let page: Page;
  const dataDir = path.join(tmpdir(), `facet-playground-image-browser-${process.pid}`);

  beforeAll(async () => {
    await mkdir(screenshots, { recursive: true });
    test = await createTestDatabase('playground_image_browser');
    facet = await startFacet(
      loadConfig({ PORT: '0', DATABASE_URL: test.url, FACET_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }),
      silentLogger,
    );
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(facet.url);
  });

  afterAll(async () => {
    await browser.close();
    await facet.close();
    await test.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const send = async (text: string, file: { name: string; mimeType: string; buffer: Buffer }) => {
    await page.getByTestId('image-input').setInputFiles(file);
    await page.getByTestId('message-box').fill(text);
    await page.getByTestId('message-box').press('Enter');
  };

  it('refuses a text file named .png in the channel, and starts nothing', async () => {
    await send('/design a kettle from my notes', {
      name: 'sketch.png',
      mimeType: 'image/png',
      buffer: textFile,
    });
    await expect
      .poll(() => page.getByTestId('messages').innerText(), { timeout: 10_000 })
      .toContain("That file isn't a PNG, JPEG or WebP image.");
    expect(await page.getByTestId('card').count()).toBe(0);
  });

  it('starts a design from a picked PNG: the card shows the sketch as a thumbnail', async () => {
    const sketch = await solidImage('png', { width: 160, height: 120, colour: '#8e44ad' });
    await send('/design a kettle', { name: 'sketch.png', mimeType: 'image/png', buffer: sketch });
    const card = page.getByTestId('card').last();
    await expect.poll(() => card.getAttribute('data-tone'), { timeout: 20_000 }).toBe('waiting');
    const source = card.getByTestId('card-source-image');
    expect(await source.innerText()).toContain('From your sketch');
    // The thumbnail is the re-encoded sketch from Facet's own store.
    const src = await source.locator('img').getAttribute('src');
    const thumbnail = await fetch(new URL(src ?? '', facet.url));
    expect(thumbnail.headers.get('content-type')).toBe('image/png');
    expect(await sharp(Buffer.from(await thumbnail.arrayBuffer())).metadata()).toMatchObject({
      width: 160,
      height: 120,
    });
    // The picked file went with that one command only.
    expect(await page.getByTestId('image-input').inputValue()).toBe('');
    await page.screenshot({ path: path.join(screenshots, 'from-your-sketch.png') });
  });
});
