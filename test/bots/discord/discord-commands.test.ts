import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEphemeral, type FakeInteraction } from '../../fakes/fake-discord.ts';
import { inState, waitFor } from '../../workflow/workflow-harness.ts';
import { members, startDiscordKit, type DiscordKit } from './discord-kit.ts';

describe('Discord commands, permissions and bad input', () => {
  let kit: DiscordKit;

  beforeAll(async () => {
    kit = await startDiscordKit('discord_commands');
  });

  afterAll(async () => {
    await kit.close();
  });

  /** The private text an interaction was answered with: an ephemeral reply, edit or follow-up. */
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

  const run = (subcommand: string, userId: string, options: Record<string, string | number | boolean> = {}) =>
    kit.fake.slashCommand('design', { subcommand, options, userId });

  it('answers credits, history and help privately, timing each acknowledgement', async () => {
    const timed = kit.acks.length;
    expect(await privateAnswer(run('credits', members.bob))).toMatch(/You have 10 credits available/);
    expect(await privateAnswer(run('history', members.bob))).toMatch(/no designs yet/);
    expect(await privateAnswer(run('help', members.bob))).toMatch(/\/design create prompt:<description>/);
    const acks = kit.acks.slice(timed);
    expect(acks).toHaveLength(3);
    for (const seconds of acks) expect(seconds).toBeGreaterThan(0);
    for (const seconds of acks) expect(seconds).toBeLessThan(3);
  });

  it('lets members with Manage Server grant credits and change settings; refuses everyone else', async () => {
    expect(await privateAnswer(run('grant', members.bob, { user: members.bob, amount: 50 }))).toMatch(
      /Only members with the Manage Server permission/,
    );
    expect(await privateAnswer(run('grant', members.mia, { user: members.bob, amount: 50 }))).toMatch(
      new RegExp(`Granted 50 credits to <@${members.bob}>: they now have 60 available`),
    );
    expect(
      await privateAnswer(run('settings', members.bob, { approver_role: '3000000000000000002' })),
    ).toMatch(/Only members with the Manage Server/);
    expect(
      await privateAnswer(
        run('settings', members.mia, { approver_role: '3000000000000000002', price_design: 4 }),
      ),
    ).toMatch(/Settings saved[\s\S]*<@&3000000000000000002>[\s\S]*design 4/);

    // Now only "leads" (and managers) approve: the requester is refused, lee is not.
    const command = run('create', members.bob, { prompt: 'a cast-iron skillet' });
    await command.response();
    const design = await kit.designOf(members.bob);
    const ready = await waitFor(kit.h.workflow, design, inState('awaiting_approval'));
    expect(ready.held).toBe(4);
    const { card, id } = await kit.waitForButton(design, /^Approve\b/);
    const refused = kit.fake.clickButton(card, id, { userId: members.bob });
    expect(await privateAnswer(refused)).toMatch(
      /In this workspace approvers approve designs, not the person who asked for them/,
    );
    const approved = kit.fake.clickButton(card, id, { userId: members.lee });
    await approved.response();
    const done = await waitFor(kit.h.workflow, design, inState('completed', 'failed'));
    expect(done).toMatchObject({ state: 'completed', approvedBy: members.lee, charged: 4 });
    expect(
      await privateAnswer(run('settings', members.mia, { clear_approver: true, price_design: 3 })),
    ).toMatch(/Requesters approve their own designs: yes \(the default\)/);
  });

  it('usage and the monthly AI budget: managers only; set and cleared with settings options', async () => {
    expect(await privateAnswer(run('usage', members.bob))).toMatch(/Only members with the Manage Server/);
    expect(
      await privateAnswer(run('settings', members.mia, { monthly_budget_usd: 12.5, clear_budget: true })),
    ).toMatch(/Give a monthly budget or clear it, not both; nothing was changed/);
    expect(await privateAnswer(run('settings', members.mia, { monthly_budget_usd: 12.5 }))).toMatch(
      /Settings saved[\s\S]*Monthly AI budget: \$12\.50/,
    );
    const budget = () =>
      kit.h.test.db
        .selectFrom('workspaces')
        .select(['monthly_budget_cents', 'settings_saved_by'])
        .where('platform', '=', 'discord')
        .executeTakeFirstOrThrow();
    expect(await budget()).toEqual({ monthly_budget_cents: 1250, settings_saved_by: members.mia });
    const usage = await privateAnswer(run('usage', members.mia));
    // Discord escapes markdown inside the bold heading.
    expect(usage).toMatch(/AI usage in \w+ \d{4} \\?\(UTC\\?\)/);
    expect(usage).toMatch(/Monthly AI budget: \$12\.50 \(set in \/design settings\), \d+% used/);
    expect(await privateAnswer(run('settings', members.mia, { clear_budget: true }))).toMatch(
      /Monthly AI budget: the operator’s default/,
    );
    expect(await budget()).toEqual({ monthly_budget_cents: null, settings_saved_by: members.mia });
  });

  it('explains missing credits and a forged over-long prompt, reserving nothing', async () => {
    const workspaceId = await kit.workspaceId();
    for (let i = 0; i < 3; i++)
      await kit.h.ledger.reserve({
        account: { workspaceId, userId: members.ada },
        subject: `drain-${i}`,
        amount: 3,
        key: `discord-drain-${i}`,
        expiresAt: new Date(Date.now() + 60_000),
      });
    const poor = run('create', members.ada, { prompt: 'a reading lamp' });
    expect(await privateAnswer(poor)).toMatch(/This needs 3 credits and you have 1 available/);
    // The public "thinking…" reply was removed: nobody else sees a refusal.
    await expect.poll(() => poor.original()?.deleted ?? true).toBe(true);
    const forged = kit.fake.dispatchInteraction({
      type: 2,
      userId: members.mia,
      data: {
        id: '9000000000000000001',
        name: 'design',
        type: 1,
        options: [
          { type: 1, name: 'create', options: [{ type: 3, name: 'prompt', value: 'x'.repeat(2001) }] },
        ],
      },
    });
    expect(await privateAnswer(forged)).toMatch(/too long: keep it to 2000 characters or fewer/);
    const rows = await kit.h.test.db
      .selectFrom('designs')
      .select('id')
      .where('requester_id', 'in', [members.ada, members.mia])
      .execute();
    expect(rows).toHaveLength(0);
  });

  it('names a missing channel permission instead of failing, and changes nothing', async () => {
    kit.fake.denyChannel(kit.fake.channelId, 'CREATE_PUBLIC_THREADS');
    try {
      const denied = run('create', members.mia, { prompt: 'a ceramic vase' });
      expect(await privateAnswer(denied)).toMatch(
        /needs these permissions in this channel: Create Public Threads/,
      );
    } finally {
      kit.fake.allowChannel(kit.fake.channelId);
    }
    const rows = await kit.h.test.db
      .selectFrom('designs')
      .select('id')
      .where('requester_id', '=', members.mia)
      .execute();
    expect(rows).toHaveLength(0);
  });

  it('counts a double click once, refuses a finished design, an unknown button, and starts a variation card', async () => {
    run('create', members.mia, { prompt: 'a titanium bike frame' });
    const design = await kit.designOf(members.mia);
    await waitFor(kit.h.workflow, design, inState('awaiting_approval'));
    const { card, id } = await kit.waitForButton(design, /^Approve\b/);
    const first = kit.fake.clickButton(card, id, { userId: members.mia });
    const second = kit.fake.clickButton(card, id, { userId: members.mia });
    await Promise.all([first.response(), second.response()]);
    const done = await waitFor(kit.h.workflow, design, inState('completed', 'failed'));
    expect(done).toMatchObject({ state: 'completed', charged: 3 });
    const loser = await Promise.race([privateAnswer(first), privateAnswer(second)]);
    expect(loser).toMatch(/already been approved/);

    const late = kit.fake.dispatchInteraction({
      type: 3,
      data: { custom_id: `facet1:cancel:${design}`, component_type: 2 },
      message: card,
      userId: members.mia,
    });
    expect(await privateAnswer(late)).toMatch(/already been approved|finished; nothing was changed/);
    const unknown = kit.fake.dispatchInteraction({
      type: 3,
      data: { custom_id: 'legacy:approve:42', component_type: 2 },
      message: card,
      userId: members.mia,
    });
    expect(await privateAnswer(unknown)).toMatch(/not one of ours/);

    const { card: finished, id: variation } = await kit.waitForButton(design, /^Variation$/);
    kit.fake.clickButton(finished, variation, { userId: members.mia });
    let child: string | undefined;
    await expect
      .poll(
        async () =>
          (child = (
            await kit.h.test.db
              .selectFrom('designs')
              .select('id')
              .where('parent_design_id', '=', design)
              .executeTakeFirst()
          )?.id),
        { timeout: 10_000 },
      )
      .toBeDefined();
    await waitFor(kit.h.workflow, child!, inState('awaiting_approval'));
    const variationCard = await kit.waitForButton(child!, /^Approve\b/);
    expect(variationCard.card.id).not.toBe(card.id);
    expect(variationCard.card.attachments.map((a) => a.filename)).toEqual(['front-1.png']);
  });
});
