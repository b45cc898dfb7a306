import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inState, waitFor } from '../../workflow/workflow-harness.ts';
import { members, startDiscordKit, type DiscordKit } from './discord-kit.ts';
import { galleryOf, textOf } from './discord-v2-read.ts';

/** Issue 14, item 5: "Edit side view" asks what should change (optional) before anything is redrawn. */
describe('Discord: editing one view of a finished design', () => {
  let kit: DiscordKit;

  beforeAll(async () => {
    kit = await startDiscordKit('discord_view_edit');
  });

  afterAll(async () => {
    await kit.close();
  });

  it('opens a form, redraws the view with the instruction, and labels it as the edit', async () => {
    kit.fake.slashCommand('design', {
      subcommand: 'create',
      options: { prompt: 'a brass desk fan' },
      userId: members.ada,
    });
    const design = await kit.designOf(members.ada);
    await waitFor(kit.h.workflow, design, inState('awaiting_approval'));
    let { card, id } = await kit.waitForButton(design, /^Approve\b/);
    await kit.fake.clickButton(card, id, { userId: members.ada }).response();
    await waitFor(kit.h.workflow, design, inState('completed'));
    ({ card, id } = await kit.waitForButton(design, /^Edit side view$/));

    const stranger = kit.fake.clickButton(card, id, { userId: members.bob });
    expect((await stranger.response()).type).not.toBe(9);

    const opened = kit.fake.clickButton(card, id, { userId: members.ada });
    expect((await opened.response()).type).toBe(9);
    expect(opened.modal()).toMatchObject({ title: 'Edit the side view' });
    expect((await kit.h.workflow.service.snapshot(design))!.round).toBe(1);

    const submitted = kit.fake.submitModal(
      opened,
      { instruction: 'show the cable exit' },
      { userId: members.ada },
    );
    expect((await submitted.response()).type).toBe(6);
    const second = await waitFor(kit.h.workflow, design, (d) => d.state === 'completed' && d.round === 2);
    expect(second.charged).toBe(4);
    expect(kit.h.gemini.requests.some((r) => r.texts.join(' ').includes('"show the cable exit"'))).toBe(true);
    // The round's images go into a gallery message of its own, under the round's status.
    const galleries = () => kit.fake.messagesIn(card.id).filter((m) => galleryOf(m).length > 0);
    await expect
      .poll(() => galleries().map((m) => galleryOf(m).length), { timeout: 10_000 })
      .toEqual([expect.any(Number), 3]);
    // Round 1's: the five views (its sheets too when they were made before the edit began).
    expect(galleryOf(galleries()[0]!).length).toBeGreaterThanOrEqual(5);
    expect(galleryOf(galleries()[1]!).map((item) => item.description)).toEqual([
      'Side view, edit 2',
      expect.stringMatching(/^Contact sheet/),
      'Spec sheet (PDF on the design page)',
    ]);
    expect(textOf(galleries()[1]!)).toMatch(/^\*\*Side view, edit 2\*\*\n/);
    expect(galleries()[1]!.attachments.map((a) => a.filename)).toEqual([
      'r2-side.png',
      'r2-contact-sheet.png',
      'r2-spec-sheet.png',
    ]);
  });
});
