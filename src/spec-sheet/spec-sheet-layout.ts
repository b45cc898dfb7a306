import { approvalRecordHeight, layoutApprovalRecord } from './approval-record-layout.ts';
import { layoutFeatures } from './features-layout.ts';
import { layoutFooter, layoutHeader } from './header-layout.ts';
import type { SheetElement, SpecSheetLayout } from './sheet-elements.ts';
import { sheetBands, sheetColours, specSheetPage, textStyles } from './sheet-style.ts';
import type { SpecSheet } from './spec-sheet.ts';
import { storySections } from './story-sections.ts';
import { flowSections } from './text-flow.ts';
import { layoutViews, viewGrid } from './views-layout.ts';

const columnGap = 24;

/**
 * Everything on the sheet, placed and fitted: text is made drawable in the standard fonts, wrapped and
 * cut with an ellipsis so that nothing crosses its column or the page, whatever the design holds.
 * Left: the views, then colours, dimensions and materials. Right: the prompt, the iterations, the
 * description and key elements, and the approval record at the bottom. Both renderers draw exactly this.
 */
export function layoutSpecSheet(sheet: SpecSheet): SpecSheetLayout {
  const { right, bodyTop, bodyBottom } = sheetBands;
  const textColumn = { left: viewGrid.right + columnGap, right };
  // The record box's bottom edge sits on the last baseline's descender line.
  const recordBottom = bodyBottom + 3;
  const elements: SheetElement[] = [
    ...layoutHeader(sheet),
    ...layoutViews(sheet.views),
    ...layoutFeatures(sheet.features, {
      left: sheetBands.left,
      top: viewGrid.bottom + 16,
      right: viewGrid.right,
      bottom: bodyBottom,
    }),
    ...flowSections(storySections(sheet), textColumn.left, textColumn.right - textColumn.left, {
      top: bodyTop,
      bottom: recordBottom - approvalRecordHeight - 12,
      headingStyle: textStyles.heading,
      bodyStyle: textStyles.body,
      colours: sheetColours,
    }),
    ...layoutApprovalRecord(sheet, { ...textColumn, bottom: recordBottom }),
    ...layoutFooter(),
  ];
  return { width: specSheetPage.width, height: specSheetPage.height, elements };
}
