import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComponentType, DiscordAPIError, MessageFlags, Routes } from 'discord.js';
import type { DesignCard } from '../../../src/bots/card/design-card.ts';
import { discordRest } from '../../../src/bots/discord/discord-bot.ts';
import { DiscordCardOutbound } from '../../../src/bots/discord/discord-card-outbound.ts';
import { biggestCard } from './biggest-card.ts';
import { galleryOf } from './discord-v2-read.ts';
import { LocalImageStore } from '../../../src/storage/images/local-image-store.ts';
import { looseAttachments, startFakeDiscord, type FakeDiscord } from '../../fakes/fake-discord.ts';

const token = 'discord-outbound-token.kit';
const imageKey = 'designs/3f2a8c1e-0000-4000-8000-000000000001/front-2.png';

function card(status: string, image: boolean): DesignCard {
  return {
    designId: '3f2a8c1e-0000-4000-8000-000000000001',
    title: 'a desk lamp',
    fullPrompt: null,
    prompt: 'a desk lamp',
    requesterId: '2000000000000000001',
    tone: 'working',
    status: [status],
    facts: [],
    image: image ? { key: imageKey, alt: 'Front view, iteration 2' } : null,
    actions: [],
  };
}

const threadImages = ['front-3', 'r1/back', 'r1/side', 'r1/top', 'r1/bottom'].map((name) => ({
  postKey: `image:${name}`,
  imageKey: `designs/3f2a8c1e-0000-4000-8000-000000000001/${name}.png`,
  title: `${name} view`,
}));

/** What the fake Discord answers a request with, or the request's Discord error. */
async function outcome(request: Promise<unknown>): Promise<{ status: number; code: unknown } | 'ok'> {
  try {
    await request;
    return 'ok';
  } catch (error) {
    if (error instanceof DiscordAPIError) return { status: error.status, code: error.code };
    throw error;
  }
}

