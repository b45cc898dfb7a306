import { renderSpecSheetPdf, renderSpecSheetPng, type SpecSheet } from '../../spec-sheet/index.ts';
import { renderContactSheet } from '../contact-sheet.ts';
import type { SheetImage, SheetRenderAnswer, SheetRenderRequest } from './sheet-render-messages.ts';
import { shrinkForSheets } from './sheet-views.ts';

/** Shrunk views kept for the sheets drawn from them: three jobs' worth (~1.3 MB each; two run at a time). */
const maxKept = 15;

class Forgotten extends Error {}

/**
 * The sheet render process's side (sheet-render-process.ts): each view it is given is shrunk once and kept
 * under a number for the sheets drawn from it. A view sent as bytes is shrunk first too, so a sheet is the
 * same whether its views were kept or sent again.
 */
export function sheetRenderAnswers(): (request: SheetRenderRequest) => Promise<SheetRenderAnswer> {
  const kept = new Map<number, Buffer>();
  let lastKept = 0;

  // Buffers may arrive as plain Uint8Arrays; the same memory, re-wrapped.
  const bytesOf = (image: Uint8Array) => Buffer.from(image.buffer, image.byteOffset, image.byteLength);

  const shrunk = async (image: SheetImage): Promise<Buffer> => {
    if (image instanceof Uint8Array) return shrinkForSheets(bytesOf(image));
    const found = kept.get(image.kept);
    if (!found) throw new Forgotten(`view ${String(image.kept)} is no longer kept`);
    return found;
  };

  const keep = (image: Buffer): number => {
    kept.set(++lastKept, image);
    for (const number of kept.keys()) {
      if (kept.size <= maxKept) break;
      kept.delete(number);
    }
    return lastKept;
  };

  const specSheetOf = async (
    request: Extract<SheetRenderRequest, { kind: 'specSheetPng' | 'specSheetPdf' }>,
  ): Promise<SpecSheet> => {
    const views: SpecSheet['views'] = {};
    for (const [view, image] of Object.entries(request.sheet.views) as [
      keyof SpecSheet['views'],
      SheetImage,
    ][])
      views[view] = await shrunk(image);
    return { ...request.sheet, views };
  };

  const drawn = async (request: SheetRenderRequest): Promise<{ kept: number } | { image: Buffer }> => {
    switch (request.kind) {
      case 'keep':
        return { kept: keep(await shrinkForSheets(bytesOf(request.image))) };
      case 'contactSheet': {
        const views = await Promise.all(
          request.views.map(async ({ view, png }) => ({ view, png: await shrunk(png) })),
        );
        return { image: await renderContactSheet(views, request.options) };
      }
      case 'specSheetPng':
        return { image: await renderSpecSheetPng(await specSheetOf(request)) };
      case 'specSheetPdf':
        return { image: await renderSpecSheetPdf(await specSheetOf(request)) };
    }
  };

  return async (request) => {
    try {
      return { id: request.id, ok: true, ...(await drawn(request)) };
    } catch (error) {
      const { name, message } = error instanceof Error ? error : new Error(String(error));
      return { id: request.id, ok: false, name, message, forgotten: error instanceof Forgotten };
    }
  };
}
