import { textWidth, type FontWeight } from './font-metrics.ts';

export type TextStyle = { size: number; weight: FontWeight };

export const ellipsis = '\u2026';

/**
 * `text` broken into lines no wider than `maxWidth`, at most `maxLines` of them; when it does not fit,
 * the last line ends with an ellipsis. Breaks between words, and inside a word only when the word alone is
 * wider than a line (a URL, a run of CJK turned into one '?' run). Text must already be drawable
 * (see toWinAnsi) and on one line.
 */
export function wrapText(
  text: string,
  maxWidth: number,
  style: TextStyle,
  maxLines: number,
): { lines: string[]; truncated: boolean } {
  if (maxLines <= 0 || text === '') return { lines: [], truncated: text !== '' };
  const fits = (line: string) => textWidth(line, style.size, style.weight) <= maxWidth;
  const lines: string[] = [];
  let current = '';
  const words = text.split(' ').filter((word) => word !== '');
  for (let index = 0; index < words.length; index++) {
    const word = words[index] ?? '';
    const candidate = current === '' ? word : `${current} ${word}`;
    if (fits(candidate)) {
      current = candidate;
      continue;
    }
    if (current !== '') {
      lines.push(current);
      if (lines.length === maxLines) return { lines: withEllipsis(lines, maxWidth, style), truncated: true };
    }
    // A word wider than a line is split; its last piece starts the next line.
    let rest = word;
    while (!fits(rest)) {
      const head = longestFittingPrefix(rest, maxWidth, style);
      lines.push(head);
      rest = rest.slice(head.length);
      if (lines.length === maxLines) return { lines: withEllipsis(lines, maxWidth, style), truncated: true };
    }
    current = rest;
  }
  if (current !== '') {
    if (lines.length === maxLines) return { lines: withEllipsis(lines, maxWidth, style), truncated: true };
    lines.push(current);
  }
  return { lines, truncated: false };
}

/** `text` on one line of at most `maxWidth`, ending in an ellipsis when it had to be shortened. */
export function fitLine(text: string, maxWidth: number, style: TextStyle): string {
  return wrapText(text, maxWidth, style, 1).lines[0] ?? '';
}

function withEllipsis(lines: string[], maxWidth: number, style: TextStyle): string[] {
  const last = lines.at(-1) ?? '';
  let kept = Array.from(last);
  const fitsWithEllipsis = () =>
    textWidth(`${kept.join('').trimEnd()}${ellipsis}`, style.size, style.weight) <= maxWidth;
  while (kept.length > 0 && !fitsWithEllipsis()) kept = kept.slice(0, -1);
  return [...lines.slice(0, -1), `${kept.join('').trimEnd()}${ellipsis}`];
}

/** At least one character, so that a line narrower than one glyph still makes progress. */
function longestFittingPrefix(word: string, maxWidth: number, style: TextStyle): string {
  const characters = Array.from(word);
  let end = 1;
  while (
    end < characters.length &&
    textWidth(characters.slice(0, end + 1).join(''), style.size, style.weight) <= maxWidth
  )
    end++;
  return characters.slice(0, end).join('');
}
