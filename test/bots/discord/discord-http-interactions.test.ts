import { generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEphemeral, type FakeInteraction } from '../../fakes/fake-discord.ts';
import { inState, waitFor } from '../../workflow/workflow-harness.ts';
import { members, startDiscordKit, type DiscordKit } from './discord-kit.ts';

/** Discord's deadline for the first response. */
const deadlineMs = 3000;

describe('Discord over HTTP interactions (signed POSTs to /discord/interactions, real workflow)', () => {
  let kit: DiscordKit;

  beforeAll(async () => {
    kit = await startDiscordKit('discord_http', { transport: 'http' });
  });

  afterAll(async () => {
    await kit.close();
  });

  /** What Facet has written for anyone: designs, accounts and journal entries, and the calls to Discord. */
  async function footprint() {
    const count = async (table: 'designs' | 'credit_accounts' | 'ledger_entries' | 'workspaces') =>
      Number(
        (
          await kit.h.test.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return {
      designs: await count('designs'),
      accounts: await count('credit_accounts'),
      entries: await count('ledger_entries'),
      workspaces: await count('workspaces'),
      restCalls: kit.fake.calls.length,
    };
  }

  /** A `/design create` payload exactly as the fake would deliver it, without delivering it. */
  function createPayload(prompt: string): string {
    return JSON.stringify({
      id: '1300000000000000001',
      application_id: kit.fake.applicationId,
      type: 2,
      token: 'forged-token',
      guild_id: kit.fake.guild.id,
      channel_id: kit.fake.channelId,
      channel: { id: kit.fake.channelId, type: 0 },
      member: { user: { id: members.ada }, roles: [], permissions: '8' },
      app_permissions: '8',
      data: {
        name: 'design',
        type: 1,
        options: [{ type: 1, name: 'create', options: [{ name: 'prompt', type: 3, value: prompt }] }],
      },
    });
  }

  it('answers PING with PONG', async () => {
    const answer = await kit.fake.postInteraction(
      JSON.stringify({
        id: '1300000000000000002',
        application_id: kit.fake.applicationId,
        type: 1,
        version: 1,
      }),
    );
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ type: 1 });
  });

  it('refuses a forged signature with 401 and changes nothing: no design, no credits, no call to Discord', async () => {
    const before = await footprint();
    const body = createPayload('forged headphones');
    const stranger = generateKeyPairSync('ed25519').privateKey;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const forgeries = [
      // Signed by another key.
      sign(null, Buffer.from(timestamp + body), stranger).toString('hex'),
      // The application's genuine signature, of another body.
      kit.fake.signInteraction(timestamp, createPayload('other headphones')),
      // The application's genuine signature, of another timestamp.
      kit.fake.signInteraction(String(Number(timestamp) - 1), body),
      'not hex at all',
      '',
    ];
    for (const signature of forgeries) {
      const answer = await kit.fake.postInteraction(body, { signature, timestamp });
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.body)).toEqual({ error: 'invalid request signature' });
    }
    expect(await footprint()).toEqual(before);
  });

  it('refuses a stale timestamp with 401 even when the signature is genuine, and changes nothing', async () => {
    const before = await footprint();
    const body = createPayload('stale headphones');
    for (const offset of [-6 * 60, 6 * 60]) {
      const answer = await kit.fake.postInteraction(body, {
        timestamp: String(Math.floor(Date.now() / 1000) + offset),
      });
      expect(answer.status).toBe(401);
    }
    expect(await footprint()).toEqual(before);
  });

  it('refuses a signed payload it cannot read with 400, and answers autocomplete with no choices', async () => {
    const before = await footprint();
    const junk = await kit.fake.postInteraction(JSON.stringify({ type: 2, id: 'x' }));
    expect(junk.status).toBe(400);
    const autocomplete = await kit.fake.postInteraction(
      createPayload('head').replace('"type":2', '"type":4'),
    );
    expect(autocomplete.status).toBe(200);
    expect(JSON.parse(autocomplete.body)).toEqual({ type: 8, data: { choices: [] } });
    expect(await footprint()).toEqual(before);
  });
});

