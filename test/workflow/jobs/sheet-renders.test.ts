import { execFile, spawn } from 'node:child_process';
import { access, readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderSpecSheetPdf, renderSpecSheetPng, type SpecSheet } from '../../../src/spec-sheet/index.ts';
import { renderContactSheet } from '../../../src/workflow/contact-sheet.ts';
import { SheetRenderProcess } from '../../../src/workflow/design-jobs/sheet-renders.ts';
import { shrinkForSheets } from '../../../src/workflow/design-jobs/sheet-views.ts';
import { viewNames } from '../../../src/workflow/views.ts';
import { childProcesses } from '../../helpers/child-processes.ts';
import { kettlePrompt, kettleSheet, offlineViews } from '../../spec-sheet/spec-sheet-fixture.ts';

/** The event loop's busy time while `work` runs, in ms. */
async function loopBusyMs(work: () => Promise<unknown>): Promise<number> {
  const before = performance.eventLoopUtilization();
  await work();
  return performance.eventLoopUtilization(before).active;
}

/** The sheet processes `parentPid` started. */
async function sheetProcesses(parentPid = process.pid): Promise<number[]> {
  return (await childProcesses(parentPid))
    .filter(({ commandLine }) => commandLine.some((arg) => arg.includes('sheet-render-process')))
    .map(({ pid }) => pid);
}

/** The niceness of each thread of process `pid`. */
async function threadNiceness(pid: number): Promise<number[]> {
  const threads = await readdir(`/proc/${pid}/task`);
  return Promise.all(
    threads.map(async (thread) => {
      const stat = await readFile(`/proc/${pid}/task/${thread}/stat`, 'utf8');
      // Fields after the command's closing parenthesis: state is the 3rd field, nice the 19th.
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    }),
  );
}

