import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inState, waitFor } from '../../workflow/workflow-harness.ts';
import { members, startDiscordKit, type DiscordKit } from './discord-kit.ts';
import { textOf } from './discord-v2-read.ts';

/**
 * Issue 14, item 1: Discord's own timestamps keep a card's progress moving with no edit — "started 12
 * seconds ago" (`<t:…:R>`) — and show the approval deadline in the reader's time zone (`<t:…:f>`).
 */
describe('Discord card progress', () => {
  let kit: DiscordKit;

  beforeAll(async () => {
    kit = await startDiscordKit('discord_progress');
  });

  afterAll(async () => {
    await kit.close();
  });

  it('shows when generating started as a relative timestamp, and the deadline as a full one', async () => {
    // The front view takes a while, as the real model's does: the card shows it generating meanwhile (with
    // an instant model the card may go straight to the front view, its generating update coalesced away).
    kit.h.gemini.setLatency(() => 3000);
    const command = kit.fake.slashCommand('design', {
      subcommand: 'create',
      options: { prompt: 'a ceramic table lamp' },
      userId: members.ada,
    });
    await command.response();
    const design = await kit.designOf(members.ada);
    const bodies = () => kit.fake.calls.map((call) => JSON.stringify(call.body ?? {}));
    await expect
      .poll(() => bodies().some((body) => /Generating the front view, started <t:\d{10}:R>/.test(body)))
      .toBe(true);
    kit.h.gemini.setLatency(() => 0);
    await waitFor(kit.h.workflow, design, inState('awaiting_approval'));
    expect(bodies().some((body) => /\(\d+ s\)/.test(body))).toBe(false);
    await expect
      .poll(async () => textOf(await kit.card(design)), { timeout: 10_000 })
      .toMatch(/returned if not approved by <t:\d{10}:f>/);
  });
});
