import { describe, expect, it } from 'vitest';
import { buildDesignCard } from '../../../src/bots/card/design-card.ts';
import { buildDesignThread } from '../../../src/bots/card/design-thread.ts';
import { imageFileName } from '../../../src/bots/card/image-file-name.ts';
import { escapeDiscordText, renderDiscordCard } from '../../../src/bots/discord/discord-card.ts';
import { renderDiscordThreadStatus } from '../../../src/bots/discord/discord-thread-messages.ts';
import {
  discordIterationModal,
  iterationFormOf,
  readDiscordIterationForm,
} from '../../../src/bots/discord/discord-iteration-modal.ts';
import type { DesignState } from '../../../src/storage/schema.ts';
import { at, snapshot } from '../card/snapshot-fixture.ts';

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

describe('Discord card', () => {
  it('keeps every state within Discord limits: 5 rows, 5 buttons a row, custom ids up to 100, embed sizes', () => {
    for (const state of states) {
      const message = renderDiscordCard(
        buildDesignCard(snapshot({ state, prompt: 'x'.repeat(2000) })),
        'front-1.png',
      );
      expect(message.components.length).toBeLessThanOrEqual(5);
      const ids = message.components.flatMap((row) => {
        expect(row.components.length).toBeLessThanOrEqual(5);
        return row.components.map((b) => ('custom_id' in b ? b.custom_id : ''));
      });
      for (const id of ids) expect(id.length).toBeGreaterThan(0);
      for (const id of ids) expect(id.length).toBeLessThanOrEqual(100);
      expect(new Set(ids).size).toBe(ids.length);
      const [embed] = message.embeds;
      expect(embed!.title!.length).toBeLessThanOrEqual(256);
      expect(embed!.description!.length).toBeLessThanOrEqual(4096);
      expect(message.allowed_mentions).toEqual({ parse: [] });
    }
  });

  it('splits the awaiting-approval buttons into rows: actions, then the six quick edits three and three', () => {
    const message = renderDiscordCard(buildDesignCard(snapshot()), 'front-1.png');
    expect(message.components.map((row) => row.components.length)).toEqual([3, 3, 3]);
    expect(message.embeds[0]!.image).toEqual({ url: 'attachment://front-1.png' });
  });

  it('shows a prompt literally: no pings, no markdown', () => {
    const escaped = escapeDiscordText('@everyone <@123> **bold** [link](https://x) @here');
    expect(escaped).not.toMatch(/@everyone|@here|<@123>/);
    expect(escaped).toContain('\\*\\*bold\\*\\*');
    const message = renderDiscordCard(buildDesignCard(snapshot({ prompt: '@everyone look' })), null);
    expect(message.embeds[0]!.title).not.toContain('@everyone');
    expect(message.embeds[0]!.description).toContain('Requested by <@U1>');
  });

  it('names images readably and renders the thread status as lines', () => {
    expect(imageFileName('designs/3f2a8c1e-0000-4000-8000-000000000001/front-2.png')).toBe('front-2.png');
    expect(imageFileName('designs/3f2a8c1e-0000-4000-8000-000000000001/r1/back.png')).toBe('r1-back.png');
    const thread = buildDesignThread(
      snapshot({ state: 'generating_views', approvedBy: 'U2', approvedAt: at(30) }),
      { frontsInThread: false },
    );
    const status = renderDiscordThreadStatus(thread.status!);
    expect(status.content.split('\n')).toHaveLength(5);
    expect(status.content).toContain('⚪ Back: waiting');
  });

  it('builds the feedback and decline modals within limits and validates what comes back', () => {
    const designId = '3f2a8c1e-0000-4000-8000-000000000001';
    const modal = discordIterationModal('feedback', { designId, iteration: 2 });
    expect(modal.custom_id.length).toBeLessThanOrEqual(100);
    expect(modal.title.length).toBeLessThanOrEqual(45);
    expect(iterationFormOf(modal.custom_id)).toBe('feedback');
    const ok = readDiscordIterationForm(
      'feedback',
      modal.custom_id,
      new Map([['feedback', '  thinner band ']]),
    );
    // What the text may be is the chat layer's to judge (test/bots/chat); the form only reads it.
    expect(ok).toEqual({ kind: 'feedback', designId, iteration: 2, feedback: '  thinner band ' });
    expect(readDiscordIterationForm('feedback', 'facet1m:not-a-uuid:1', new Map())).toEqual({
      kind: 'stale',
      form: 'feedback',
    });
    const decline = discordIterationModal('decline', { designId, iteration: 3 });
    expect(decline.title.length).toBeLessThanOrEqual(45);
    expect(iterationFormOf(decline.custom_id)).toBe('decline');
    expect(
      readDiscordIterationForm('decline', decline.custom_id, new Map([['reason', 'off-brand']])),
    ).toEqual({ kind: 'decline', designId, iteration: 3, reason: 'off-brand' });
    expect(iterationFormOf('facet1x:whatever')).toBeUndefined();
  });
});
