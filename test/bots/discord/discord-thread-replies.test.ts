import { GatewayIntentBits, Routes } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discordRest } from '../../../src/bots/discord/discord-bot.ts';
import { discordIntents, readDiscordThreadReply } from '../../../src/bots/discord/discord-thread-replies.ts';
import { members, startDiscordKit, type DiscordKit } from './discord-kit.ts';

const message = (extra: Record<string, unknown> = {}) => ({
  id: '5000000000000000001',
  channel_id: '5000000000000000000',
  guild_id: '1000000000000000001',
  type: 0,
  content: 'rounder please',
  author: { id: members.bob },
  ...extra,
});

describe('readDiscordThreadReply', () => {
  it('reads a member’s message and a reply to another message', () => {
    expect(readDiscordThreadReply(message())).toMatchObject({ content: 'rounder please' });
    expect(readDiscordThreadReply(message({ type: 19 }))).toBeDefined();
  });

  it('skips bots (Facet included), webhooks, system messages, messages outside a server and junk', () => {
    expect(readDiscordThreadReply(message({ author: { id: '1', bot: true } }))).toBeUndefined();
    expect(readDiscordThreadReply(message({ webhook_id: '42' }))).toBeUndefined();
    expect(readDiscordThreadReply(message({ type: 18 }))).toBeUndefined();
    expect(readDiscordThreadReply(message({ guild_id: undefined }))).toBeUndefined();
    expect(readDiscordThreadReply({ id: 1 })).toBeUndefined();
  });

  it('asks for the message intents only with the option', () => {
    expect(discordIntents({ messageContent: false })).toEqual([GatewayIntentBits.Guilds]);
    expect(discordIntents({ messageContent: true }).sort()).toEqual(
      [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent].sort(),
    );
  });
});

describe('Discord without DISCORD_MESSAGE_CONTENT', () => {
  let kit: DiscordKit;
  beforeAll(async () => {
    kit = await startDiscordKit('discord_no_message_content');
  });
  afterAll(async () => {
    await kit.close();
  });

  it('identifies with the Guilds intent alone, so it never hears of messages, even where a server switched replies on', async () => {
    expect(kit.fake.intents).toBe(GatewayIntentBits.Guilds);
    kit.fake.slashCommand('design', {
      subcommand: 'create',
      options: { prompt: 'a stool' },
      userId: members.bob,
    });
    const design = await kit.designOf(members.bob);
    const { card } = await kit.waitForButton(design, /^Approve\b/);
    await kit.h.test.db.updateTable('workspaces').set({ thread_replies: true }).execute();
    await discordRest(kit.fake.token, kit.fake.apiUrl).post(Routes.threads(card.channelId, card.id), {
      body: { name: 'Feedback' },
    });
    const sent = kit.fake.userMessage(card.id, members.bob, 'three legs, not four');
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(kit.fake.reactionsOn(sent.id)).toEqual([]);
    expect((await kit.h.workflow.service.snapshot(design))?.iteration).toBe(1);
  });
});

describe('Discord with DISCORD_MESSAGE_CONTENT', () => {
  let kit: DiscordKit;
  beforeAll(async () => {
    kit = await startDiscordKit('discord_message_content', { messageContent: true });
  });
  afterAll(async () => {
    await kit.close();
  });

  it('identifies with Guilds, GuildMessages and Message Content, and ignores Facet’s own messages in the thread', async () => {
    expect(kit.fake.intents).toBe(
      GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages | GatewayIntentBits.MessageContent,
    );
    kit.fake.slashCommand('design', {
      subcommand: 'create',
      options: { prompt: 'a bench' },
      userId: members.bob,
    });
    const design = await kit.designOf(members.bob);
    const { card } = await kit.waitForButton(design, /^Approve\b/);
    await kit.h.test.db.updateTable('workspaces').set({ thread_replies: true }).execute();
    await discordRest(kit.fake.token, kit.fake.apiUrl).post(Routes.threads(card.channelId, card.id), {
      body: { name: 'Feedback' },
    });
    const own = kit.fake.userMessage(card.id, kit.fake.botUser.id, 'longer seat');
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(kit.fake.reactionsOn(own.id)).toEqual([]);
    expect((await kit.h.workflow.service.snapshot(design))?.iteration).toBe(1);
    // A manager (Manage Server) may ask for changes to anyone's design.
    const managers = kit.fake.userMessage(card.id, members.mia, 'longer seat');
    await expect.poll(() => kit.fake.reactionsOn(managers.id), { timeout: 10_000 }).toEqual(['👀']);
    await expect
      .poll(async () => (await kit.h.workflow.service.snapshot(design))?.iteration, { timeout: 10_000 })
      .toBe(2);
  });
});