describe('the sheet render process', () => {
  const thread = new SheetRenderProcess();
  let sheet: SpecSheet;
  beforeAll(async () => {
    sheet = kettleSheet(await offlineViews(kettlePrompt));
  });
  afterAll(() => thread.close());

  it('draws the same bytes as the renderers it runs, from the views shrunk once', async () => {
    const shrunk = Object.fromEntries(
      await Promise.all(viewNames.map(async (view) => [view, await shrinkForSheets(sheet.views[view]!)])),
    ) as SpecSheet['views'];
    // Each view is handed over once; the sheets name it.
    for (const view of viewNames) expect(await thread.keep(sheet.views[view]!)).toBe(sheet.views[view]);
    const views = viewNames.map((view) => ({ view, png: sheet.views[view]! }));
    const options = { title: sheet.prompt };
    const expected = await renderContactSheet(
      viewNames.map((view) => ({ view, png: shrunk[view]! })),
      options,
    );
    expect((await thread.contactSheet(views, options)).equals(expected)).toBe(true);
    expect(
      (await thread.specSheetPng(sheet)).equals(await renderSpecSheetPng({ ...sheet, views: shrunk })),
    ).toBe(true);
    // A PDF carries its creation time: its size and header are compared.
    const pdf = await thread.specSheetPdf(sheet);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(
      Math.abs(pdf.length - (await renderSpecSheetPdf({ ...sheet, views: shrunk })).length),
    ).toBeLessThan(64);
  });

  it('draws from the views it kept, also once it has forgotten them or was started again', async () => {
    const kept = await Promise.all(viewNames.map((view) => thread.keep(sheet.views[view]!)));
    const views = viewNames.map((view, i) => ({ view, png: kept[i]! }));
    const expected = await renderContactSheet(
      await Promise.all(views.map(async ({ view, png }) => ({ view, png: await shrinkForSheets(png) }))),
      { title: 'kept' },
    );
    expect((await thread.contactSheet(views, { title: 'kept' })).equals(expected)).toBe(true);
    // Many more kept since (other jobs): the process no longer keeps these, and is sent their bytes.
    for (let i = 0; i < 20; i++) await thread.keep(Buffer.from(sheet.views.back!));
    expect((await thread.contactSheet(views, { title: 'kept' })).equals(expected)).toBe(true);
    // A new process keeps other views under the same numbers: the old views go as bytes, never by number.
    await thread.close();
    for (let i = 0; i < 5; i++) await thread.keep(Buffer.from(sheet.views.top!));
    expect((await thread.contactSheet(views, { title: 'kept' })).equals(expected)).toBe(true);
    const png = await thread.specSheetPng({
      ...sheet,
      views: Object.fromEntries(views.map((v) => [v.view, v.png])),
    });
    const shrunk = await Promise.all(
      views.map(async (v): Promise<[string, Buffer]> => [v.view, await shrinkForSheets(v.png)]),
    );
    expect(png.equals(await renderSpecSheetPng({ ...sheet, views: Object.fromEntries(shrunk) }))).toBe(true);
  });

  it('keeps the event loop free while it draws', async () => {
    // As a sheet job draws: its views handed over once first.
    for (const view of viewNames) await thread.keep(sheet.views[view]!);
    await thread.specSheetPdf(sheet);
    const here = await loopBusyMs(async () => {
      for (let i = 0; i < 4; i++) await renderSpecSheetPdf(sheet);
    });
    const there = await loopBusyMs(async () => {
      for (let i = 0; i < 4; i++) await thread.specSheetPdf(sheet);
    });
    // Drawn here, pdf-lib and sharp's calls hold this loop; drawn there, only the answer's arrival does.
    expect(there).toBeLessThan(here / 2);
  });

  it('fails a render of bytes that are not an image with the renderer’s error, and draws the next', async () => {
    await expect(thread.keep(Buffer.from('not an image'))).rejects.toThrow(/unsupported image format/i);
    const views = [{ view: 'front' as const, png: await thread.keep(sheet.views.front!) }];
    const { width } = await sharp(await thread.contactSheet(views, {})).metadata();
    expect(width).toBeGreaterThan(0);
  });

  it('fails the renders of a process that stopped, and starts a new one for the next', async () => {
    const waiting = thread.specSheetPng(sheet);
    await thread.close();
    await expect(waiting).rejects.toThrow(/sheet render process stopped/);
    const views = [{ view: 'front' as const, png: await thread.keep(sheet.views.front!) }];
    expect((await thread.contactSheet(views, {})).length).toBeGreaterThan(0);
  });

  it('draws at the lowest CPU priority, on every thread of its process', async () => {
    // This worker process may hold other files' sheet processes (test files share it): the one started here.
    await thread.close();
    const before = new Set(await sheetProcesses());
    await thread.specSheetPng(sheet);
    const [pid, ...others] = (await sheetProcesses()).filter((started) => !before.has(started));
    expect(others).toEqual([]);
    const niceness = await threadNiceness(pid!);
    // Node's own threads (V8's, libuv's that run sharp's work) as well as the main thread.
    expect(niceness.length).toBeGreaterThan(4);
    expect(new Set(niceness)).toEqual(new Set([19]));
  });

  it('stops once it has been idle a while, and a new one draws the next sheet', async () => {
    const idling = new SheetRenderProcess(300);
    const before = new Set(await sheetProcesses());
    const views = [{ view: 'front' as const, png: await idling.keep(sheet.views.front!) }];
    await idling.contactSheet(views, {});
    const [started] = (await sheetProcesses()).filter((pid) => !before.has(pid));
    expect(started).toBeGreaterThan(0);
    await expect
      .poll(async () => (await sheetProcesses()).includes(started!), { timeout: 10_000 })
      .toBe(false);
    // The view it kept went with it: sent again as bytes, to a new process.
    expect((await idling.contactSheet(views, {})).length).toBeGreaterThan(0);
    await idling.close();
  });

  it('stops when the process it draws for is killed', async () => {
    const tsx = createRequire(import.meta.url).resolve('tsx');
    const fixture = fileURLToPath(new URL('../fixtures/render-once.ts', import.meta.url));
    const parent = spawn(process.execPath, ['--import', tsx, fixture, '--stay'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => parent.stdout.once('data', () => resolve()));
    const [pid, ...others] = await sheetProcesses(parent.pid);
    expect(others).toEqual([]);
    const alive = () =>
      access(`/proc/${pid!}`).then(
        () => true,
        () => false,
      );
    expect(await alive()).toBe(true);
    parent.kill('SIGKILL');
    await expect.poll(alive, { timeout: 10_000 }).toBe(false);
  });

  it('does not keep a finished process alive, and closes without waiting forever', async () => {
    // A process whose last render is done exits by itself, as a job worker that was told to stop must.
    const tsx = createRequire(import.meta.url).resolve('tsx');
    const renderOnce = async (...flags: string[]) =>
      (
        await promisify(execFile)(
          process.execPath,
          ['--import', tsx, fileURLToPath(new URL('../fixtures/render-once.ts', import.meta.url)), ...flags],
          { timeout: 30_000 },
        )
      ).stdout.trim();
    expect(await renderOnce()).toBe('drawn 1632');
    // Closing an idle sheet process waits for its exit, which must keep the loop running until it comes.
    expect(await renderOnce('--close')).toBe('drawn 1632\nclosed');
  });
});
