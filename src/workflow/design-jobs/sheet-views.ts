import sharp from '../../sharp.ts';
import { specSheetViewPixels } from '../../spec-sheet/index.ts';
import { contactSheetLayout } from '../contact-sheet.ts';
import type { ImageStore } from '../ports/image-store.ts';
import type { SheetRenders } from './sheet-renders.ts';

/** The side of the square every sheet's tiles fit in: the largest tile any sheet draws. */
export const sheetViewPixels = Math.max(contactSheetLayout.tile, specSheetViewPixels);

const white = { r: 255, g: 255, b: 255 };

export type ViewReader = Pick<ImageStore, 'get'>;

/**
 * A sheet job's views: each read from the store once and shrunk once. The contact sheet and the spec
 * sheet's PNG draw ten tiles from five views; decoding the model's 1024 px PNG for each cost about a
 * quarter of a design's sheets when there were three (bench:spec-sheet). A failed read fails the same way
 * for every sheet. Kept and shrunk by `renders` (the sheet process, which runs shrinkForSheets below).
 */
export function sheetViews(images: ViewReader, renders: Pick<SheetRenders, 'keep'>): ViewReader {
  const read = new Map<string, Promise<Buffer>>();
  return {
    get(key) {
      let view = read.get(key);
      if (view === undefined) {
        view = images.get(key).then((image) => renders.keep(image));
        read.set(key, view);
      }
      return view;
    },
  };
}

/**
 * The view fitted inside a square of sheetViewPixels (never enlarged), flattened onto white, as a PNG without
 * compression: it is decoded once a sheet and never stored, so deflating it would only cost.
 */
export async function shrinkForSheets(image: Buffer): Promise<Buffer> {
  return (
    sharp(image)
      // Inside, not letterboxed: a view smaller than the square stays as it is (contain would pad it), and
      // each sheet letterboxes its tiles anyway.
      .resize(sheetViewPixels, sheetViewPixels, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: white })
      .removeAlpha()
      .png({ compressionLevel: 0 })
      .toBuffer()
  );
}
