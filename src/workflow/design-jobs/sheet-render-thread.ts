/*
 * The sheet render thread (started by sheet-renders.ts through sheet-render-boot.js): sharp's calls, the
 * SVG and PDF building and the garbage of megabyte images happen here, not on the job worker's event loop
 * (bench:spec-sheet: sheetJobLoopMs against sheetJobOnThreadLoopMs).
 */
import { parentPort } from 'node:worker_threads';
import { renderSpecSheetPdf, renderSpecSheetPng, type SpecSheet } from '../../spec-sheet/index.ts';
import { renderContactSheet } from '../contact-sheet.ts';
import type { SheetImage, SheetRenderAnswer, SheetRenderRequest } from './sheet-render-messages.ts';
import { shrinkForSheets } from './sheet-views.ts';

/** Shrunk views kept for the sheets drawn from them: three jobs' worth (~1.3 MB each; two run at a time). */
const maxKept = 15;
const kept = new Map<number, Buffer>();
let lastKept = 0;

class Forgotten extends Error {}

// Buffers arrive as plain Uint8Arrays (structured clone drops the subclass); the same memory, re-wrapped.
function bufferOf(image: SheetImage): Buffer {
  if (image instanceof Uint8Array) return Buffer.from(image.buffer, image.byteOffset, image.byteLength);
  const found = kept.get(image.kept);
  if (!found) throw new Forgotten(`shrunk view ${String(image.kept)} is no longer kept`);
  return found;
}

function keep(image: Buffer): number {
  kept.set(++lastKept, image);
  for (const number of kept.keys()) {
    if (kept.size <= maxKept) break;
    kept.delete(number);
  }
  return lastKept;
}

async function answer(request: SheetRenderRequest): Promise<{ image: Buffer; kept?: number }> {
  switch (request.kind) {
    case 'shrink': {
      const image = await shrinkForSheets(bufferOf(request.image));
      return { image, kept: keep(image) };
    }
    case 'contactSheet': {
      const views = request.views.map(({ view, png }) => ({ view, png: bufferOf(png) }));
      return { image: await renderContactSheet(views, request.options) };
    }
    case 'specSheetPng':
    case 'specSheetPdf': {
      const views: SpecSheet['views'] = {};
      for (const [view, image] of Object.entries(request.sheet.views) as [
        keyof SpecSheet['views'],
        SheetImage,
      ][])
        views[view] = bufferOf(image);
      const sheet = { ...request.sheet, views };
      const render = request.kind === 'specSheetPng' ? renderSpecSheetPng : renderSpecSheetPdf;
      return { image: await render(sheet) };
    }
  }
}

const port = parentPort;
if (!port) throw new Error('sheet-render-thread.ts runs as a worker thread (sheet-renders.ts starts it)');
port.on('message', (request: SheetRenderRequest) => {
  answer(request).then(
    ({ image, kept: number }) => {
      // A sheet is moved, not copied, when it has its memory to itself; a kept view is copied.
      const memory = image.buffer;
      const movable =
        number === undefined &&
        memory instanceof ArrayBuffer &&
        image.byteOffset === 0 &&
        image.byteLength === memory.byteLength;
      const message: SheetRenderAnswer = {
        id: request.id,
        ok: true,
        image,
        ...(number ? { kept: number } : {}),
      };
      port.postMessage(message, movable ? [memory] : []);
    },
    (error: unknown) => {
      const { name, message } = error instanceof Error ? error : new Error(String(error));
      const forgotten = error instanceof Forgotten;
      port.postMessage({ id: request.id, ok: false, name, message, forgotten } satisfies SheetRenderAnswer);
    },
  );
});
