import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { specSheetPngWidth } from '../../../src/spec-sheet/index.ts';
import { imageKeys } from '../../../src/workflow/design-jobs/image-keys.ts';
import { isEphemeral, type FakeInteraction } from '../../fakes/fake-discord.ts';
import { rerunSheetJobTwice } from '../../workflow/rerun-sheet-job.ts';
import { inState, waitFor } from '../../workflow/workflow-harness.ts';
import { members, startDiscordKit, type DiscordKit } from './discord-kit.ts';

type Embed = { title?: string; description?: string; image?: { url: string } };

describe('Discord bot (real discord.js, fake gateway and REST, real workflow)', () => {
  let kit: DiscordKit;

  beforeAll(async () => {
    kit = await startDiscordKit('discord_journey');
  });

  afterAll(async () => {
    await kit.close();
  });

  const embedOf = (message: { embeds: unknown[] }) => message.embeds[0] as Embed;
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
      .poll(async () => embedOf((card = await kit.card(design))).image?.url ?? '')
      .toContain('front-1.png');
    expect(embedOf(card).title).toBe('wireless headphones in matte black');
    expect(embedOf(card).description).toContain(`Requested by <@${members.ada}>`);
    expect(card.attachments.map((a) => a.filename)).toEqual(['front-1.png']);
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
    expect(embedOf(card).description).toContain('Iteration 3');
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
    await expect
      .poll(async () => embedOf(await kit.card(design)).description ?? '')
      .toContain('5 credits charged');
    card = await kit.card(design);
    expect(embedOf(card).description).toContain(`Approved by <@${members.ada}>`);
    expect(kit.button(card, /^Variation$/)).toMatch(/^facet1:variation:/);
    expect(kit.button(card, /^Edit side view$/)).toMatch(/^facet1:edit_view:/);

    // The thread on the card: a status message edited to the end, then seven images, each once.
    const thread = kit.fake.channel(card.id);
    expect(thread?.type).toBe(11);
    // Notices to people are messages without attachments, after the status.
    const posted = () => kit.fake.messagesIn(card.id);
    await expect.poll(() => posted().length, { timeout: 10_000 }).toBe(9);
    const notices = posted().filter((m, index) => index > 0 && m.attachments.length === 0);
    expect(notices.map((m) => m.content)).toEqual([
      `<@${members.ada}> your design is complete: all five views are in this thread, 5 credits charged.`,
    ]);
    const inThread = () => posted().filter((m) => !notices.includes(m));
    const [status, ...images] = inThread();
    await expect.poll(() => kit.fake.message(card.id, status!.id)!.content).toContain('Done: every view');
    expect(kit.fake.message(card.id, status!.id)!.content).toMatch(/✅ Side: done in \d+ s/);
    expect(images.map((m) => m.attachments[0]!.filename)).toEqual([
      'front-3.png',
      ...images.slice(1, 5).map((m) => m.attachments[0]!.filename),
      'r1-contact-sheet.png',
      'r1-spec-sheet.png',
    ]);
    expect(new Set(images.map((m) => m.attachments[0]!.filename)).size).toBe(7);
    expect(images.at(-1)!.content).toBe('**Spec sheet \\(PDF on the design page\\)**');
    // The spec sheet Discord received is the whole page as one PNG, at the width it is drawn for.
    const spec = await sharp(images.at(-1)!.attachments[0]!.bytes).metadata();
    expect({ format: spec.format, width: spec.width }).toEqual({ format: 'png', width: specSheetPngWidth });
    expect(spec.height).toBeGreaterThan(specSheetPngWidth / 2);
    // The sheet job run again, twice at once (a stalled job taken over): nothing is posted again.
    await rerunSheetJobTwice(kit.h, design, { shownOnCard: true });
    expect(inThread()).toHaveLength(8);
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
