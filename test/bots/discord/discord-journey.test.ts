import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { specSheetPngWidth } from '../../../src/spec-sheet/index.ts';
import { imageKeys } from '../../../src/workflow/design-jobs/image-keys.ts';
import { isEphemeral, type FakeInteraction } from '../../fakes/fake-discord.ts';
import { rerunSheetJobTwice } from '../../workflow/rerun-sheet-job.ts';
import { inState, waitFor } from '../../workflow/workflow-harness.ts';
import { members, startDiscordKit, type DiscordKit } from './discord-kit.ts';
import { galleryOf, textOf } from './discord-v2-read.ts';

describe('Discord bot (real discord.js, fake gateway and REST, real workflow)', () => {
  let kit: DiscordKit;

  beforeAll(async () => {
    kit = await startDiscordKit('discord_journey');
  });

  afterAll(async () => {
    await kit.close();
  });

  const lastEphemeral = (interaction: FakeInteraction) =>
    interaction.followUps().find((m) => isEphemeral(m))?.content;

  it('runs the journey: deferral, card, quick edit, modal edit, restart, approve, thread, charged', async () => {
    const command = kit.fake.slashCommand('design', {
      subcommand: 'create',
      options: { prompt: 'wireless headphones in matte black' },
      userId: members.ada,
    });
    const deferral = await command.response();
    expect(deferral.type).toBe(5);
    expect(deferral.at - command.dispatchedAt).toBeLessThan(3000);

    const design = await kit.designOf(members.ada);
    await waitFor(kit.h.workflow, design, inState('awaiting_approval'));
    let card = await kit.card(design);
    await expect
      .poll(async () => galleryOf((card = await kit.card(design)))[0]?.url ?? '')
      .toContain('front-1.png');
    // A Components V2 card: no content, no embed; a container of text, the gallery and the buttons.
    expect(card.flags & (1 << 15)).not.toBe(0);
    expect({ content: card.content, embeds: card.embeds }).toEqual({ content: '', embeds: [] });
    expect(textOf(card)).toMatch(/^### wireless headphones in matte black\n/);
    expect(textOf(card)).toContain(`Requested by <@${members.ada}>`);
    expect(card.attachments.map((a) => a.filename)).toEqual(['front-1.png']);
    expect(galleryOf(card)).toEqual([
      expect.objectContaining({
        attachment_id: card.attachments[0]!.id,
        description: 'Front view, iteration 1',
      }),
    ]);
    const stored = await kit.h.images.get(imageKeys.front(design, 1));
    expect(card.attachments[0]!.bytes.equals(stored)).toBe(true);

    // A quick edit: the click is acknowledged as an update; the card gets iteration 2's image.
    ({ card } = await kit.waitForButton(design, /^More minimal\b/));
    const minimal = kit.fake.clickButton(card, kit.button(card, /^More minimal\b/), { userId: members.ada });
    expect((await minimal.response()).type).toBe(6);
    await waitFor(kit.h.workflow, design, (d) => d.iteration === 2 && d.state === 'awaiting_approval');
    await expect
      .poll(async () => (await kit.card(design)).attachments.map((a) => a.filename))
      .toEqual(['front-2.png']);

    // Request changes: the modal is the first answer; feedback comes back through it.
    ({ card } = await kit.waitForButton(design, /^Request changes/));
    const opened = kit.fake.clickButton(card, kit.button(card, /^Request changes/), { userId: members.ada });
    expect((await opened.response()).type).toBe(9);
    const submitted = kit.fake.submitModal(
      opened,
      { feedback: 'make the band thinner' },
      { userId: members.ada },
    );
    expect((await submitted.response()).type).toBe(6);
    const third = await waitFor(
      kit.h.workflow,
      design,
      (d) => d.iteration === 3 && d.state === 'awaiting_approval',
    );
    expect(third.held).toBe(5);

    // Someone else may not approve; an old iteration's Approve is refused. Both privately; nothing changes.
    ({ card } = await kit.waitForButton(design, /^Approve\b/));
    expect(textOf(card)).toContain('Iteration 3');
    const stranger = kit.fake.clickButton(card, kit.button(card, /^Approve\b/), { userId: members.bob });
    await stranger.response();
    await expect.poll(() => lastEphemeral(stranger)).toMatch(/Only the person who asked/);
    const old = kit.fake.dispatchInteraction({
      type: 3,
      data: { custom_id: `facet1:approve:${design}:1`, component_type: 2 },
      message: card,
      userId: members.ada,
    });
    await expect.poll(() => lastEphemeral(old)).toMatch(/earlier iteration/);
    expect((await kit.h.workflow.service.snapshot(design))!.state).toBe('awaiting_approval');

    // Sixteen minutes pass (the command's interaction token is dead) and the bot restarts between the front
    // view and Approve: the buttons on the card still work and the card still updates.
    kit.fake.advanceTime(16 * 60_000);
    await kit.restart();
    card = await kit.card(design);
    // Discord rate-limits the next card edits: discord.js's REST queue waits and retries them.
    kit.fake.rateLimit('PATCH', new RegExp(`^/channels/${card.channelId}/messages/${card.id}$`), 2);
    const approve = kit.fake.clickButton(card, kit.button(card, /^Approve\b/), { userId: members.ada });
    expect((await approve.response()).type).toBe(6);
    const done = await waitFor(kit.h.workflow, design, inState('completed', 'failed'));
    expect(done).toMatchObject({ state: 'completed', charged: 5, approvedBy: members.ada });

    // The card says who approved and what was charged, and offers Variation and Edit view.
    await expect.poll(async () => textOf(await kit.card(design))).toContain('5 credits charged');
    card = await kit.card(design);
    expect(textOf(card)).toContain(`Approved by <@${members.ada}>`);
    expect(kit.button(card, /^Variation$/)).toMatch(/^facet1:variation:/);
    expect(kit.button(card, /^Edit side view$/)).toMatch(/^facet1:edit_view:/);

    // The thread on the card: a status message edited to the end, then ONE gallery message that grew
    // to all seven images as they finished, then the notice to the requester.
    const thread = kit.fake.channel(card.id);
    expect(thread?.type).toBe(11);
    const posted = () => kit.fake.messagesIn(card.id);
    await expect.poll(() => posted().length, { timeout: 10_000 }).toBe(3);
    await expect.poll(() => galleryOf(posted()[1]!).length, { timeout: 10_000 }).toBe(7);
    const [status, gallery, notice] = posted();
    expect(notice!.content).toBe(
      `<@${members.ada}> your design is complete: all five views are in this thread, 5 credits charged.`,
    );
    await expect.poll(() => kit.fake.message(card.id, status!.id)!.content).toContain('Done: every view');
    expect(kit.fake.message(card.id, status!.id)!.content).toMatch(/✅ Side: done in \d+ s/);
    const shown = kit.fake.message(card.id, gallery!.id)!;
    expect(shown.flags & (1 << 15)).not.toBe(0);
    const names = shown.attachments.map((a) => a.filename);
    expect(names).toEqual(['front-3.png', ...names.slice(1, 5), 'r1-contact-sheet.png', 'r1-spec-sheet.png']);
    expect(names.slice(1, 5).sort()).toEqual(['r1-back.png', 'r1-bottom.png', 'r1-side.png', 'r1-top.png']);
    // Each item shows its own file, described by its title; the text above names them in order.
    expect(galleryOf(shown).map((item) => item.attachment_id)).toEqual(shown.attachments.map((a) => a.id));
    expect(galleryOf(shown).at(-1)!.description).toBe('Spec sheet (PDF on the design page)');
    expect(textOf(shown).split('\n').at(-1)).toBe('**Spec sheet \\(PDF on the design page\\)**');
    // Files were sent once each: the gallery was edited as views finished, keeping what it had by id.
    const sentFiles = kit.fake.calls
      .filter((call) => call.path.startsWith(`/channels/${card.id}/messages`))
      .flatMap((call) => call.files.map((file) => file.name));
    expect(sentFiles.sort()).toEqual([...names].sort());
    expect(
      kit.fake
        .callsTo('PATCH', `/channels/${card.id}/messages/${gallery!.id}`)
        .filter((c) => c.status === 200).length,
    ).toBeGreaterThan(0);
    // The spec sheet Discord received is the whole page as one PNG, at the width it is drawn for.
    const spec = await sharp(shown.attachments.at(-1)!.bytes).metadata();
    expect({ format: spec.format, width: spec.width }).toEqual({ format: 'png', width: specSheetPngWidth });
    expect(spec.height).toBeGreaterThan(specSheetPngWidth / 2);
    // The sheet job run again, twice at once (a stalled job taken over): nothing is posted again.
    await rerunSheetJobTwice(kit.h, design, { shownOnCard: true });
    expect(posted()).toHaveLength(3);
    expect(kit.fake.message(card.id, gallery!.id)!.attachments).toHaveLength(7);
    // Every update after the first reply went through the bot's REST API, never an interaction token.
    const tokenEdits = kit.fake.callsTo('PATCH', /^\/webhooks\//);
    expect(tokenEdits.length).toBeLessThanOrEqual(1);
    expect(
      kit.fake.callsTo('PATCH', new RegExp(`^/channels/${card.channelId}/messages/${card.id}$`)).length,
    ).toBeGreaterThan(3);
    const balance = await kit.h.ledger.balance({ workspaceId: await kit.workspaceId(), userId: members.ada });
    expect(balance).toEqual({ balance: 5, held: 0, available: 5 });
    expect(
      kit.fake
        .callsTo('PATCH', new RegExp(`^/channels/${card.channelId}/messages/`))
        .filter((c) => c.status === 429),
    ).toHaveLength(2);
    expect(kit.fake.problems).toEqual([]);
  });
});
