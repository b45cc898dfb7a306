import { specSheetPage } from './sheet-style.ts';
import { viewGrid } from './views-layout.ts';

/** Wide enough to read the smallest text when a chat client shows the PNG full screen. */
export const specSheetPngWidth = 2000;

/** Image pixels per point in the PDF: 2.4 is about 170 dpi, sharp on paper and on a screen at 200 %. */
export const pdfPixelsPerPoint = 2.4;

/**
 * The most pixels either spec sheet draws a view across (the front's tile, in the PDF): a view shrunk to
 * this square first loses nothing on either sheet.
 */
export const specSheetViewPixels = Math.ceil(
  viewGrid.slots.front.size * Math.max(pdfPixelsPerPoint, specSheetPngWidth / specSheetPage.width),
);
