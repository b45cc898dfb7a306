import { describe, expect, it } from 'vitest';
import { approveButton, declineButton } from '../../../src/bots/card/design-card.ts';
import type { ChatHome } from '../../../src/bots/chat/waiting-for-you.ts';
import { renderSlackHome } from '../../../src/bots/slack/slack-home-view.ts';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** A full Home: every section at its longest, three notes, an admin's settings. */
function fullHome(): ChatHome {
  const prompt = `<!channel> *bold* & ${'a very long description '.repeat(20)}`;
  return {
    waiting: Array.from({ length: 10 }, (_, n) => ({
      designId: id(n),
      prompt,
      requesterId: 'U1',
      iteration: 2,
      imageKey: `designs/${id(n)}/front-2.png`,
      held: 4,
      waitingSince: new Date('2026-12-01T10:00:00Z'),
      mayDecline: true,
      buttons: [approveButton(id(n), 2, 4), declineButton(id(n), 2)],
    })),
    moreWaiting: true,
    designs: Array.from({ length: 10 }, (_, n) => ({
      designId: id(100 + n),
      prompt,
      state: 'done',
      credits: '3 credits charged',
      iteration: 1,
      createdAt: new Date('2026-12-01T09:00:00Z'),
      url: n % 2 === 0 ? 'https://fake.slack/archives/C1/p1' : undefined,
    })),
    credits: { balance: 10, held: 4, available: 6 },
    settings: ['Current settings:', '\n', 'Approvers: members of ', { group: 'S1' }, ' and admins'],
  };
}

describe('renderSlackHome', () => {
  it('keeps a full Home within a view’s limits, escapes prompts, and shows no picture without a URL', () => {
    const view = renderSlackHome(fullHome(), {
      notes: ['one', 'two', 'three', 'four'],
      thumbnails: new Map(),
    });
    expect(view.type).toBe('home');
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    const ids = view.blocks.flatMap((b) => (typeof b.block_id === 'string' ? [b.block_id] : []));
    expect(new Set(ids).size).toBe(ids.length);
    // The newest three notes, first.
    expect(ids.slice(0, 3)).toEqual(['facet_home_note_0', 'facet_home_note_1', 'facet_home_note_2']);
    expect(JSON.stringify(view.blocks[0])).toContain('two');
    const text = JSON.stringify(view.blocks);
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).not.toContain('"accessory"');
    for (const block of view.blocks) {
      const section = (block.text as { text?: string } | undefined)?.text ?? '';
      expect(section.length).toBeLessThanOrEqual(3000);
    }
    expect(text).toContain('facet_home_settings_actions');
    expect(text).toContain('More are waiting');
  });

  it('shows a thumbnail where Slack can fetch one, and no settings for a member', () => {
    const home = { ...fullHome(), settings: null };
    const key = home.waiting[0]!.imageKey!;
    const view = renderSlackHome(home, {
      notes: [],
      thumbnails: new Map([[key, 'https://facet.example.com/images/x.png']]),
    });
    const first = view.blocks.find((b) => b.block_id === `facet_home_waiting_${id(0)}`)!;
    expect(first.accessory).toMatchObject({
      type: 'image',
      image_url: 'https://facet.example.com/images/x.png',
    });
    expect(view.blocks.find((b) => b.block_id === `facet_home_waiting_${id(1)}`)!.accessory).toBeUndefined();
    expect(JSON.stringify(view.blocks)).not.toContain('facet_home_settings');
  });
});
