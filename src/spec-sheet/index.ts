export type { SpecSheet, SpecSheetIteration } from './spec-sheet.ts';
export { renderSpecSheetPdf } from './render-spec-sheet-pdf.ts';
export { renderSpecSheetPng } from './render-spec-sheet-png.ts';
export { specSheetPngWidth, specSheetViewPixels } from './view-pixels.ts';
export { layoutSpecSheet } from './spec-sheet-layout.ts';
export { specSheetPage } from './sheet-style.ts';
export type { SpecSheetLayout, SheetElement } from './sheet-elements.ts';
