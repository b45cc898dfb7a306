import type { SpecSheet } from './spec-sheet.ts';
import { describeIteration } from './spec-sheet-facts.ts';
import type { FlowSection } from './text-flow.ts';
import { toWinAnsi } from './win-ansi-text.ts';

/**
 * The text column: what was asked (prompt, then each iteration), then what the model read off the result.
 * Caps keep a 4,000-character prompt or thirty iterations from crowding out the rest.
 */
export function storySections(sheet: SpecSheet): FlowSection[] {
  const features = sheet.features ?? undefined;
  const sections: FlowSection[] = [
    {
      heading: 'PROMPT',
      items: [{ text: toWinAnsi(sheet.prompt) || '(empty)' }],
      cap: 7,
      keep: 'head',
      noun: 'line',
    },
    {
      heading: 'ITERATIONS',
      items: sheet.iterations.map((iteration) => ({
        prefix: `${iteration.number}.`,
        text: toWinAnsi(describeIteration(iteration)),
        maxLines: 3,
      })),
      cap: 10,
      keep: 'first-and-last',
      noun: 'iteration',
    },
  ];
  const description = typeof features?.description === 'string' ? toWinAnsi(features.description) : '';
  if (description !== '')
    sections.push({
      heading: 'DESCRIPTION',
      items: [{ text: description }],
      cap: 4,
      keep: 'head',
      noun: 'line',
    });
  const keyElements = (features?.keyElements ?? [])
    .map((element) => toWinAnsi(element))
    .filter((element) => element !== '');
  sections.push({
    heading: 'KEY ELEMENTS',
    items: keyElements.map((element) => ({ prefix: '\u2022', text: element, maxLines: 2 })),
    cap: 7,
    keep: 'head',
    noun: 'key element',
  });
  return sections.filter((section) => section.items.length > 0);
}
