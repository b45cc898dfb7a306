import type { SheetText } from './sheet-elements.ts';
import { fitLine, type TextStyle } from './wrap-text.ts';

/** One line of text at a baseline, cut with an ellipsis to `maxWidth`. */
export function placeText(
  x: number,
  y: number,
  style: TextStyle,
  colour: string,
  words: string,
  maxWidth: number,
): SheetText {
  return {
    kind: 'text',
    x,
    y,
    size: style.size,
    weight: style.weight,
    colour,
    text: fitLine(words, maxWidth, style),
    maxWidth,
  };
}
