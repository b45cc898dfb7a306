import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEphemeral, type FakeInteraction } from '../../fakes/fake-discord.ts';
import { inState, waitFor } from '../../workflow/workflow-harness.ts';
import { elsewhereGuildId, members, startDiscordKit, type DiscordKit } from './discord-kit.ts';
import { galleryOf, textOf } from './discord-v2-read.ts';

/**
 * Issue 20 part 3: `/design` as a user install, where the bot is not (a server without it, a DM). The
 * credits are the person's own, they approve their own designs, and the card is the interaction's
 * own message, edited and followed up through interaction webhooks only.
 */
/** Both transports: the gateway bot, and the web role's /discord/interactions with signed POSTs. */
describe.each(['gateway', 'http'] as const)('over %s', (transport) => {
  describe('Discord user installs (real discord.js, loopback Discord, real workflow)', () => {
    let kit: DiscordKit;
    let elsewhere: string;

    beforeAll(async () => {
      kit = await startDiscordKit(`discord_user_install_${transport}`, { userInstalls: true, transport });
      elsewhere = kit.fake.guilds.find((guild) => guild.id === elsewhereGuildId)!.channels[0]!.id;
    });

    afterAll(async () => {
      await kit.close();
    });

    const lastEphemeral = (interaction: FakeInteraction) =>
      interaction.followUps().find((m) => isEphemeral(m))?.content ?? interaction.original()?.content;
    /** REST calls with the bot token on a channel (posting, editing, threads): none may touch these. */
    const botCallsOn = (channelId: string) =>
      kit.fake.calls.filter((call) => call.auth === 'bot' && call.path.startsWith(`/channels/${channelId}`));

    const designWithPrompt = async (prompt: string) => {
      let id: string | undefined;
      await expect
        .poll(
          async () =>
            (id = (
              await kit.h.test.db
                .selectFrom('designs')
                .select('id')
                .where('prompt', '=', prompt)
                .executeTakeFirst()
            )?.id),
          { timeout: 10_000 },
        )
        .toBeDefined();
      return id!;
    };

    const workspaceOf = async (designId: string) =>
      kit.h.test.db
        .selectFrom('designs')
        .innerJoin('workspaces', 'workspaces.id', 'designs.workspace_id')
        .select(['workspaces.external_id', 'workspaces.id', 'workspaces.approver_group'])
        .where('designs.id', '=', designId)
        .executeTakeFirstOrThrow();

    it('creates a design in a server without the bot, charged to the personal workspace, card by webhook', async () => {
      const command = kit.fake.slashCommand('design', {
        subcommand: 'create',
        options: { prompt: 'a folding bicycle helmet' },
        channelId: elsewhere,
        userId: members.ada,
      });
      expect(command.payload).toMatchObject({
        context: 0,
        authorizing_integration_owners: { '1': members.ada },
      });
      expect((await command.response()).type).toBe(5);
      // It came the way the kit was set up: as a signed POST answered in its HTTP response, or the gateway.
      expect(command.http() !== undefined).toBe(transport === 'http');
      const design = await designWithPrompt('a folding bicycle helmet');
      const workspace = await workspaceOf(design);
      expect(workspace).toMatchObject({ external_id: `user:${members.ada}`, approver_group: null });
      const ready = await waitFor(kit.h.workflow, design, inState('awaiting_approval'));
      expect(ready.held).toBe(3);
      const account = await kit.h.test.db
        .selectFrom('credit_accounts')
        .select('workspace_id')
        .where('user_id', '=', members.ada)
        .where('workspace_id', '=', workspace.id)
        .executeTakeFirst();
      expect(account).toBeDefined();

      // The card is the command's own reply, and shows the front view once it exists.
      let { card } = await kit.waitForButton(design, /^Approve\b/);
      expect(card.id).toBe(command.original()?.id);
      expect(card.channelId).toBe(elsewhere);
      await expect
        .poll(async () => galleryOf((card = await kit.card(design)))[0]?.url ?? '')
        .toContain('front-1.png');

      // Someone else in that server is not its approver: refused privately, nothing changes.
      const stranger = kit.fake.clickButton(card, kit.button(card, /^Approve\b/), { userId: members.bob });
      expect((await stranger.response()).type).toBe(6);
      await expect.poll(() => lastEphemeral(stranger) ?? '').toMatch(/Only the person who asked/);
      expect((await kit.h.workflow.service.snapshot(design))?.state).toBe('awaiting_approval');

      // The requester approves their own design; the views arrive as follow-ups under the card.
      ({ card } = await kit.waitForButton(design, /^Approve\b/));
      const approve = kit.fake.clickButton(card, kit.button(card, /^Approve\b/), { userId: members.ada });
      expect((await approve.response()).type).toBe(6);
      const done = await waitFor(kit.h.workflow, design, inState('completed'));
      expect(done.charged).toBeGreaterThan(0);
      await expect
        .poll(
          () =>
            kit.fake
              .messagesIn(elsewhere)
              .flatMap((message) => message.attachments.map((file) => file.filename))
              .filter((name) => /^r1-(back|side|top|bottom)\.png$/.test(name)).length,
          { timeout: 15_000 },
        )
        .toBe(4);
      // The round's views are one gallery follow-up, grown by edits that send only the new files.
      const galleries = kit.fake.messagesIn(elsewhere).filter((message) => galleryOf(message).length > 1);
      expect(galleries).toHaveLength(1);
      const viewUploads = kit.fake.calls
        .filter((call) => call.path.startsWith('/webhooks/'))
        .flatMap((call) => call.files.map((file) => file.name))
        .filter((name) => /^r1-(back|side|top|bottom)\.png$/.test(name));
      expect(viewUploads.sort()).toEqual(['r1-back.png', 'r1-bottom.png', 'r1-side.png', 'r1-top.png']);
      await expect.poll(async () => textOf(await kit.card(design))).toMatch(/Approved by/);
      // The card was edited after its front view arrived (approval, each view) but sent it once: later
      // edits keep it by the id the message shows it under.
      const cardEdits = kit.fake.calls.filter(
        (call) => call.method === 'PATCH' && call.path.endsWith('/messages/@original'),
      );
      const withFront = cardEdits.filter((call) => call.files.some((file) => file.name === 'front-1.png'));
      expect(withFront).toHaveLength(1);
      expect(cardEdits.indexOf(withFront[0]!)).toBeLessThan(cardEdits.length - 2);
      expect(galleryOf(await kit.card(design))[0]?.url ?? '').toContain('front-1.png');

      // Everything went through interaction webhooks: the bot never called on the channel, no thread.
      expect(botCallsOn(elsewhere)).toEqual([]);
      const webhookCalls = kit.fake.calls.filter((call) => call.path.startsWith('/webhooks/'));
      expect(webhookCalls.length).toBeGreaterThan(5);
      // Interaction webhooks need no bot token, and none is sent with them.
      expect(webhookCalls.filter((call) => call.auth !== 'none')).toEqual([]);
      expect(webhookCalls.filter((call) => call.status >= 400)).toEqual([]);
      expect(kit.fake.problems).toEqual([]);
      expect(kit.fake.guilds.find((guild) => guild.id === elsewhereGuildId)?.channels).toHaveLength(1);
      const sealed = await kit.h.test.db
        .selectFrom('card_tokens')
        .select(['sealed_token', 'message_ref'])
        .where('card_ref', '=', card.id)
        .executeTakeFirstOrThrow();
      // Kept sealed: the token in clear is nowhere in the row.
      expect(sealed.sealed_token).not.toContain(approve.token);
      expect(sealed.sealed_token).not.toContain('fake-interaction');
      expect(sealed.message_ref).toBe('@original');
    });

    it('starts a variation from a finished card as a follow-up card, edited through the same webhook', async () => {
      const parent = await designWithPrompt('a folding bicycle helmet');
      const { card } = await kit.waitForButton(parent, /^Variation\b/);
      const click = kit.fake.clickButton(card, kit.button(card, /^Variation\b/), { userId: members.ada });
      expect((await click.response()).type).toBe(6);
      let variation: string | undefined;
      await expect
        .poll(
          async () =>
            (variation = (
              await kit.h.test.db
                .selectFrom('designs')
                .select('id')
                .where('parent_design_id', '=', parent)
                .executeTakeFirst()
            )?.id),
          { timeout: 10_000 },
        )
        .toBeDefined();
      await waitFor(kit.h.workflow, variation!, inState('awaiting_approval'));
      await expect
        .poll(async () => galleryOf(await kit.card(variation!))[0]?.url ?? '', { timeout: 10_000 })
        .toContain('front-1.png');
      const shown = await kit.card(variation!);
      expect(click.followUps().map((message) => message.id)).toContain(shown.id);
      expect(shown.channelId).toBe(elsewhere);
      expect((await workspaceOf(variation!)).external_id).toBe(`user:${members.ada}`);
      expect(botCallsOn(elsewhere)).toEqual([]);
    });

    it("creates a design in a DM with the bot, in the sender's personal workspace, card by webhook", async () => {
      const dm = kit.fake.openDm(members.bob, 'bot');
      const command = kit.fake.slashCommand('design', {
        subcommand: 'create',
        options: { prompt: 'a desk lamp shaped like a heron' },
        channelId: dm,
        userId: members.bob,
      });
      expect(command.payload).toMatchObject({ context: 1 });
      expect((await command.response()).type).toBe(5);
      const design = await designWithPrompt('a desk lamp shaped like a heron');
      expect((await workspaceOf(design)).external_id).toBe(`user:${members.bob}`);
      await waitFor(kit.h.workflow, design, inState('awaiting_approval'));
      const { card } = await kit.waitForButton(design, /^Approve\b/);
      expect(card.channelId).toBe(dm);
      expect(card.id).toBe(command.original()?.id);
      expect(botCallsOn(dm)).toEqual([]);
    });

    it('refuses a grant to someone else in a personal workspace, and changes nothing', async () => {
      const dm = kit.fake.openDm(members.bob, 'private');
      const grant = kit.fake.slashCommand('design', {
        subcommand: 'grant',
        options: { user: members.ada, amount: 50 },
        channelId: dm,
        userId: members.bob,
      });
      expect((await grant.response()).type).toBe(4);
      expect(grant.original()?.content).toMatch(/Your personal credits are yours alone/);
      const accounts = await kit.h.test.db
        .selectFrom('credit_accounts')
        .innerJoin('workspaces', 'workspaces.id', 'credit_accounts.workspace_id')
        .select('credit_accounts.user_id')
        .where('workspaces.external_id', '=', `user:${members.bob}`)
        .execute();
      expect(accounts.map((account) => account.user_id)).not.toContain(members.ada);
    });

    it('refuses an approver role in a personal workspace, and changes nothing', async () => {
      const settings = kit.fake.slashCommand('design', {
        subcommand: 'settings',
        options: { approver_role: elsewhereGuildId },
        channelId: elsewhere,
        userId: members.ada,
      });
      expect((await settings.response()).type).toBe(4);
      expect(settings.original()?.content).toMatch(/You approve your own designs here/);
      const workspace = await kit.h.test.db
        .selectFrom('workspaces')
        .select('approver_group')
        .where('external_id', '=', `user:${members.ada}`)
        .executeTakeFirstOrThrow();
      expect(workspace.approver_group).toBeNull();
    });

    it('heals a card whose token died at the next click', async () => {
      const command = kit.fake.slashCommand('design', {
        subcommand: 'create',
        options: { prompt: 'a ceramic pour-over kettle' },
        channelId: elsewhere,
        userId: members.ada,
      });
      await command.response();
      const design = await designWithPrompt('a ceramic pour-over kettle');
      await waitFor(kit.h.workflow, design, inState('awaiting_approval'));
      const { card } = await kit.waitForButton(design, /^Cancel\b/);

      // 16 minutes later the token is dead: a change made meanwhile cannot reach the card.
      kit.fake.advanceTime(16 * 60_000);
      const cancelled = await kit.h.workflow.service.cancel({
        designId: design,
        actor: { userId: members.ada, isAdmin: false, groups: [] },
      });
      expect(cancelled.ok).toBe(true);
      await expect
        .poll(() =>
          kit.fake.calls
            .filter((call) => /^\/webhooks\/.*\/messages\/@original$/.test(call.path))
            .some((call) => call.status === 401),
        )
        .toBe(true);
      expect((await kit.card(design)).components).not.toEqual([]);
      expect(textOf(await kit.card(design))).not.toMatch(/Cancelled/i);

      // The next click (a stale button now) is refused, and its fresh token shows the newest state.
      const click = kit.fake.clickButton(card, kit.button(card, /^Cancel\b/), { userId: members.ada });
      expect((await click.response()).type).toBe(6);
      await expect
        .poll(async () => textOf(await kit.card(design)), { timeout: 10_000 })
        .toMatch(/Cancelled/i);
      expect(botCallsOn(elsewhere)).toEqual([]);
    });
  });

  describe('Discord autocomplete of `/design history design:`', () => {
    let kit: DiscordKit;

    beforeAll(async () => {
      kit = await startDiscordKit(`discord_autocomplete_${transport}`, { userInstalls: true, transport });
    });

    afterAll(async () => {
      await kit.close();
    });

    const create = async (userId: string, prompt: string, channelId?: string) => {
      const command = kit.fake.slashCommand('design', {
        subcommand: 'create',
        options: { prompt },
        userId,
        ...(channelId ? { channelId } : {}),
      });
      await command.response();
      await expect
        .poll(async () =>
          kit.h.test.db.selectFrom('designs').select('id').where('prompt', '=', prompt).executeTakeFirst(),
        )
        .toBeDefined();
    };

    const autocomplete = async (userId: string, typed: string, channelId?: string) => {
      const interaction = kit.fake.dispatchInteraction({
        type: 4,
        userId,
        ...(channelId ? { channelId } : {}),
        data: {
          id: '9000000000000000002',
          name: 'design',
          type: 1,
          options: [
            { type: 1, name: 'history', options: [{ type: 4, name: 'design', value: typed, focused: true }] },
          ],
        },
      });
      const answer = await interaction.response();
      expect(answer.type).toBe(8);
      expect(answer.at - interaction.dispatchedAt).toBeLessThan(3000);
      return (answer.data?.choices ?? []) as { name: string; value: number }[];
    };

    it("answers only the person's own designs in this workspace, newest first, by position", async () => {
      await create(members.ada, 'a walnut bookshelf');
      await create(members.bob, "bob's bicycle bell");
      await create(members.ada, 'a glass teapot');
      const choices = await autocomplete(members.ada, '');
      expect(choices).toEqual([
        { name: expect.stringMatching(/^1\. a glass teapot \(/) as string, value: 1 },
        { name: expect.stringMatching(/^2\. a walnut bookshelf \(/) as string, value: 2 },
      ]);
      expect(await autocomplete(members.ada, 'WALNUT')).toEqual([choices[1]]);
      expect(await autocomplete(members.lee, '')).toEqual([]);
    });

    it('answers from the personal workspace in a user-install context', async () => {
      const elsewhere = kit.fake.guilds.find((guild) => guild.id === elsewhereGuildId)!.channels[0]!.id;
      await create(members.ada, 'a personal umbrella stand', elsewhere);
      const choices = await autocomplete(members.ada, '', elsewhere);
      expect(choices.map((choice) => choice.name)).toEqual([
        expect.stringMatching(/^1\. a personal umbrella stand/) as string,
      ]);
    });
  });
});