/** Card edits from several processes, each with its own DiscordCardOutbound, against the fake Discord. */
describe('Discord card edits', () => {
  let fake: FakeDiscord;
  let images: LocalImageStore;
  let imageDir: string;

  beforeAll(async () => {
    fake = await startFakeDiscord({ token });
    imageDir = await mkdtemp(path.join(tmpdir(), 'facet-discord-outbound-'));
    images = new LocalImageStore({ dir: imageDir, publicUrl: 'http://127.0.0.1:9', secret: 'image-secret' });
    const png = await sharp({ create: { width: 4, height: 3, channels: 3, background: '#57f287' } })
      .png()
      .toBuffer();
    await images.put(imageKey, png);
    for (const key of ['designs/d/front-2.png', ...threadImages.map((image) => image.imageKey)])
      await images.put(key, png);
  });

  afterAll(async () => {
    await fake.close();
    await rm(imageDir, { recursive: true, force: true });
  });

  it("keeps the front view in the card's gallery whichever process edits the card, sending it only when it must", async () => {
    const replica = () => new DiscordCardOutbound({ rest: discordRest(token, fake.apiUrl), images });
    const [first, second] = [replica(), replica()];
    const messageId = await first.send(fake.channelId, card('Generating', false));
    const where = { channelId: fake.channelId, messageId };
    const uploads = () =>
      fake
        .callsTo('PATCH', `/channels/${fake.channelId}/messages/${messageId}`)
        .filter((call) => call.files.length > 0).length;
    const expectShownOnce = () => {
      const message = fake.message(fake.channelId, messageId)!;
      expect(message.attachments.map((a) => a.filename)).toEqual(['front-2.png']);
      expect(looseAttachments(message)).toEqual([]);
      expect(message.flags & (1 << 15)).not.toBe(0);
      expect(galleryOf(message)).toEqual([
        expect.objectContaining({
          url: message.attachments[0]!.url,
          attachment_id: message.attachments[0]!.id,
        }),
      ]);
    };

    await first.editCard(where, card('Ready', true), { upload: true });
    expectShownOnce();
    // Edits after the upload list the file by id: Discord keeps it in the gallery, nothing is sent again.
    await first.editCard(where, card('Approved', true), { upload: false });
    await first.editCard(where, card('Generating the views', true), { upload: false });
    expectShownOnce();
    expect(uploads()).toBe(1);

    // A process that does not know the file's id (another replica, a restart) reads it off the message
    // and keeps it: sending it again would replace the id the first process keeps.
    const reads = () => fake.callsTo('GET', `/channels/${fake.channelId}/messages/${messageId}`).length;
    await second.editCard(where, card('2 of 4 done', true), { upload: false });
    await second.editCard(where, card('3 of 4 done', true), { upload: false });
    expectShownOnce();
    expect(uploads()).toBe(1);
    expect(reads()).toBe(1);
    // So the first process's id still holds: its edit is neither refused nor sent with the file.
    const edits = () => fake.callsTo('PATCH', `/channels/${fake.channelId}/messages/${messageId}`).length;
    const editsBefore = edits();
    await first.editCard(where, card('Done', true), { upload: false });
    expectShownOnce();
    expect(edits() - editsBefore).toBe(1);
    expect(uploads()).toBe(1);

    // A file sent again on purpose (the process holding the upload claim) replaces the id: the other
    // process's edit is refused once, reads the new id and keeps it, without sending the file.
    await second.editCard(where, card('Done', true), { upload: true });
    expect(uploads()).toBe(2);
    await first.editCard(where, card('Done.', true), { upload: false });
    expectShownOnce();
    expect(uploads()).toBe(2);
    expect(reads()).toBe(2);
    expect(fake.problems).toEqual([]);
  });

  it('sends the biggest card, and turns a card posted as an embed into a V2 card on its next edit', async () => {
    const outbound = new DiscordCardOutbound({ rest: discordRest(token, fake.apiUrl), images });
    const { card: big } = biggestCard();
    const messageId = await outbound.send(fake.channelId, big);
    await outbound.editCard({ channelId: fake.channelId, messageId }, big, { upload: true });
    const shown = fake.message(fake.channelId, messageId)!;
    expect(shown.attachments.map((a) => a.filename)).toEqual(['d-front-2.png']);
    expect(galleryOf(shown)).toHaveLength(1);

    // A card from before the switch: an embed, with content. Its next edit empties both.
    const rest = discordRest(token, fake.apiUrl);
    const legacy = (await rest.post(Routes.channelMessages(fake.channelId), {
      body: { content: 'old', embeds: [{ title: 'a desk lamp', description: 'Generating' }] },
    })) as { id: string };
    const where = { channelId: fake.channelId, messageId: legacy.id };
    // Discord refuses the flag while the legacy fields stay.
    expect(
      await outcome(
        rest.patch(Routes.channelMessage(fake.channelId, legacy.id), {
          body: {
            flags: MessageFlags.IsComponentsV2,
            components: [{ type: ComponentType.TextDisplay, content: 'x' }],
          },
        }),
      ),
    ).toEqual({ status: 400, code: 50035 });
    await outbound.editCard(where, card('Ready', true), { upload: true });
    const upgraded = fake.message(fake.channelId, legacy.id)!;
    expect(upgraded).toMatchObject({ content: '', embeds: [] });
    expect(upgraded.flags & MessageFlags.IsComponentsV2).not.toBe(0);
    expect(galleryOf(upgraded)).toHaveLength(1);
  });

  it("refuses V2 payloads over Discord's limits with 400 and code 50035, as Discord does", async () => {
    const rest = discordRest(token, fake.apiUrl);
    const post = (components: unknown[]) =>
      outcome(
        rest.post(Routes.channelMessages(fake.channelId), {
          body: { flags: MessageFlags.IsComponentsV2, components },
        }),
      );
    const text = (content: string) => ({ type: ComponentType.TextDisplay, content });
    const item = (n: number) => ({ media: { url: `https://example.com/${n}.png` } });
    const button = (n: number) => ({ type: 2, style: 2, label: `b${n}`, custom_id: `b${n}` });
    const refused = { status: 400, code: 50035 };
    // Within the limits: accepted (so each refusal below is the limit's, not the shape's).
    expect(await post([text('x'.repeat(4000))])).toBe('ok');
    expect(
      await post([
        { type: ComponentType.MediaGallery, items: Array.from({ length: 10 }, (_, n) => item(n)) },
      ]),
    ).toBe('ok');
    // 4,001 characters of text display in all.
    expect(await post([text('x'.repeat(2000)), text('x'.repeat(2001))])).toEqual(refused);
    // 11 gallery items.
    expect(
      await post([
        { type: ComponentType.MediaGallery, items: Array.from({ length: 11 }, (_, n) => item(n)) },
      ]),
    ).toEqual(refused);
    // 41 components, counted nested: a container, 8 rows of 4 buttons (40 with 7 rows and 4 texts beside).
    const rows = Array.from({ length: 8 }, (_, r) => ({
      type: ComponentType.ActionRow,
      components: Array.from({ length: 4 }, (_, b) => button(r * 4 + b)),
    }));
    expect(
      await post([
        { type: ComponentType.Container, components: rows.slice(0, 7) },
        ...Array.from({ length: 4 }, () => text('t')),
      ]),
    ).toBe('ok');
    expect(await post([{ type: ComponentType.Container, components: rows }])).toEqual(refused);
    // A container of 11 children; a container inside a container.
    expect(
      await post([
        { type: ComponentType.Container, components: Array.from({ length: 11 }, () => text('t')) },
      ]),
    ).toEqual(refused);
    expect(
      await post([
        {
          type: ComponentType.Container,
          components: [{ type: ComponentType.Container, components: [text('t')] }],
        },
      ]),
    ).toEqual(refused);
    // A gallery naming a file the message does not carry.
    expect(
      await post([
        { type: ComponentType.MediaGallery, items: [{ media: { url: 'attachment://nothing.png' } }] },
      ]),
    ).toEqual(refused);
    // Content beside V2 components.
    expect(
      await outcome(
        rest.post(Routes.channelMessages(fake.channelId), {
          body: { content: 'hi', flags: MessageFlags.IsComponentsV2, components: [text('x')] },
        }),
      ),
    ).toEqual(refused);
  });

  it('grows a gallery in the thread, any process sending only the files it lacks', async () => {
    const replica = () => new DiscordCardOutbound({ rest: discordRest(token, fake.apiUrl), images });
    const where = { channelId: fake.channelId, messageId: '0' };
    const messageId = await replica().gallery.post(where, fake.channelId, threadImages.slice(0, 2));
    // Another process adds three: it reads which files the message carries and sends only the new ones.
    await replica().gallery.edit(where, fake.channelId, messageId, threadImages);
    const message = fake.message(fake.channelId, messageId)!;
    expect(message.attachments.map((a) => a.filename)).toEqual([
      'front-3.png',
      'r1-back.png',
      'r1-side.png',
      'r1-top.png',
      'r1-bottom.png',
    ]);
    expect(galleryOf(message).map((media) => media.attachment_id)).toEqual(
      message.attachments.map((a) => a.id),
    );
    expect(looseAttachments(message)).toEqual([]);
    const sent = fake
      .callsTo('PATCH', `/channels/${fake.channelId}/messages/${messageId}`)
      .flatMap((call) => call.files.map((file) => file.name));
    expect(sent).toEqual(['r1-side.png', 'r1-top.png', 'r1-bottom.png']);
    // Shown again with nothing new (a restarted process): nothing is sent, nothing is lost.
    await replica().gallery.edit(where, fake.channelId, messageId, threadImages);
    expect(fake.message(fake.channelId, messageId)!.attachments).toHaveLength(5);
    expect(fake.problems).toEqual([]);
  });
});
