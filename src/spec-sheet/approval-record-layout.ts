import { placeText } from './place-text.ts';
import type { SheetElement } from './sheet-elements.ts';
import { lineHeight, sheetColours, textStyles } from './sheet-style.ts';
import type { SpecSheet } from './spec-sheet.ts';
import { formatCredits, formatMoment } from './spec-sheet-facts.ts';
import { toWinAnsi } from './win-ansi-text.ts';

const padding = 8;
const labelWidth = 70;

/** Height of the record box: a row per fact and its padding. */
export const approvalRecordHeight = 5 * lineHeight + 2 * padding;

/**
 * The record a manager signs off with, like a drawing's title block: who approved, when, what it cost,
 * which design and when the sheet was made. Anchored at the bottom of the text column.
 */
export function layoutApprovalRecord(
  sheet: SpecSheet,
  box: { left: number; right: number; bottom: number },
): SheetElement[] {
  const width = box.right - box.left;
  const top = box.bottom - approvalRecordHeight;
  const iterations = sheet.iterations.length === 1 ? '1 iteration' : `${sheet.iterations.length} iterations`;
  const rows: [string, string][] = [
    ['APPROVED BY', sheet.approval ? toWinAnsi(sheet.approval.approvedBy) || 'someone' : 'Not approved'],
    ['APPROVED AT', sheet.approval ? formatMoment(sheet.approval.approvedAt) : '-'],
    ['COST', `${formatCredits(sheet.costCredits)} over ${iterations}`],
    ['DESIGN', toWinAnsi(sheet.designId) || '-'],
    ['DATE', formatMoment(sheet.date)],
  ];
  const valueLeft = box.left + padding + labelWidth;
  const valueWidth = box.right - padding - valueLeft;
  return [
    { kind: 'box', x: box.left, y: top, width, height: approvalRecordHeight, fill: sheetColours.tile },
    ...rows.flatMap(([label, value], index) => {
      const baseline = top + padding + 8 + index * lineHeight;
      return [
        placeText(
          box.left + padding,
          baseline,
          textStyles.label,
          sheetColours.heading,
          label,
          labelWidth - 4,
        ),
        placeText(valueLeft, baseline, textStyles.body, sheetColours.ink, value, valueWidth),
      ];
    }),
  ];
}
