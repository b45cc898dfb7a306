import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEphemeral, type FakeInteraction, type FakeMessage } from '../../fakes/fake-discord.ts';
import { inState, waitFor } from '../../workflow/workflow-harness.ts';
import { members, startDiscordKit, type DiscordKit } from './discord-kit.ts';

const leadsRole = '3000000000000000002';

type Row = { components: { label?: string; custom_id?: string }[] };

/**
 * `/design pending` through discord.js and the fake Discord: privately, exactly the designs the caller
 * may approve, each with buttons that work as the card's do.
 */
describe('Discord /design pending', () => {
  let kit: DiscordKit;

  beforeAll(async () => {
    kit = await startDiscordKit('discord_pending');
  });

  afterAll(async () => {
    await kit.close();
  });

  async function waitingDesign(userId: string, prompt: string): Promise<string> {
    await kit.fake.slashCommand('design', { subcommand: 'create', options: { prompt }, userId }).response();
    const id = await kit.designOf(userId);
    await waitFor(kit.h.workflow, id, inState('awaiting_approval'));
    await kit.waitForButton(id, /^Approve\b/);
    return id;
  }

  /** The private answer of a command, once its deferred reply is filled in. */
  async function privateList(interaction: FakeInteraction): Promise<FakeMessage> {
    let answer: FakeMessage | undefined;
    await expect
      .poll(() => {
        const original = interaction.original();
        return (answer = original && isEphemeral(original) && original.content !== '' ? original : undefined);
      })
      .toBeDefined();
    return answer!;
  }

  const buttonsOf = (message: FakeMessage) =>
    (message.components as Row[]).map((row) => row.components.map((b) => [b.label, b.custom_id]));

  it('lists privately exactly what the caller may approve, with Approve and Decline that work', async () => {
    const kettle = await waitingDesign(members.bob, 'an enamel kettle');
    const stool = await waitingDesign(members.ada, 'an oak stool with three legs');
    // Leads approve; requesters no longer approve their own.
    await kit.h.test.db
      .updateTable('workspaces')
      .set({ approver_group: leadsRole })
      .where('external_id', '=', kit.fake.guild.id)
      .execute();

    const forLee = await privateList(
      kit.fake.slashCommand('design', { subcommand: 'pending', userId: members.lee }),
    );
    expect(forLee.content).toMatch(
      new RegExp(
        `^\\*\\*Waiting for your approval\\*\\* \\(oldest first\\)\\n1\\. an enamel kettle by <@${members.bob}>: iteration 1, 3 credits reserved, waiting .+\\n2\\. an oak stool with three legs by <@${members.ada}>`,
      ),
    );
    expect(buttonsOf(forLee)).toEqual([
      [
        ['Approve #1 (3 credits)', `facet1:approve:${kettle}:1`],
        ['Decline #1', `facet1:decline:${kettle}:1`],
      ],
      [
        ['Approve #2 (3 credits)', `facet1:approve:${stool}:1`],
        ['Decline #2', `facet1:decline:${stool}:1`],
      ],
    ]);

    // The requester may not approve their own design any more: nothing waits for them, and no buttons.
    const forBob = await privateList(
      kit.fake.slashCommand('design', { subcommand: 'pending', userId: members.bob }),
    );
    expect(forBob.content).toBe('Nothing is waiting for your approval.');
    expect(forBob.components).toEqual([]);

    // A stranger pressing the list's Approve (had they the message) is refused privately; lee's approves.
    const refused = kit.fake.clickButton(forLee, `facet1:approve:${kettle}:1`, { userId: members.bob });
    await refused.response();
    await expect
      .poll(() => refused.followUps().find(isEphemeral)?.content)
      // bob asked for it, and requesters do not approve their own here.
      .toMatch(/approvers approve designs, not the person who asked for them/);
    expect((await kit.h.workflow.service.snapshot(kettle))!.state).toBe('awaiting_approval');
    kit.fake.clickButton(forLee, `facet1:approve:${kettle}:1`, { userId: members.lee });
    expect(await waitFor(kit.h.workflow, kettle, (d) => d.state !== 'awaiting_approval')).toMatchObject({
      approvedBy: members.lee,
    });

    // Decline opens the reason form first; its reason declines the design.
    const opened = kit.fake.clickButton(forLee, `facet1:decline:${stool}:1`, { userId: members.lee });
    expect((await opened.response()).type).toBe(9);
    kit.fake.submitModal(opened, { reason: 'not our range' }, { userId: members.lee });
    expect(await waitFor(kit.h.workflow, stool, inState('declined'))).toMatchObject({
      declined: { by: members.lee, reason: 'not our range' },
    });

    // Once decided, the list is empty again.
    const after = await privateList(
      kit.fake.slashCommand('design', { subcommand: 'pending', userId: members.lee }),
    );
    expect(after.content).toBe('Nothing is waiting for your approval.');
    await waitFor(kit.h.workflow, kettle, inState('completed'));
    expect(kit.fake.problems).toEqual([]);
  });
});
