import type { TextStyle } from './wrap-text.ts';

/** A4 landscape in PDF points: five views beside a column of text read better wide than tall. */
export const specSheetPage = { width: 841.89, height: 595.28, margin: 28 } as const;

export const sheetColours = {
  ink: '#18181b',
  muted: '#71717a',
  heading: '#52525b',
  rule: '#d4d4d8',
  tile: '#f4f4f5',
  background: '#ffffff',
} as const;

/** Sizes in points; 8.5 pt body text is print-normal and still 20 px tall in the 2000 px PNG. */
export const textStyles = {
  title: { size: 18, weight: 'bold' },
  subtitle: { size: 9.5, weight: 'regular' },
  heading: { size: 8, weight: 'bold' },
  body: { size: 8.5, weight: 'regular' },
  label: { size: 7.5, weight: 'bold' },
  swatchName: { size: 8.5, weight: 'bold' },
  detail: { size: 7.5, weight: 'regular' },
  footer: { size: 7, weight: 'regular' },
} as const satisfies Record<string, TextStyle>;

export const lineHeight = 11;

const { width, height, margin } = specSheetPage;
const footerRuleY = height - margin - 16;

/** The page's bands: the header, the body both columns share, and the footer. */
export const sheetBands = {
  left: margin,
  right: width - margin,
  headerRuleY: margin + 43,
  bodyTop: 84,
  /** The last baseline any body text may use. */
  bodyBottom: footerRuleY - 8,
  footerRuleY,
} as const;
