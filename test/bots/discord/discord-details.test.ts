import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isEphemeral,
  looseAttachments,
  type FakeInteraction,
  type FakeMessage,
} from '../../fakes/fake-discord.ts';
import { inState, waitFor } from '../../workflow/workflow-harness.ts';
import { members, startDiscordKit, type DiscordKit } from './discord-kit.ts';
import { componentsOf, galleryOf, textOf } from './discord-v2-read.ts';

/** Issue 14, item 6: what people see of a design in Discord, through the real bot and a fake Discord. */
describe('Discord details', () => {
  let kit: DiscordKit;
  let design: string;

  beforeAll(async () => {
    kit = await startDiscordKit('discord_details');
  });

  afterAll(async () => {
    await kit.close();
  });

  async function privateAnswer(interaction: FakeInteraction): Promise<string> {
    let text: string | undefined;
    await expect
      .poll(
        () => {
          const original = interaction.original();
          const candidates = [...(original ? [original] : []), ...interaction.followUps()];
          return (text = candidates.find((m) => isEphemeral(m) && m.content !== '')?.content);
        },
        { timeout: 10_000 },
      )
      .toBeDefined();
    return text!;
  }

  const cardEdits = (card: FakeMessage) =>
    kit.fake.callsTo('PATCH', new RegExp(`^/channels/${card.channelId}/messages/${card.id}$`));
  const uploads = (card: FakeMessage) => cardEdits(card).filter((call) => call.files.length > 0).length;

  /** The card shows its front view in its gallery, and carries no other file. */
  function expectImageOnceInGallery(card: FakeMessage, name: string) {
    expect(card.attachments.map((a) => a.filename)).toEqual([name]);
    expect(looseAttachments(card)).toEqual([]);
    expect(galleryOf(card).map((item) => item.url)).toEqual([card.attachments[0]!.url]);
  }

  it('links each design in /design history with the prompt as typed, no backslashes', async () => {
    kit.fake.slashCommand('design', {
      subcommand: 'create',
      options: { prompt: 'pour-over kettle [brass], 1.2 l (matte)' },
      userId: members.ada,
    });
    design = await kit.designOf(members.ada);
    await waitFor(kit.h.workflow, design, inState('awaiting_approval'));
    const card = await kit.card(design);

    const history = await privateAnswer(
      kit.fake.slashCommand('design', { subcommand: 'history', userId: members.ada }),
    );
    // Discord shows escapes inside a masked link literally: only the brackets, which would end the link
    // text, change.
    const link = `https://discord.com/channels/${card.guildId}/${card.channelId}/${card.id}`;
    expect(history).toContain(`[pour-over kettle ［brass］, 1.2 l (matte)](${link})`);
    expect(history).not.toContain('\\');
  });

  it('lays the six quick edits out three and three, and asks for changes without naming a product', async () => {
    const { card } = await kit.waitForButton(design, /^Approve/);
    // The card's action rows sit inside its container, under the text and the gallery.
    const rows = componentsOf(card).filter((c) => c.type === 1) as { components: { label: string }[] }[];
    expect(rows.map((row) => row.components.length)).toEqual([3, 3, 3]);
    expect(rows[1]!.components[0]!.label).toMatch(/^More minimal/);

    const opened = kit.fake.clickButton(card, kit.button(card, /^Request changes/), { userId: members.ada });
    expect((await opened.response()).type).toBe(9);
    const input = JSON.stringify(opened.modal());
    expect(input).toContain('"placeholder":"e.g. a warmer colour, rounder edges and a matte finish"');
    expect(input).not.toMatch(/ear cups|band/);
  });

  it('keeps the front view in the card on every edit, and the finished thread says so', async () => {
    let { card } = await kit.waitForButton(design, /^More minimal/);
    kit.fake.clickButton(card, kit.button(card, /^More minimal/), { userId: members.ada });
    await waitFor(kit.h.workflow, design, (d) => d.iteration === 2 && d.state === 'awaiting_approval');
    ({ card } = await kit.waitForButton(design, /^Approve/));
    await expect
      .poll(async () => (await kit.card(design)).attachments.map((a) => a.filename))
      .toEqual(['front-2.png']);
    kit.fake.clickButton(card, kit.button(card, /^Approve/), { userId: members.ada });
    await waitFor(kit.h.workflow, design, inState('completed'));
    await expect.poll(async () => textOf(await kit.card(design)), { timeout: 10_000 }).toContain('charged');

    // Many edits since the upload (approval, each view, completion): each one kept the file in the
    // gallery by id. Each image was sent once.
    card = await kit.card(design);
    expect(cardEdits(card).length).toBeGreaterThan(4);
    expectImageOnceInGallery(card, 'front-2.png');
    expect(uploads(card)).toBe(2);

    // The thread's status says the design is complete, not "Generating …: 4 of 4 done".
    const [status] = kit.fake.messagesIn(card.id);
    await expect
      .poll(() => kit.fake.message(card.id, status!.id)!.content, { timeout: 10_000 })
      .toMatch(/^\*\*Complete: all five views are ready\*\*/);
    expect(kit.fake.message(card.id, status!.id)!.content).not.toContain('Generating');
  });
});
