/*
 * npm run bench:spec-sheet: the CPU and wall time of one spec sheet as PDF and as PNG, and of one contact
 * sheet, rendered from the offline renderer's five 1024 px views, and the size of each; then the two a
 * completed design's sheet job makes, the contact sheet and the spec sheet's PNG (sheetJobCpuMs: each view
 * read and shrunk once, then the two renders), against the two from the model's views
 * (sheetsFromViewsCpuMs); and the PDF as the design page draws it on its first download, in the sheet
 * process (pdfOnFirstDownloadCpuMs). Averages over BENCH_RENDERS
 * (10) after a warm-up. CPU time is the whole process's (libvips works on its own threads) and its sheet
 * process's, so it is what a worker pays; loopMs is the part on the event loop. Prints one JSON line.
 */
import { renderSpecSheetPdf, renderSpecSheetPng, type SpecSheet } from '../src/spec-sheet/index.ts';
import { renderContactSheet } from '../src/workflow/contact-sheet.ts';
import { sheetRenders, type SheetRenders } from '../src/workflow/design-jobs/sheet-renders.ts';
import { shrinkForSheets } from '../src/workflow/design-jobs/sheet-views.ts';
import { productFeaturesSchema } from '../src/workflow/product-features.ts';
import { viewNames } from '../src/workflow/views.ts';
import { childProcesses } from '../test/helpers/child-processes.ts';
import { processesCpuMs } from './design-figures.ts';
import { kettlePrompt, kettleSheet, offlineViews } from '../test/spec-sheet/spec-sheet-fixture.ts';

const renders = Number(process.env.BENCH_RENDERS ?? 10);
const sheet = kettleSheet(await offlineViews(kettlePrompt));
const round = (value: number) => Math.round(value * 10) / 10;

/** CPU used by this process's children so far (the sheet process), in ms. */
async function childrenCpuMs(): Promise<number> {
  const children = (await childProcesses(process.pid)).map(({ pid }) => pid);
  return [...(await processesCpuMs(children)).values()].reduce((sum, ms) => sum + ms, 0);
}

async function measure(render: (sheet: SpecSheet) => Promise<Buffer>) {
  for (let i = 0; i < 2; i++) await render(sheet);
  const childrenBefore = await childrenCpuMs();
  const cpuBefore = process.cpuUsage();
  const loopBefore = performance.eventLoopUtilization();
  const started = performance.now();
  let bytes = 0;
  for (let i = 0; i < renders; i++) bytes = (await render(sheet)).length;
  const cpu = process.cpuUsage(cpuBefore);
  const loop = performance.eventLoopUtilization(loopBefore);
  const childrenMs = (await childrenCpuMs()) - childrenBefore;
  return {
    cpuMs: round(((cpu.user + cpu.system) / 1000 + childrenMs) / renders),
    // What the render holds the event loop for (the rest runs on libvips' threads): what it delays a card by.
    loopMs: round(loop.active / renders),
    wallMs: round((performance.now() - started) / renders),
    bytes,
  };
}

const contactSheet = (of: SpecSheet) =>
  renderContactSheet(
    viewNames.flatMap((view) => {
      const png = of.views[view];
      return png === undefined ? [] : [{ view, png }];
    }),
    { title: of.prompt, features: productFeaturesSchema.parse(of.features) },
  );

/** The renderers in this process, as the sheet job called them before its sheet thread and process. */
const here: SheetRenders = {
  keep: shrinkForSheets,
  contactSheet: renderContactSheet,
  specSheetPng: renderSpecSheetPng,
  specSheetPdf: renderSpecSheetPdf,
};

/** The sheet job's two sheets; with `shrink`, from views shrunk once first, as the job draws them. */
const allSheets = (shrink: boolean, renders: SheetRenders) => async (of: SpecSheet) => {
  const views: SpecSheet['views'] = {};
  await Promise.all(
    viewNames.map(async (view) => {
      const png = of.views[view];
      if (png !== undefined) views[view] = shrink ? await renders.keep(png) : png;
    }),
  );
  const drawn = { ...of, views };
  const viewList = viewNames.flatMap((view) => {
    const png = views[view];
    return png === undefined ? [] : [{ view, png }];
  });
  const options = { title: drawn.prompt, features: productFeaturesSchema.parse(drawn.features) };
  const sizes = [
    (await renders.contactSheet(viewList, options)).length,
    (await renders.specSheetPng(drawn)).length,
  ];
  return Buffer.alloc(sizes.reduce((sum, size) => sum + size, 0));
};

const pdf = await measure(renderSpecSheetPdf);
const png = await measure(renderSpecSheetPng);
const contact = await measure(contactSheet);
const fromViews = await measure(allSheets(false, here));
const job = await measure(allSheets(true, here));
// As the sheet job draws them now: in the sheet process (sheet-renders.ts).
const inSheetProcess = await measure(allSheets(true, sheetRenders));
// As the design page draws the PDF on its first download: from the views as read from the store (copies,
// which the sheet process has not kept), in the sheet process.
const pdfOnRequest = await measure((of) => {
  const views: SpecSheet['views'] = {};
  for (const view of viewNames) {
    const png = of.views[view];
    if (png !== undefined) views[view] = Buffer.from(png);
  }
  return sheetRenders.specSheetPdf({ ...of, views });
});
await sheetRenders.close();
console.log(
  JSON.stringify({
    bench: 'spec-sheet',
    renders,
    pdfCpuMs: pdf.cpuMs,
    pdfWallMs: pdf.wallMs,
    pdfBytes: pdf.bytes,
    pngCpuMs: png.cpuMs,
    pngWallMs: png.wallMs,
    pngBytes: png.bytes,
    contactSheetCpuMs: contact.cpuMs,
    contactSheetWallMs: contact.wallMs,
    contactSheetBytes: contact.bytes,
    sheetsFromViewsCpuMs: fromViews.cpuMs,
    sheetJobCpuMs: job.cpuMs,
    sheetJobWallMs: job.wallMs,
    sheetJobLoopMs: job.loopMs,
    sheetJobInSheetProcessCpuMs: inSheetProcess.cpuMs,
    sheetJobInSheetProcessWallMs: inSheetProcess.wallMs,
    sheetJobInSheetProcessLoopMs: inSheetProcess.loopMs,
    pdfOnFirstDownloadCpuMs: pdfOnRequest.cpuMs,
    pdfOnFirstDownloadWallMs: pdfOnRequest.wallMs,
    pdfOnFirstDownloadLoopMs: pdfOnRequest.loopMs,
    loopMs: { pdf: pdf.loopMs, png: png.loopMs, contactSheet: contact.loopMs },
  }),
);
