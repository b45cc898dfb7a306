import type { SpecSheet } from '../../spec-sheet/index.ts';
import type { ContactSheetOptions } from '../contact-sheet.ts';
import type { ViewName } from '../views.ts';

/**
 * An image as its bytes, or one the thread kept: the views it shrank stay there (by number), so the three
 * sheets drawn from them do not copy megabytes into the thread each time.
 */
export type SheetImage = Uint8Array | { kept: number };

/** What the sheet render thread is asked for; each request carries an id its answer repeats. */
export type SheetRenderRequest = { id: number } & (
  | { kind: 'shrink'; image: Uint8Array }
  | { kind: 'contactSheet'; views: { view: ViewName; png: SheetImage }[]; options: ContactSheetOptions }
  | {
      kind: 'specSheetPng' | 'specSheetPdf';
      sheet: Omit<SpecSheet, 'views'> & { views: Partial<Record<ViewName, SheetImage>> };
    }
);

/**
 * The image drawn (`kept`: its number, for a shrunk view), or why not (an Error does not cross threads
 * whole; its name and message do). `forgotten`: a kept image the thread no longer has; sent again as bytes.
 */
export type SheetRenderAnswer =
  | { id: number; ok: true; image: Uint8Array; kept?: number }
  | { id: number; ok: false; name: string; message: string; forgotten?: boolean };
