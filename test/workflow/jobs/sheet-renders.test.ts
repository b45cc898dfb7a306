import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderSpecSheetPdf, renderSpecSheetPng, type SpecSheet } from '../../../src/spec-sheet/index.ts';
import { renderContactSheet } from '../../../src/workflow/contact-sheet.ts';
import { SheetRenderThread } from '../../../src/workflow/design-jobs/sheet-renders.ts';
import { shrinkForSheets } from '../../../src/workflow/design-jobs/sheet-views.ts';
import { viewNames } from '../../../src/workflow/views.ts';
import { kettlePrompt, kettleSheet, offlineViews } from '../../spec-sheet/spec-sheet-fixture.ts';

/** The event loop's busy time while `work` runs, in ms. */
async function loopBusyMs(work: () => Promise<unknown>): Promise<number> {
  const before = performance.eventLoopUtilization();
  await work();
  return performance.eventLoopUtilization(before).active;
}

describe('the sheet render thread', () => {
  const thread = new SheetRenderThread();
  let sheet: SpecSheet;
  beforeAll(async () => {
    sheet = kettleSheet(await offlineViews(kettlePrompt));
  });
  afterAll(() => thread.close());

  it('draws the same bytes as the renderers it runs', async () => {
    const front = sheet.views.front!;
    expect((await thread.shrink(front)).equals(await shrinkForSheets(front))).toBe(true);
    const views = viewNames.map((view) => ({ view, png: sheet.views[view]! }));
    const options = { title: sheet.prompt };
    expect((await thread.contactSheet(views, options)).equals(await renderContactSheet(views, options))).toBe(
      true,
    );
    expect((await thread.specSheetPng(sheet)).equals(await renderSpecSheetPng(sheet))).toBe(true);
    // A PDF carries its creation time: its size and header are compared.
    const pdf = await thread.specSheetPdf(sheet);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(Math.abs(pdf.length - (await renderSpecSheetPdf(sheet)).length)).toBeLessThan(64);
  });

  it('draws from the views it shrank, also once it has forgotten them or was started again', async () => {
    const shrunk = await Promise.all(viewNames.map((view) => thread.shrink(sheet.views[view]!)));
    const views = viewNames.map((view, i) => ({ view, png: shrunk[i]! }));
    const expected = await renderContactSheet(views, { title: 'kept' });
    expect((await thread.contactSheet(views, { title: 'kept' })).equals(expected)).toBe(true);
    // Many more shrunk since (other jobs): the thread no longer keeps these, and is sent their bytes.
    for (let i = 0; i < 20; i++) await thread.shrink(sheet.views.back!);
    expect((await thread.contactSheet(views, { title: 'kept' })).equals(expected)).toBe(true);
    // A new thread keeps other views under the same numbers: the old views go as bytes, never by number.
    await thread.close();
    for (let i = 0; i < 5; i++) await thread.shrink(sheet.views.top!);
    expect((await thread.contactSheet(views, { title: 'kept' })).equals(expected)).toBe(true);
    const png = await thread.specSheetPng({
      ...sheet,
      views: Object.fromEntries(views.map((v) => [v.view, v.png])),
    });
    expect(
      png.equals(
        await renderSpecSheetPng({ ...sheet, views: Object.fromEntries(views.map((v) => [v.view, v.png])) }),
      ),
    ).toBe(true);
  });

  it('keeps the event loop free while it draws', async () => {
    await thread.specSheetPdf(sheet);
    const here = await loopBusyMs(async () => {
      for (let i = 0; i < 4; i++) await renderSpecSheetPdf(sheet);
    });
    const there = await loopBusyMs(async () => {
      for (let i = 0; i < 4; i++) await thread.specSheetPdf(sheet);
    });
    // Drawn here, pdf-lib and sharp's calls hold this loop; drawn there, only the bytes' hand-over does.
    expect(there).toBeLessThan(here / 2);
  });

  it('fails a render of bytes that are not an image with the renderer’s error, and draws the next', async () => {
    await expect(thread.shrink(Buffer.from('not an image'))).rejects.toThrow(/unsupported image format/i);
    const { width } = await sharp(await thread.shrink(sheet.views.front!)).metadata();
    expect(width).toBeGreaterThan(0);
  });

  it('fails the renders of a thread that stopped, and starts a new one for the next', async () => {
    const waiting = thread.specSheetPng(sheet);
    await thread.close();
    await expect(waiting).rejects.toThrow(/sheet render thread stopped/);
    expect((await thread.shrink(sheet.views.front!)).length).toBeGreaterThan(0);
  });

  it('does not keep a finished process alive', async () => {
    // A process whose last render is done exits by itself, as a job worker that was told to stop must.
    const tsx = createRequire(import.meta.url).resolve('tsx');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', tsx, fileURLToPath(new URL('../fixtures/render-once.ts', import.meta.url))],
      { timeout: 30_000 },
    );
    expect(stdout.trim()).toBe('shrunk 32');
  });
});
