import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inState, waitFor } from '../../workflow/workflow-harness.ts';
import { members, startDiscordKit, type DiscordKit } from './discord-kit.ts';

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
    await expect
      .poll(
        () =>
          kit.fake
            .messagesIn(card.id)
            .map((m) => m.content)
            .join('\n'),
        { timeout: 10_000 },
      )
      .toContain('Side view, edit 2');
  });
});
