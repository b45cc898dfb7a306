import { describe, expect, it } from 'vitest';
import { designChoices } from '../../../src/bots/chat/design-choices.ts';
import type { DesignHistoryEntry } from '../../../src/workflow/workspace-designs.ts';

const entry = (prompt: string, state: DesignHistoryEntry['state'] = 'completed'): DesignHistoryEntry => ({
  id: prompt,
  prompt,
  state,
  iteration: 1,
  held: 0,
  charged: 3,
  createdAt: new Date('2026-12-01T10:00:00Z'),
  surface: {},
});

describe('designChoices', () => {
  const entries = [
    entry('a glass teapot', 'awaiting_approval'),
    entry('a walnut bookshelf'),
    entry('a teak bench'),
  ];

  it('offers every design, newest first, valued by its position in /design history', () => {
    expect(designChoices(entries, '')).toEqual([
      { label: '1. a glass teapot (waiting for approval)', position: 1 },
      { label: '2. a walnut bookshelf (done)', position: 2 },
      { label: '3. a teak bench (done)', position: 3 },
    ]);
  });

  it('narrows by words in the prompt (any case) or by the position typed', () => {
    expect(designChoices(entries, 'TEA').map((c) => c.position)).toEqual([1, 3]);
    expect(designChoices(entries, ' 2 ').map((c) => c.position)).toEqual([2]);
    expect(designChoices(entries, 'sofa')).toEqual([]);
  });

  it("keeps within Discord's limits: 25 choices, labels of 100 characters, one line", () => {
    const many = Array.from({ length: 40 }, (_, i) =>
      entry(`design ${i}\nwith a second line ${'x'.repeat(200)}`),
    );
    const choices = designChoices(many, '');
    expect(choices).toHaveLength(25);
    for (const choice of choices) {
      expect(choice.label.length).toBeLessThanOrEqual(100);
      expect(choice.label).not.toContain('\n');
      expect(choice.label).toMatch(/ \(done\)$/);
    }
  });
});