describe('a design journey over HTTP interactions, served by two web processes in turn', () => {
  let kit: DiscordKit;

  beforeAll(async () => {
    kit = await startDiscordKit('discord_http_journey', { transport: 'http' });
  });

  afterAll(async () => {
    await kit.close();
  });

  /** The first response came in the HTTP response, accepted, well within Discord's deadline. */
  async function answeredOverHttp(interaction: FakeInteraction, type: number) {
    const first = await interaction.response();
    expect(first).toMatchObject({ type, accepted: true, via: 'http' });
    expect(first.at - interaction.dispatchedAt).toBeLessThan(deadlineMs);
    expect(interaction.http()?.ms).toBeLessThan(deadlineMs);
    return first;
  }

  it('creates, posts the card, edits through the form, refuses a stranger, approves and shows the views', async () => {
    // Nothing is kept between requests: two processes take the interactions in turn.
    kit.fake.deliverInteractionsTo([kit.endpoint(), await kit.startWebProcess()]);
    const sent: FakeInteraction[] = [];
    const send = (interaction: FakeInteraction) => (sent.push(interaction), interaction);

    const command = send(
      kit.fake.slashCommand('design', {
        subcommand: 'create',
        options: { prompt: 'a desk lamp of folded steel' },
        userId: members.bob,
      }),
    );
    // Public: the card will be this reply.
    const deferral = await answeredOverHttp(command, 5);
    expect((deferral.data as { flags?: number } | undefined)?.flags ?? 0).toBe(0);
    const design = await kit.designOf(members.bob);
    await waitFor(kit.h.workflow, design, inState('awaiting_approval'));
    // The card is the command's deferred reply, edited over the interaction's webhook.
    const card = await kit.card(design);
    expect(command.original()?.id).toBe(card.id);

    // Request changes: the form is the HTTP response; its submission a deferred update.
    let button = await kit.waitForButton(design, /^Request changes/);
    const opened = send(kit.fake.clickButton(button.card, button.id, { userId: members.bob }));
    await answeredOverHttp(opened, 9);
    const submitted = send(
      kit.fake.submitModal(opened, { feedback: 'a thinner arm' }, { userId: members.bob }),
    );
    await answeredOverHttp(submitted, 6);
    await waitFor(kit.h.workflow, design, (d) => d.iteration === 2 && d.state === 'awaiting_approval');

    // Someone else may not approve: a deferred update, then a private word; nothing changes.
    button = await kit.waitForButton(design, /^Approve\b/);
    const stranger = send(kit.fake.clickButton(button.card, button.id, { userId: members.ada }));
    await answeredOverHttp(stranger, 6);
    await expect
      .poll(() => stranger.followUps().find((m) => isEphemeral(m))?.content)
      .toMatch(/Only the person who asked/);
    expect((await kit.h.workflow.service.snapshot(design))?.state).toBe('awaiting_approval');

    const approve = send(kit.fake.clickButton(button.card, button.id, { userId: members.bob }));
    await answeredOverHttp(approve, 6);
    const done = await waitFor(kit.h.workflow, design, inState('completed', 'failed'));
    expect(done).toMatchObject({ state: 'completed', approvedBy: members.bob, charged: 4 });

    // The four other views arrive in the card's thread.
    await expect
      .poll(
        () =>
          kit.fake
            .messagesIn(card.id)
            .flatMap((m) => m.attachments.map((a) => a.filename))
            .filter((name) => /(back|side|top|bottom)\.png$/.test(name)).length,
        { timeout: 10_000 },
      )
      .toBeGreaterThanOrEqual(4);

    // A private answer: the deferral is ephemeral, the answer its edit.
    const credits = send(kit.fake.slashCommand('design', { subcommand: 'credits', userId: members.bob }));
    const privateDeferral = await answeredOverHttp(credits, 5);
    expect((privateDeferral.data as { flags?: number }).flags).toBe(64);
    await expect.poll(() => credits.original()?.content ?? '').toMatch(/credit/i);

    expect(new Set(sent.map((interaction) => interaction.http()?.url)).size).toBe(2);
    expect(kit.acks.length).toBeGreaterThanOrEqual(sent.length);
    expect(kit.fake.problems).toEqual([]);
  });
});
