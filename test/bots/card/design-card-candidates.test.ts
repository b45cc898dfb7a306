import { describe, expect, it } from 'vitest';
import { parseCardAction } from '../../../src/bots/card/card-action-id.ts';
import { buildDesignCard } from '../../../src/bots/card/design-card.ts';
import { discordCardImages, renderDiscordCard } from '../../../src/bots/discord/discord-card.ts';
import { readSettingsSubmission } from '../../../src/bots/slack/slack-settings-modal.ts';
import { renderSlackCard } from '../../../src/bots/slack/slack-blocks.ts';
import type { DesignSnapshot } from '../../../src/workflow/design-snapshot.ts';
import { at, snapshot, t0 } from './snapshot-fixture.ts';
import { checkMessage } from '../../fakes/fake-discord-limits.ts';
import { buttonsOf, galleryOf } from '../discord/discord-v2-read.ts';

const id = '3f2a8c1e-0000-4000-8000-000000000001';
const key = (iteration: number, candidate: number) => `designs/d/front-${iteration}-c${candidate}.png`;

/** A design drawing four candidates a round, at iteration `iteration`, with `picked` picked (or none). */
function fourCandidates(picked: number | null, patch: Partial<DesignSnapshot> = {}): DesignSnapshot {
  const base = snapshot({ candidates: 4, held: 6 });
  return {
    ...base,
    iterations: [
      {
        ...base.iterations[0]!,
        imageKey: picked === null ? null : key(1, picked),
        picked,
        candidates: [1, 2, 3, 4].map((candidate) => ({ candidate, imageKey: key(1, candidate) })),
      },
    ],
    ...patch,
  };
}

describe('design card with front-view candidates', () => {
  it('says how many candidates and what is held before anything is drawn', () => {
    const queued = buildDesignCard(fourCandidates(null, { state: 'queued', iterations: [] }));
    expect(queued.facts).toContainEqual(['4 candidates · 6 credits reserved, returned if you cancel']);
    const drawing = buildDesignCard(
      fourCandidates(null, { state: 'generating_front', iterations: [], admittedAt: t0, updatedAt: at(1) }),
    );
    expect(drawing.facts).toContainEqual(['4 candidates · 6 credits reserved']);
    expect(drawing.candidates ?? []).toEqual([]);
  });

  it('shows the four together with Pick 1 … Pick 4 of this iteration, and asks for a pick first', () => {
    const card = buildDesignCard(fourCandidates(null));
    expect(card.candidates?.map((c) => [c.number, c.key, c.picked])).toEqual([
      [1, key(1, 1), false],
      [2, key(1, 2), false],
      [3, key(1, 3), false],
      [4, key(1, 4), false],
    ]);
    expect(card.image).toBeNull();
    expect(JSON.stringify(card.status)).toContain('pick one of the 4 candidates, then approve it');
    const picks = card.actions[0]!;
    expect(picks.map((b) => b.label)).toEqual(['Pick 1', 'Pick 2', 'Pick 3', 'Pick 4']);
    expect(picks.map((b) => parseCardAction(b.id))).toEqual(
      [1, 2, 3, 4].map((candidate) => ({ kind: 'pick', designId: id, iteration: 1, candidate })),
    );
    // An edit round draws four again: each costs four edits.
    const labels = card.actions.flat().map((b) => b.label);
    expect(labels).toContain('Request changes (+4 credits)');
    expect(labels).toContain('More minimal (+4 credits)');
    expect(card.facts.flat()).toContain('4 candidates · 6 credits reserved');
  });

  it('shows the picked one as the front view, and marks its button', () => {
    const card = buildDesignCard(fourCandidates(3));
    expect(card.image).toEqual({ key: key(1, 3), alt: 'Front view, iteration 1, candidate 3' });
    expect(card.candidates?.filter((c) => c.picked).map((c) => c.number)).toEqual([3]);
    expect(card.actions[0]!.map((b) => b.label)).toEqual(['Pick 1', 'Pick 2', 'Picked 3', 'Pick 4']);
    expect(JSON.stringify(card.status)).toContain('candidate 3 of 4 picked');
  });

  it('has no candidates and no Pick buttons for a design that draws one', () => {
    const card = buildDesignCard(snapshot());
    expect(card.candidates ?? []).toEqual([]);
    expect(card.actions.flat().some((b) => b.label.startsWith('Pick'))).toBe(false);
    expect(card.facts.flat()).toContain('3 credits reserved');
  });

  it('Slack shows each candidate as a titled image block, or says it is on its way', () => {
    const card = buildDesignCard(fourCandidates(2));
    const { blocks } = renderSlackCard(
      card,
      { fileId: 'F2' },
      {
        candidates: [{ fileId: 'F1' }, { fileId: 'F2' }, null, 'https://files.example/c4.png'],
      },
    );
    const candidates = blocks.filter((b) => String(b.block_id).startsWith('facet_candidate_'));
    expect(candidates.map((b) => [b.type, b.block_id])).toEqual([
      ['image', 'facet_candidate_1'],
      ['image', 'facet_candidate_2'],
      ['context', 'facet_candidate_3'],
      ['image', 'facet_candidate_4'],
    ]);
    expect(candidates[1]).toMatchObject({
      title: { text: 'Candidate 2 (picked)' },
      slack_file: { id: 'F2' },
    });
    expect(candidates[3]).toMatchObject({ image_url: 'https://files.example/c4.png' });
    expect(JSON.stringify(candidates[2])).toContain('Candidate 3 is being uploaded to Slack');
  });

  it("Discord shows the candidates together in the card's gallery, and a row of Pick buttons", () => {
    const card = buildDesignCard(fourCandidates(null));
    const names = discordCardImages(card).map((image) => image.name);
    expect(names).toHaveLength(4);
    const message = renderDiscordCard(card, names);
    expect(galleryOf(message).map((item) => [item.url, item.description?.split(':')[0]])).toEqual(
      names.map((name, index) => [`attachment://${name}`, `Candidate ${index + 1}`]),
    );
    const labels = buttonsOf(message).map((button) => button.label);
    expect(labels.slice(0, 4)).toEqual(['Pick 1', 'Pick 2', 'Pick 3', 'Pick 4']);
    const { errors } = checkMessage(message, {
      attachmentCount: names.length,
      fileNames: names,
      creating: true,
    });
    expect(errors).toEqual([]);
  });

  it("reads Slack's settings form: a default above the most is an error under it, nothing saved", () => {
    const form = (defaultCount: string, most: string) => ({
      private_metadata: JSON.stringify({ teamId: 'T1' }),
      state: {
        values: {
          facet_settings_price_design: { value: { value: '3' } },
          facet_settings_price_variation: { value: { value: '2' } },
          facet_settings_price_edit: { value: { value: '1' } },
          facet_settings_candidates_default: {
            facet_settings_candidates_select: { selected_option: { value: defaultCount } },
          },
          facet_settings_candidates_max: {
            facet_settings_candidates_select: { selected_option: { value: most } },
          },
        },
      },
    });
    expect(readSettingsSubmission(form('3', '2'))).toEqual({
      errors: { facet_settings_candidates_default: 'At most the most a person may ask for (2).' },
    });
    expect(readSettingsSubmission(form('5', '4'))).toEqual({
      errors: { facet_settings_candidates_default: 'Pick one of the listed answers.' },
    });
    expect(readSettingsSubmission(form('2', '4'))).toMatchObject({
      kind: 'settings',
      settings: { candidates: { default: 2, max: 4 } },
    });
  });
});
