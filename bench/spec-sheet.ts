/*
 * npm run bench:spec-sheet: the CPU and wall time of one spec sheet as PDF and as PNG, rendered from the
 * offline renderer's five 1024 px views, and the size of each. Averages over BENCH_RENDERS (10) after a
 * warm-up. CPU time is the whole process's (libvips works on its own threads), so it is what a worker pays.
 * Prints one JSON line.
 */
import { renderSpecSheetPdf, renderSpecSheetPng, type SpecSheet } from '../src/spec-sheet/index.ts';
import { kettlePrompt, kettleSheet, offlineViews } from '../test/spec-sheet/spec-sheet-fixture.ts';

const renders = Number(process.env.BENCH_RENDERS ?? 10);
const sheet = kettleSheet(await offlineViews(kettlePrompt));

async function measure(render: (sheet: SpecSheet) => Promise<Buffer>) {
  for (let i = 0; i < 2; i++) await render(sheet);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let bytes = 0;
  for (let i = 0; i < renders; i++) bytes = (await render(sheet)).length;
  const cpu = process.cpuUsage(cpuBefore);
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    cpuMs: round((cpu.user + cpu.system) / 1000 / renders),
    wallMs: round((performance.now() - started) / renders),
    bytes,
  };
}

const pdf = await measure(renderSpecSheetPdf);
const png = await measure(renderSpecSheetPng);
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
  }),
);
