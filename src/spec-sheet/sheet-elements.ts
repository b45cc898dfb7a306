import type { ViewName } from '../workflow/views.ts';
import type { FontWeight } from './font-metrics.ts';

/** Text placed by its left end and baseline, in points from the page's top-left corner. */
export type SheetText = {
  kind: 'text';
  x: number;
  y: number;
  size: number;
  weight: FontWeight;
  colour: string;
  text: string;
  /** The width it was fitted to; its measured width never exceeds it. */
  maxWidth: number;
};

export type SheetBox = {
  kind: 'box';
  x: number;
  y: number;
  width: number;
  height: number;
  fill: string;
  stroke?: string | undefined;
};

/** Where a view's image goes: a square, the image fitted inside it. */
export type SheetViewSlot = { kind: 'view'; view: ViewName; x: number; y: number; size: number };

export type SheetElement = SheetText | SheetBox | SheetViewSlot;

export type SpecSheetLayout = { width: number; height: number; elements: SheetElement[] };
