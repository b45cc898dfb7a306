import { textWidth } from './font-metrics.ts';
import { placeText } from './place-text.ts';
import type { SheetElement } from './sheet-elements.ts';
import { ellipsis, fitLine, wrapText, type TextStyle } from './wrap-text.ts';

export type FlowItem = { prefix?: string; text: string; maxLines?: number };

/**
 * A headed block of a text column. `cap` is the most lines it takes while others still want room;
 * `keep` says which items survive when it must be cut: the first ones, or the first and the latest
 * (an iteration history, where the last iterations led to what was approved).
 */
export type FlowSection = {
  heading: string;
  items: FlowItem[];
  cap: number;
  keep: 'head' | 'first-and-last';
  /** What one item is, for the line that says how many are not shown ("iteration", "key element"). */
  noun: string;
};

export type FlowOptions = {
  top: number;
  bottom: number;
  headingStyle: TextStyle;
  bodyStyle: TextStyle;
  colours: { heading: string; ink: string; muted: string };
};

export const flowMetrics = { headingHeight: 13, lineHeight: 11, sectionGap: 10 } as const;

/** Room for a section's widest prefix ("30." as much as "\u2022") and a space after it. */
export function prefixIndent(section: FlowSection, style: TextStyle): number {
  const prefixes = section.items.flatMap((item) => (item.prefix === undefined ? [] : [item.prefix]));
  if (prefixes.length === 0) return 0;
  return Math.max(...prefixes.map((prefix) => textWidth(prefix, style.size, style.weight))) + 5;
}

type FlowLine = { prefix?: string | undefined; text: string; muted?: boolean };

/**
 * Sections stacked top to bottom in a column, each cut to fit: every section first gets up to its cap,
 * then lines left over go to sections that wanted more, in order. The result never passes `bottom`.
 */
export function flowSections(
  sections: readonly FlowSection[],
  left: number,
  width: number,
  options: FlowOptions,
): SheetElement[] {
  const { headingHeight, lineHeight, sectionGap } = flowMetrics;
  const indents = sections.map((section) => prefixIndent(section, options.bodyStyle));
  const wrapped = sections.map((section, index) =>
    section.items.map((item) => wrapItem(item, width - (indents[index] ?? 0), options.bodyStyle)),
  );
  const natural = wrapped.map((items) => items.reduce((sum, lines) => sum + lines.length, 0));
  const allocation = allocateLines(
    sections.map((section, index) => ({ wanted: natural[index] ?? 0, cap: section.cap })),
    (count) =>
      Math.floor(
        (options.bottom - options.top - count * headingHeight - Math.max(0, count - 1) * sectionGap) /
          lineHeight,
      ),
  );

  const elements: SheetElement[] = [];
  let y = options.top;
  sections.forEach((section, index) => {
    const lines = allocation[index] ?? 0;
    if (lines <= 0) return;
    const chosen = chooseLines(
      section,
      wrapped[index] ?? [],
      lines,
      width - (indents[index] ?? 0),
      options.bodyStyle,
    );
    elements.push(
      placeText(left, y + 8, options.headingStyle, options.colours.heading, section.heading, width),
    );
    chosen.forEach((flowLine, lineIndex) => {
      const baseline = y + headingHeight + lineIndex * lineHeight + 8.5;
      const colour = flowLine.muted ? options.colours.muted : options.colours.ink;
      if (flowLine.prefix !== undefined)
        elements.push(
          placeText(left, baseline, options.bodyStyle, colour, flowLine.prefix, indents[index] ?? 0),
        );
      const indent = indents[index] ?? 0;
      elements.push(
        placeText(left + indent, baseline, options.bodyStyle, colour, flowLine.text, width - indent),
      );
    });
    y += headingHeight + chosen.length * lineHeight + sectionGap;
  });
  return elements;
}

/**
 * Lines per section: caps first, then the rest of the budget to whoever wants more, in order. Sections
 * that get nothing are left out, which frees their heading's room (`budgetFor` is given the count).
 */
export function allocateLines(
  wants: readonly { wanted: number; cap: number }[],
  budgetFor: (sectionCount: number) => number,
): number[] {
  let present = wants.map((want) => want.wanted > 0);
  for (;;) {
    const count = present.filter(Boolean).length;
    const budget = Math.max(0, budgetFor(count));
    const allocation = wants.map((want, index) => (present[index] ? Math.min(want.wanted, want.cap) : 0));
    let total = allocation.reduce((sum, lines) => sum + lines, 0);
    // Caps that together exceed the column are shrunk, the largest first, down to one line each.
    while (total > budget) {
      const largest = allocation.indexOf(Math.max(...allocation));
      if ((allocation[largest] ?? 0) <= 1) break;
      allocation[largest] = (allocation[largest] ?? 0) - 1;
      total--;
    }
    if (total > budget) {
      // Not even a line each: drop the last section still present and try again.
      const last = present.lastIndexOf(true);
      if (last < 0) return allocation.map(() => 0);
      present = present.map((keep, index) => keep && index !== last);
      continue;
    }
    let spare = budget - total;
    wants.forEach((want, index) => {
      if (!present[index]) return;
      const extra = Math.min(spare, want.wanted - (allocation[index] ?? 0));
      allocation[index] = (allocation[index] ?? 0) + extra;
      spare -= extra;
    });
    return allocation;
  }
}

/** `width` is what the text has beside the section's prefix column. */
function wrapItem(item: FlowItem, width: number, style: TextStyle): FlowLine[] {
  const { lines } = wrapText(item.text, width, style, item.maxLines ?? Number.POSITIVE_INFINITY);
  return lines.map((text, index) => ({ prefix: index === 0 ? item.prefix : undefined, text }));
}

function chooseLines(
  section: FlowSection,
  items: readonly FlowLine[][],
  lines: number,
  width: number,
  style: TextStyle,
): FlowLine[] {
  const all = items.flat();
  if (all.length <= lines) return all;
  const first = section.items[0];
  if (items.length === 1 && first !== undefined) return wrapItem({ ...first, maxLines: lines }, width, style);
  const note = (hidden: number): FlowLine => ({
    text: fitLine(
      `${ellipsis} ${hidden} more ${section.noun}${hidden === 1 ? '' : 's'} not shown`,
      width,
      style,
    ),
    muted: true,
  });
  if (lines === 1) return [note(items.length)];
  const room = lines - 1;
  // The first item is always shown, cut to the room there is when it alone is too long.
  const firstLines =
    first === undefined
      ? []
      : wrapItem({ ...first, maxLines: Math.min(first.maxLines ?? room, room) }, width, style);
  if (section.keep === 'head') {
    const kept: FlowLine[] = [...firstLines];
    let shown = 1;
    for (const itemLines of items.slice(1)) {
      if (kept.length + itemLines.length > room) break;
      kept.push(...itemLines);
      shown++;
    }
    return [...kept, note(items.length - shown)];
  }
  const latest: FlowLine[][] = [];
  let used = firstLines.length;
  for (let index = items.length - 1; index > 0; index--) {
    const itemLines = items[index] ?? [];
    if (used + itemLines.length > room) break;
    latest.unshift(itemLines);
    used += itemLines.length;
  }
  const hidden = items.length - 1 - latest.length;
  return [...firstLines, note(hidden), ...latest.flat()];
}
