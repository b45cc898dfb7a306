import { mkdir, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { startFacet, type FacetHandle } from '../../src/main.ts';
import { startFakeGemini, type FakeGemini } from '../fakes/fake-gemini-server.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { silentLogger } from '../workflow/workflow-harness.ts';

const screenshots = path.resolve('test-output/playground');
const chromiumOptions = {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
};

/** Whether the element is wholly inside both the window and the channel's scrolled list. */
async function inView(page: Page, locator: Locator): Promise<boolean> {
  const box = await locator.boundingBox();
  const list = await page.getByTestId('messages').boundingBox();
  const viewport = page.viewportSize();
  if (!box || !list || !viewport) return false;
  const bottom = Math.min(viewport.height, list.y + list.height);
  return box.y >= Math.max(0, list.y) && box.y + box.height <= bottom;
}

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
    browser = await chromium.launch(chromiumOptions);
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // The page confirms with its own dialog: a browser dialog is a failure (and is dismissed).
    page.on('dialog', (dialog) => {
      browserDialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('response', (response) => {
      if (response.status() >= 400) failedResponses.push(`${response.status()} ${response.url()}`);
    });
  });
  const browserDialogs: string[] = [];
  const failedResponses: string[] = [];

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
    // An empty channel says what to type; the page has its own icon (no 404 anywhere).
    expect(await page.getByTestId('empty-hint').isVisible()).toBe(true);
    expect(await page.getByTestId('empty-hint').textContent()).toMatch(
      /Type\s+\/design wireless headphones in matte black/,
    );
    expect(await page.locator('link[rel="icon"]').getAttribute('href')).toBe('/favicon.svg');
    for (const icon of ['/favicon.svg', '/favicon.ico']) {
      const response = await fetch(`${facet.url}${icon}`);
      expect([icon, response.status, response.headers.get('content-type')]).toEqual([
        icon,
        200,
        'image/svg+xml',
      ]);
      expect(await response.text()).toContain('<svg');
    }
    await shot('empty-channel');

    // Help: commands as code, no literal backticks.
    await type('/design help');
    await expect.poll(() => page.getByTestId('note').last().textContent()).toContain('Facet designs');
    expect(await page.getByTestId('note').last().textContent()).not.toContain('`');
    expect(await page.getByTestId('note').last().locator('code').first().textContent()).toBe(
      '/design <description>',
    );
    expect(await page.getByTestId('empty-hint').isVisible()).toBe(false);

    await type('/design wireless headphones in matte black');
    await page.getByTestId('card-image').last().waitFor({ timeout: 20_000 });
    expect(await card().getByTestId('card-status').textContent()).toContain('Iteration 1 is ready');
    // The front view arrived under a long help text: the card's Approve stays in view (1280x800).
    await expect.poll(() => inView(page, card().getByRole('button', { name: /^Approve/ }))).toBe(true);
    await expect
      .poll(() => page.getByTestId('balance').textContent())
      .toContain('7 credits available · 3 reserved');
    await shot('front-view');

    // "For you": Ben's design waits for his own approval (no approver group here), with the card's Approve.
    const waiting = page.getByTestId('home-waiting-item');
    await expect.poll(() => waiting.count()).toBe(1);
    expect(await waiting.first().textContent()).toContain('wireless headphones in matte black');
    expect(await waiting.first().getByRole('button').allTextContents()).toEqual(['Approve (3 credits)']);
    expect(await page.getByTestId('home-design').first().textContent()).toMatch(
      /waiting for approval · iteration 1 · 3 credits reserved/,
    );

    // Cyd did not ask for it: her Approve is refused with a note, and nothing changes.
    await page.getByTestId('user-switcher').selectOption('cyd');
    // Nor does it wait for her approval, and she has no designs.
    await expect.poll(() => page.getByTestId('home-waiting-item').count()).toBe(0);
    expect(await page.getByTestId('home-waiting').textContent()).toContain(
      'Nothing is waiting for your approval.',
    );
    expect(await page.getByTestId('home-designs').textContent()).toContain('No designs yet.');
    await card()
      .getByRole('button', { name: /^Approve/ })
      .click();
    await page.getByTestId('confirm-ok').click();
    const refusal = page
      .getByTestId('note')
      .filter({ hasText: 'Only the person who asked for this design (or an approver or admin)' });
    await expect.poll(() => refusal.isVisible()).toBe(true);
    // Cyd's private note is hers: Ben does not see it.
    await page.getByTestId('user-switcher').selectOption('ben');
    await expect.poll(() => refusal.isVisible()).toBe(false);
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

    // Approve asks first, in the page's own dialog ("Not yet" changes nothing).
    await card()
      .getByRole('button', { name: /^Approve/ })
      .click();
    await page.getByTestId('confirm-dialog').waitFor();
    expect(await page.locator('#confirm-title').textContent()).toBe('Approve this front view?');
    await shot('confirm-approve');
    await page.getByTestId('confirm-deny').click();
    expect(await page.getByTestId('confirm-dialog').isVisible()).toBe(false);
    expect(await card().getAttribute('data-tone')).toBe('waiting');
    await card()
      .getByRole('button', { name: /^Approve/ })
      .click();
    await page.getByTestId('confirm-ok').click();
    await expect
      .poll(() => page.getByTestId('thread-status').textContent(), { timeout: 30_000 })
      .toContain('Done: every view, the contact sheet and the spec sheet are below.');
    expect(await page.getByTestId('thread-image').count()).toBe(7);
    for (const view of ['back', 'side', 'top', 'bottom'])
      expect(
        await page
          .locator(`[data-testid="thread-status"] li[data-view="${view}"]`)
          .getAttribute('data-state'),
      ).toBe('done');
    // Status icons are drawn (SVG), not emoji put in by CSS.
    const lines = page.locator('[data-testid="thread-status"] li');
    expect(await lines.locator('svg.icon-done').count()).toBe(4);
    const before = await page.evaluate<string>(
      `getComputedStyle(document.querySelector('[data-testid="thread-status"] li'), '::before').content`,
    );
    expect(before).toMatch(/^(none|normal)$/);
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

    // A second finished design, then a reload: the newest card is in view and its thread is open.
    await type('/design a ceramic kettle');
    const kettle = page.getByTestId('card').filter({ hasText: 'a ceramic kettle' });
    await kettle.getByRole('button', { name: /^Approve/ }).waitFor({ timeout: 20_000 });
    // `/design pending` answers with the list and its buttons, privately.
    await type('/design pending');
    await expect
      .poll(() => page.getByTestId('note').last().textContent())
      .toMatch(/Waiting for your approval \(oldest first\)\s+1\. a ceramic kettle by @ben: iteration 1/);
    expect(await page.getByTestId('note').last().getByRole('button').allTextContents()).toEqual([
      'Approve #1 (3 credits)',
    ]);
    // The headphones' thread has the side column: "For you" takes it back.
    expect(await page.getByTestId('home').isHidden()).toBe(true);
    await page.getByTestId('open-home').click();
    expect(await page.getByTestId('home').isVisible()).toBe(true);
    expect(await page.getByTestId('thread').isHidden()).toBe(true);
    // Approved from "For you": the same confirmation, the same action as the card's button.
    const waitingKettle = page.getByTestId('home-waiting-item').filter({ hasText: 'a ceramic kettle' });
    await expect.poll(() => waitingKettle.locator('img').count()).toBe(1);
    await shot('for-you');
    await waitingKettle.getByRole('button', { name: /^Approve/ }).click();
    await page.getByTestId('confirm-ok').click();
    await expect.poll(() => kettle.getAttribute('data-tone'), { timeout: 30_000 }).toBe('done');
    await expect.poll(() => page.getByTestId('home-waiting-item').count()).toBe(0);
    await expect
      .poll(() => page.getByTestId('home-design').first().textContent())
      .toMatch(/a ceramic kettle.*done · iteration 1 · 3 credits charged/);
    const latest = await kettle.getAttribute('data-design-id');
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.getByTestId('card').count()).toBe(2);
    await expect.poll(() => inView(page, card().getByRole('button', { name: /View thread/ }))).toBe(true);
    // Image keys name their design: the thread shows the kettle's images, not the first design's.
    await expect
      .poll(() => page.getByTestId('thread-image').first().locator('img').getAttribute('src'), {
        timeout: 5_000,
      })
      .toContain(`/designs/${latest ?? 'none'}/`);
    await shot('reload');
    expect(browserDialogs).toEqual([]);
    expect(failedResponses).toEqual([]);
  });
});

