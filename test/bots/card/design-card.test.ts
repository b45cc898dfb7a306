import { describe, expect, it } from 'vitest';
import { buildDesignCard } from '../../../src/bots/card/design-card.ts';
import { parseCardAction } from '../../../src/bots/card/card-action-id.ts';
import { renderSlackCard } from '../../../src/bots/slack/slack-blocks.ts';
import type { DesignState } from '../../../src/storage/schema.ts';
import { at, snapshot, view } from './snapshot-fixture.ts';

const labels = (card: ReturnType<typeof buildDesignCard>) => card.actions.flat().map((b) => b.label);

describe('design card', () => {
  it('says once, on the card of the design that crossed it, that the workspace reached a level of its AI budget', () => {
    const notice = { month: '2026-12', spentUsd: 41.2, capUsd: 50 };
    const facts = (level: 80 | 100) =>
      JSON.stringify(buildDesignCard(snapshot({ budgetNotice: { ...notice, level } })).facts);
    expect(facts(80)).toContain(
      'This workspace has used 80% of its AI budget for December ($41.20 of $50.00). Admins can change it in /design settings.',
    );
    expect(facts(100)).toContain('has used its AI budget for December ($41.20 of $50.00): new designs wait');
    expect(JSON.stringify(buildDesignCard(snapshot()).facts)).not.toContain('AI budget');
  });

  it('awaiting approval: Approve with a confirm that states the cost, the quick edits, changes and cancel', () => {
    const card = buildDesignCard(snapshot({ held: 4, iteration: 2 }));
    expect(card.tone).toBe('waiting');
    // What each click costs is on its button: Discord has no confirm dialog.
    expect(labels(card)).toEqual([
      'Approve (4 credits)',
      'Request changes (+1 credit)',
      'Cancel',
      'More minimal (+1 credit)',
      ...labels(card).slice(4),
    ]);
    expect(labels(card).slice(3)).toHaveLength(6);
    expect(
      labels(card)
        .slice(3)
        .every((label) => label.endsWith('(+1 credit)')),
    ).toBe(true);
    expect(card.facts).toContainEqual([
      '4 credits reserved',
      ', returned if not approved by ',
      { at: at(86_400), show: 'deadline' },
    ]);
    const approve = card.actions[0]![0]!;
    expect(approve.confirm?.text).toContain(
      '4 credits will be charged once they are done; nothing if they fail',
    );
    expect(parseCardAction(approve.id)).toEqual({ kind: 'approve', designId: card.designId, iteration: 2 });
    expect(card.facts).toContainEqual(['Iteration 2']);
  });

  it("says when generating started (the reader's client keeps it current) and only offers Cancel", () => {
    const card = buildDesignCard(snapshot({ state: 'generating_front', admittedAt: null, updatedAt: at(0) }));
    expect(card.status).toEqual(['Generating the front view, started ', { at: at(0), show: 'since' }]);
    expect(labels(card)).toEqual(['Cancel']);
  });

  it('adds the usual time of the phase once the workspace has enough samples', () => {
    const front = buildDesignCard(
      snapshot({ state: 'generating_front', admittedAt: at(0), typicalSeconds: 27 }),
    );
    expect(front.status).toEqual([
      'Generating the front view, started ',
      { at: at(0), show: 'since' },
      '; usually ready in about 30 s',
    ]);
    const views = buildDesignCard(
      snapshot({ state: 'generating_views', approvedAt: at(40), typicalSeconds: 95 }),
    );
    expect(views.status).toEqual([
      'Generating the other views: 0 of 4 done, started ',
      { at: at(40), show: 'since' },
      '; usually ready in about 2 min',
    ]);
  });

  it('names the one view a later round regenerates, not a count of four', () => {
    const card = buildDesignCard(
      snapshot({
        state: 'generating_views',
        round: 2,
        approvedAt: at(30),
        views: [
          view('front', { state: 'done', imageKey: 'f' }),
          view('back', { state: 'done', imageKey: 'b' }),
          view('side', { state: 'generating', round: 2, startedAt: at(100) }),
          view('top', { state: 'done', imageKey: 't' }),
          view('bottom', { state: 'done', imageKey: 'u' }),
        ],
      }),
    );
    expect(card.status).toEqual(['Editing the side view (edit 2), started ', { at: at(100), show: 'since' }]);
  });

  it('says what each edit asked for, and who asked', () => {
    const first = snapshot().iterations[0]!;
    const edited = (it: Partial<typeof first>) =>
      buildDesignCard(snapshot({ iteration: 2, iterations: [first, { ...first, iteration: 2, ...it }] }));
    expect(edited({ feedback: 'a thinner\nband', requestedBy: 'U7' }).facts[0]).toEqual([
      'Iteration 2: “a thinner band”, asked by ',
      { mention: 'U7' },
    ]);
    expect(edited({ preset: 'minimal', requestedBy: 'U1' }).facts[0]).toEqual([
      'Iteration 2: More minimal, asked by ',
      { mention: 'U1' },
    ]);
  });

  it('offers no Retry after a safety block (it would be refused again), and says what to do', () => {
    const blocked = buildDesignCard(
      snapshot({
        state: 'failed',
        held: 0,
        failure: { kind: 'blocked', message: 'Blocked: SAFETY', phase: 'front' },
      }),
    );
    expect(blocked.status[0]).toMatch(
      /refused this request .* start a new design with a different description/,
    );
    expect(labels(blocked)).toEqual(['Cancel']);
    const unavailable = buildDesignCard(
      snapshot({
        state: 'failed',
        held: 0,
        failure: { kind: 'unavailable', message: 'Model down', phase: 'front' },
      }),
    );
    expect(labels(unavailable)).toEqual(['Retry', 'Cancel']);
  });

  it('waiting in line: its place, a rough wait, the credits held, and only Cancel', () => {
    const waiting = (ahead: number, etaSeconds: number) =>
      buildDesignCard(snapshot({ state: 'queued', admittedAt: null, queue: { ahead, etaSeconds } }));
    expect(waiting(0, 12).status).toEqual(['Next in line, starts in about 15 s']);
    expect(waiting(4, 150).status).toEqual(['Waiting in line: 4 ahead, starts in about 3 min']);
    expect(waiting(4, 150).facts).toEqual([['3 credits reserved, returned if you cancel']]);
    expect(labels(waiting(4, 150))).toEqual(['Cancel']);
  });

  it('counts the first front view from when it left the line, not from when it was asked for', () => {
    const card = buildDesignCard(snapshot({ state: 'generating_front', admittedAt: at(40) }));
    expect(card.status).toEqual(['Generating the front view, started ', { at: at(40), show: 'since' }]);
  });

  it('a completed design names its approver, the charge, and offers Variation and Edit view', () => {
    const card = buildDesignCard(
      snapshot({ state: 'completed', approvedBy: 'U2', approvedAt: at(30), held: 0, charged: 5 }),
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
        buildDesignCard(snapshot({ state })),
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

  it('clips a long prompt to a short title (grapheme-safe) and keeps the whole prompt in the details', () => {
    const prompt = `${'a modular shelving system '.repeat(4)}👩‍👩‍👧‍👦 ${'with oak panels '.repeat(120)}`.trim();
    const card = buildDesignCard(snapshot({ prompt }));
    expect(card.title.length).toBeLessThanOrEqual(120);
    expect(card.title.endsWith('…')).toBe(true);
    expect(card.title).not.toMatch(/\u200d…$/);
    expect(card.fullPrompt).toBe(prompt);
    const slack = JSON.stringify(renderSlackCard(card, null).blocks);
    expect(slack).toContain('facet_prompt');
    expect(slack).toContain('with oak panels with oak panels');
    const short = buildDesignCard(snapshot({ prompt: 'a lamp' }));
    expect(short).toMatchObject({ title: 'a lamp', fullPrompt: null });
    expect(JSON.stringify(renderSlackCard(short, null).blocks)).not.toContain('facet_prompt');
  });

  it('neutralises mentions and markup in the prompt', () => {
    const prompt = '<!channel> <@U999> *bold* a lamp & <https://evil.example|click>';
    const message = renderSlackCard(buildDesignCard(snapshot({ prompt })), null);
    const rendered = JSON.stringify(message.blocks);
    expect(rendered).not.toContain('<!channel>');
    expect(rendered).not.toContain('<@U999>');
    expect(rendered).toContain('&lt;!channel&gt;');
    expect(message.text).not.toMatch(/<[!@#]/);
    // The requester is the one real mention.
    expect(rendered).toContain('Requested by <@U1>');
  });

  it('says the front view is on its way while its upload to Slack is not done', () => {
    const message = renderSlackCard(buildDesignCard(snapshot()), null);
    expect(JSON.stringify(message.blocks)).toContain('Front view, iteration 1 is being uploaded to Slack');
    expect(message.blocks.some((b) => b.type === 'image')).toBe(false);
  });
});
