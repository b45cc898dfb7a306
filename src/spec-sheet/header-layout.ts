import { placeText } from './place-text.ts';
import type { SheetElement } from './sheet-elements.ts';
import { sheetBands, sheetColours, textStyles } from './sheet-style.ts';
import type { SpecSheet } from './spec-sheet.ts';
import { formatCredits } from './spec-sheet-facts.ts';
import { toWinAnsi } from './win-ansi-text.ts';
import { fitLine } from './wrap-text.ts';

/** The title, and under it at a glance who approved it and what it cost (a chat thumbnail shows this). */
export function layoutHeader(sheet: SpecSheet): SheetElement[] {
  const { left, right, headerRuleY } = sheetBands;
  const width = right - left;
  const title = toWinAnsi(sheet.title) || 'Untitled design';
  // The name alone is fitted first, so that a long one cannot push the cost off the line.
  const approver = sheet.approval
    ? `Approved by ${fitLine(toWinAnsi(sheet.approval.approvedBy) || 'someone', width / 2, textStyles.subtitle)}`
    : 'Not approved';
  const iterations = sheet.iterations.length === 1 ? '1 iteration' : `${sheet.iterations.length} iterations`;
  const subtitle = [approver, formatCredits(sheet.costCredits), iterations].join('  \u00b7  ');
  return [
    placeText(left, left + 16, textStyles.title, sheetColours.ink, title, width),
    placeText(left, left + 33, textStyles.subtitle, sheetColours.muted, subtitle, width),
    { kind: 'box', x: left, y: headerRuleY, width, height: 0.75, fill: sheetColours.rule },
  ];
}

export function layoutFooter(): SheetElement[] {
  const { left, right, footerRuleY } = sheetBands;
  const width = right - left;
  return [
    { kind: 'box', x: left, y: footerRuleY, width, height: 0.75, fill: sheetColours.rule },
    placeText(
      left,
      footerRuleY + 11,
      textStyles.footer,
      sheetColours.muted,
      'Made with Facet. Views, colours, materials and dimensions are AI-generated estimates; check them before production.',
      width,
    ),
  ];
}
