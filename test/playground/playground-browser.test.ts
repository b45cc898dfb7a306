import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { startFacet, type FacetHandle } from '../../src/main.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { silentLogger } from '../workflow/workflow-harness.ts';

const screenshots = path.resolve('test-output/playground');

/** The playground in Debian's chromium: the whole journey a visitor would try, screenshot by screenshot. */
describe('playground in a browser', () => {
  let test: TestDatabase;
  let facet: FacetHandle;
  let browser: Browser;
  let page: Page;
  const dataDir = path.join(tmpdir(), `facet-playground-${process.pid}`);
  let step = 0;

  beforeAll(async () => {
    await rm(screenshots, { recursive: true, force: true });
    await mkdir(screenshots, { recursive: true });
    test = await createTestDatabase('playground_browser');
    // Nothing but a database and a data folder: the offline renderer, local images, in-process jobs.
    facet = await startFacet(
      loadConfig({ PORT: '0', DATABASE_URL: test.url, FACET_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }),
      silentLogger,
    );
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('dialog', (dialog) => void dialog.accept());
  });

  afterAll(async () => {
    await browser.close();
    await facet.close();
    await test.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function shot(name: string) {
    step += 1;
    await page.screenshot({ path: path.join(screenshots, `${String(step).padStart(2, '0')}-${name}.png`) });
  }

  async function type(text: string) {
    await page.getByTestId('message-box').fill(text);
    await page.getByTestId('message-box').press('Enter');
  }

  const card = () => page.getByTestId('card').last();

  it('runs the journey: design, refused click, edit through the modal, approve, five views, balance', async () => {
    await page.goto(facet.url);
    await page.waitForSelector('body[data-ready="true"]');
    await page.getByTestId('user-switcher').selectOption('ben');
    await expect.poll(() => page.getByTestId('balance').textContent()).toContain('10 credits available');
    await shot('empty-channel');

    await type('/design wireless headphones in matte black');
    await page.getByTestId('card-image').last().waitFor({ timeout: 20_000 });
    expect(await card().getByTestId('card-status').textContent()).toContain('Iteration 1 is ready');
    await expect
      .poll(() => page.getByTestId('balance').textContent())
      .toContain('7 credits available · 3 reserved');
    await shot('front-view');

    // Cyd did not ask for it: her Approve is refused with a note, and nothing changes.
    await page.getByTestId('user-switcher').selectOption('cyd');
    await card().getByRole('button', { name: 'Approve' }).click();
    await expect
      .poll(() => page.getByTestId('note').last().textContent())
      .toContain('Only the person who asked');
    await page.getByTestId('user-switcher').selectOption('ben');
    await shot('refused-click');

    // Request changes: an empty form is refused inside the modal, then the feedback goes through.
    await card()
      .getByRole('button', { name: /Request changes/ })
      .click();
    await page.getByTestId('feedback-modal').waitFor();
    await page.getByTestId('feedback-submit').click();
    await expect.poll(() => page.getByTestId('feedback-error').textContent()).toBe('Say what should change.');
    await page.getByTestId('feedback-text').fill('make the ear cups rounder');
    await shot('feedback-modal');
    await page.getByTestId('feedback-submit').click();
    await expect
      .poll(() => card().getByTestId('card-status').textContent(), { timeout: 20_000 })
      .toContain('Iteration 2 is ready');
    await shot('iteration-2');

    await card().getByRole('button', { name: 'Approve' }).click();
    await expect
      .poll(() => page.getByTestId('thread-status').textContent(), { timeout: 30_000 })
      .toContain('Done: every view and the contact sheet are below.');
    expect(await page.getByTestId('thread-image').count()).toBe(6);
    for (const view of ['back', 'side', 'top', 'bottom'])
      expect(
        await page
          .locator(`[data-testid="thread-status"] li[data-view="${view}"]`)
          .getAttribute('data-state'),
      ).toBe('done');
    await expect.poll(() => card().getAttribute('data-tone')).toBe('done');
    expect(await card().getByTestId('card-status').textContent()).toContain('Done');
    await expect
      .poll(() => page.getByTestId('balance').textContent())
      .toContain('6 credits available · 0 reserved');
    await shot('five-views');

    await type('/design credits');
    await expect
      .poll(() => page.getByTestId('note').last().textContent())
      .toContain('You have 6 credits available');
    await shot('credits');
  });
});