/** A port nobody uses now: listen on 0, note the port, let it go (both Facets of a restart use it). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Issue 15, items 1-4: a page left open across a restart (Gemini slow enough that the front view is
 * finished by the stopping process after the page lost its stream), images that keep their URL over
 * a views phase, and the page on a phone.
 */
describe('playground page across a restart, and on a phone', () => {
  let test: TestDatabase;
  let gemini: FakeGemini;
  let facet: FacetHandle | undefined;
  let browser: Browser;
  let page: Page;
  let port: number;
  const dataDir = path.join(tmpdir(), `facet-playground-restart-${process.pid}`);
  /** Requests for each stored image, by key (the path under /images/). */
  const imageFetches = new Map<string, number>();

  const start = async () =>
    startFacet(
      loadConfig({
        PORT: String(port),
        DATABASE_URL: test.url,
        FACET_DATA_DIR: dataDir,
        GEMINI_API_KEY: 'test-key',
        GEMINI_BASE_URL: gemini.url,
        LOG_LEVEL: 'silent',
      }),
      silentLogger,
    );

  beforeAll(async () => {
    await mkdir(screenshots, { recursive: true });
    test = await createTestDatabase('playground_restart');
    gemini = await startFakeGemini();
    port = await freePort();
    facet = await start();
    browser = await chromium.launch(chromiumOptions);
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('request', (request) => {
      const { pathname } = new URL(request.url());
      if (pathname.startsWith('/images/')) imageFetches.set(pathname, (imageFetches.get(pathname) ?? 0) + 1);
    });
  });

  afterAll(async () => {
    await browser.close();
    await facet?.close();
    await gemini.close();
    await test.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const card = () => page.getByTestId('card').last();

  it('reaches the front view after a restart without a reload, and says what failed while Facet was away', async () => {
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.getByTestId('user-switcher').selectOption('ben');
    // The stopping Facet finishes the running front view (8 s) after the page has lost its stream.
    gemini.setLatency(8_000);
    await page.getByTestId('message-box').fill('/design a walnut desk lamp');
    await page.getByTestId('message-box').press('Enter');
    await expect.poll(() => card().getByTestId('card-status').textContent()).toContain('Generating');

    const stopped = facet!.close();
    facet = undefined;
    await expect.poll(() => page.getByTestId('connection').isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await page.getByTestId('connection').textContent()).toBe('reconnecting…');
    await stopped;
    expect(await card().getByTestId('card-status').textContent()).toContain('Generating');

    // A click and a command while Facet is away: errors on the page, and the command is kept.
    await card().getByRole('button', { name: 'Cancel' }).click();
    await expect
      .poll(() => page.getByTestId('request-error').last().textContent(), { timeout: 10_000 })
      .toContain('Facet is not answering');
    // Counted from here: while Facet is away the page's own refreshes may fail too, each with its error.
    const errorsBefore = await page.getByTestId('request-error').count();
    await page.getByTestId('message-box').fill('/design credits');
    await page.getByTestId('message-box').press('Enter');
    await expect
      .poll(() => page.getByTestId('request-error').count(), { timeout: 10_000 })
      .toBeGreaterThan(errorsBefore);
    // The command's own failure puts what was typed back before its error is shown.
    await expect
      .poll(() => page.getByTestId('message-box').inputValue(), { timeout: 10_000 })
      .toBe('/design credits');
    expect(await page.getByTestId('request-error').last().textContent()).toContain('Facet is not answering');
    await page.screenshot({ path: path.join(screenshots, 'restart-1-away.png') });

    gemini.setLatency(2_500);
    facet = await start();
    await card().getByTestId('card-image').waitFor({ timeout: 15_000 });
    expect(await card().getByTestId('card-status').textContent()).toContain('Iteration 1 is ready');
    expect(await page.getByTestId('connection').isHidden()).toBe(true);
    await expect.poll(() => inView(page, card().getByRole('button', { name: /^Approve/ }))).toBe(true);
    await page.screenshot({ path: path.join(screenshots, 'restart-2-back.png') });
  });

  it('fetches each image at most twice while the card and thread update through the views phase', async () => {
    imageFetches.clear();
    await card()
      .getByRole('button', { name: /^Approve/ })
      .click();
    await page.getByTestId('confirm-ok').click();
    // 2.5 s per view: the card and thread are sent again every second while the views are drawn.
    await expect.poll(() => card().getAttribute('data-tone'), { timeout: 30_000 }).toBe('done');
    // The two sheets come from a job after completion (rendering them takes a while under load).
    await expect.poll(() => page.getByTestId('thread-image').count(), { timeout: 30_000 }).toBe(7);
    const fetches = [...imageFetches.entries()];
    expect(fetches.length).toBeGreaterThanOrEqual(5);
    expect(fetches.filter(([, count]) => count > 2)).toEqual([]);
    await page.screenshot({ path: path.join(screenshots, 'restart-3-views.png') });
  });

  it('fits a phone: compact header, balance in view, no sideways scroll, no thread over the channel', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    try {
      await phone.goto(`http://127.0.0.1:${port}/`);
      await phone.waitForSelector('body[data-ready="true"]');
      await phone.getByTestId('user-switcher').selectOption('ben');
      await expect.poll(() => phone.getByTestId('balance').textContent()).toContain('credits available');
      await phone.screenshot({ path: path.join(screenshots, 'phone-1-channel.png') });
      // No DOM types in the tests: the page answers expressions.
      const layout = await phone.evaluate<{ scrollWidth: number; header: number }>(
        "({ scrollWidth: document.scrollingElement.scrollWidth, header: document.querySelector('header').getBoundingClientRect().height })",
      );
      expect(layout.scrollWidth).toBeLessThanOrEqual(390);
      expect(layout.header).toBeLessThanOrEqual(80);
      const balance = await phone.getByTestId('balance').boundingBox();
      expect(balance).not.toBeNull();
      expect(balance!.x).toBeGreaterThanOrEqual(0);
      expect(balance!.x + balance!.width).toBeLessThanOrEqual(390);
      expect(balance!.y + balance!.height).toBeLessThanOrEqual(844);
      // Ben's design has a thread; on a phone it opens when asked for, over the channel, and closes.
      expect(await phone.getByTestId('thread').isHidden()).toBe(true);
      await phone
        .getByRole('button', { name: /View thread/ })
        .last()
        .click();
      expect(await phone.getByTestId('thread').isVisible()).toBe(true);
      await phone.screenshot({ path: path.join(screenshots, 'phone-2-thread.png') });
      expect(await phone.evaluate<number>('document.scrollingElement.scrollWidth')).toBeLessThanOrEqual(390);
      await phone.getByRole('button', { name: 'Close thread' }).click();
      expect(await phone.getByTestId('thread').isHidden()).toBe(true);
      // "For you" stays out of the channel's way until asked for; then it covers it, in the width.
      await phone.getByTestId('message-box').fill('/design a linen lampshade');
      await phone.getByTestId('message-box').press('Enter');
      await expect
        .poll(() => phone.getByTestId('open-home').textContent(), { timeout: 20_000 })
        .toBe('For you (1 waiting)');
      expect(await phone.getByTestId('home').isHidden()).toBe(true);
      await phone.getByTestId('open-home').click();
      expect(await phone.getByTestId('home').isVisible()).toBe(true);
      const approve = phone.getByTestId('home-waiting-item').getByRole('button', { name: /^Approve/ });
      for (const box of [await phone.getByTestId('home').boundingBox(), await approve.boundingBox()]) {
        expect(box!.x).toBeGreaterThanOrEqual(0);
        expect(box!.x + box!.width).toBeLessThanOrEqual(390);
      }
      expect(await phone.evaluate<number>('document.scrollingElement.scrollWidth')).toBeLessThanOrEqual(390);
      await phone.screenshot({ path: path.join(screenshots, 'phone-3-for-you.png') });
      await phone.getByRole('button', { name: 'Close For you' }).click();
      expect(await phone.getByTestId('home').isHidden()).toBe(true);
    } finally {
      await phone.close();
    }
  });
});
