import { describe, expect, it } from 'vitest';
import { buildDesignCard } from '../../../src/bots/card/design-card.ts';
import { parseCardAction } from '../../../src/bots/card/card-action-id.ts';
import { renderSlackCard } from '../../../src/bots/slack/slack-blocks.ts';
import type { DesignState } from '../../../src/storage/schema.ts';
import { at, snapshot } from './snapshot-fixture.ts';

const labels = (card: ReturnType<typeof buildDesignCard>) => card.actions.flat().map((b) => b.label);

describe('design card', () => {
  it('awaiting approval: Approve with a confirm that states the cost, the quick edits, changes and cancel', () => {
    const card = buildDesignCard(snapshot({ held: 4, iteration: 2 }), at(30));
    expect(card.tone).toBe('waiting');
    expect(labels(card)).toEqual([
      'Approve',
      'Request changes (+1 credit)',
      'Cancel',
      ...labels(card).slice(3),
    ]);
    expect(labels(card).slice(3)).toHaveLength(6);
    const approve = card.actions[0]![0]!;
    expect(approve.confirm?.text).toContain(
      '4 credits will be charged once they are done; nothing if they fail',
    );
    expect(parseCardAction(approve.id)).toEqual({ kind: 'approve', designId: card.designId, iteration: 2 });
    expect(card.facts).toContainEqual(['Iteration 2']);
  });

  it('shows elapsed time while generating and only offers Cancel', () => {
    const card = buildDesignCard(snapshot({ state: 'generating_front', updatedAt: at(0) }), at(12));
    expect(card.status).toEqual(['Generating the front view (12 s)']);
    expect(labels(card)).toEqual(['Cancel']);
  });

  it('waiting in line: its place, a rough wait, the credits held, and only Cancel', () => {
    const waiting = (ahead: number, etaSeconds: number) =>
      buildDesignCard(snapshot({ state: 'queued', admittedAt: null, queue: { ahead, etaSeconds } }), at(5));
    expect(waiting(0, 12).status).toEqual(['Next in line, starts in about 15 s']);
    expect(waiting(4, 150).status).toEqual(['Waiting in line: 4 ahead, starts in about 3 min']);
    expect(waiting(4, 150).facts).toEqual([['3 credits reserved, returned if you cancel']]);
    expect(labels(waiting(4, 150))).toEqual(['Cancel']);
  });

  it('counts the first front view from when it left the line, not from when it was asked for', () => {
    const card = buildDesignCard(snapshot({ state: 'generating_front', admittedAt: at(40) }), at(52));
    expect(card.status).toEqual(['Generating the front view (12 s)']);
  });

  it('a completed design names its approver, the charge, and offers Variation and Edit view', () => {
    const card = buildDesignCard(
      snapshot({ state: 'completed', approvedBy: 'U2', approvedAt: at(30), held: 0, charged: 5 }),
      at(90),
    );
    expect(card.facts).toContainEqual(['Approved by ', { mention: 'U2' }]);
    expect(card.facts).toContainEqual(['5 credits charged']);
    expect(labels(card)).toEqual([
      'Variation',
      'Edit back view',
      'Edit side view',
      'Edit top view',
      'Edit bottom view',
    ]);
  });

  it('renders every state as Slack blocks within Block Kit limits', () => {
    const states: DesignState[] = [
      'queued',
      'generating_front',
      'awaiting_approval',
      'generating_views',
      'finalizing',
      'completed',
      'failed',
      'cancelled',
      'expired',
    ];
    for (const state of states) {
      const message = renderSlackCard(
        buildDesignCard(snapshot({ state }), at(60)),
        'https://facet.example.com/i.png',
      );
      expect(message.blocks.length).toBeLessThanOrEqual(50);
      expect(message.text.length).toBeLessThan(4000);
      const ids = message.blocks.flatMap((b) =>
        ((b.elements as { action_id?: string }[] | undefined) ?? []).flatMap((e) =>
          e.action_id ? [e.action_id] : [],
        ),
      );
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of ids) expect(id.length).toBeLessThanOrEqual(255);
    }
  });

  it('neutralises mentions and markup in the prompt', () => {
    const prompt = '<!channel> <@U999> *bold* a lamp & <https://evil.example|click>';
    const message = renderSlackCard(buildDesignCard(snapshot({ prompt }), at(1)), null);
    const rendered = JSON.stringify(message.blocks);
    expect(rendered).not.toContain('<!channel>');
    expect(rendered).not.toContain('<@U999>');
    expect(rendered).toContain('&lt;!channel&gt;');
    expect(message.text).not.toMatch(/<[!@#]/);
    // The requester is the one real mention.
    expect(rendered).toContain('Requested by <@U1>');
  });

  it('points to the thread when the image cannot be shown inline', () => {
    const message = renderSlackCard(buildDesignCard(snapshot(), at(1)), null);
    expect(JSON.stringify(message.blocks)).toContain('Front view, iteration 1 is in the thread');
    expect(message.blocks.some((b) => b.type === 'image')).toBe(false);
  });
});
