import type { SpecSheet } from '../../spec-sheet/index.ts';
import type { ContactSheetOptions } from '../contact-sheet.ts';
import type { ViewName } from '../views.ts';

/**
 * A view as its bytes, or one the sheet process kept: the views it was given stay there shrunk (by number),
 * so the sheets drawn from them do not copy megabytes across each time.
 */
export type SheetImage = Uint8Array | { kept: number };

/** What the sheet render process is asked for; each request carries an id its answer repeats. */
export type SheetRenderRequest = { id: number } & (
  | { kind: 'keep'; image: Uint8Array }
  | { kind: 'contactSheet'; views: { view: ViewName; png: SheetImage }[]; options: ContactSheetOptions }
  | {
      kind: 'specSheetPng' | 'specSheetPdf';
      sheet: Omit<SpecSheet, 'views'> & { views: Partial<Record<ViewName, SheetImage>> };
    }
);

/**
 * The number a kept view goes by, the sheet drawn, or why not (an Error does not cross processes whole; its
 * name and message do). `forgotten`: a kept view the process no longer has; sent again as bytes.
 */
export type SheetRenderAnswer =
  | { id: number; ok: true; kept: number }
  | { id: number; ok: true; image: Uint8Array }
  | { id: number; ok: false; name: string; message: string; forgotten?: boolean };
