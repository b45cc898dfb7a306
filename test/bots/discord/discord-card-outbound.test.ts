import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DesignCard } from '../../../src/bots/card/design-card.ts';
import { discordRest } from '../../../src/bots/discord/discord-bot.ts';
import { DiscordCardOutbound } from '../../../src/bots/discord/discord-card-outbound.ts';
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
  });

  afterAll(async () => {
    await fake.close();
    await rm(imageDir, { recursive: true, force: true });
  });

  it('keeps the front view inside the embed whichever process edits the card, sending it only when it must', async () => {
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
      expect((message.embeds[0] as { image?: { url: string } }).image?.url).toBe(message.attachments[0]!.url);
    };

    await first.editCard(where, card('Ready', true), { upload: true });
    expectShownOnce();
    // Edits after the upload list the file by id: Discord keeps it in the embed, nothing is sent again.
    await first.editCard(where, card('Approved', true), { upload: false });
    await first.editCard(where, card('Generating the views', true), { upload: false });
    expectShownOnce();
    expect(uploads()).toBe(1);

    // A process that does not know the file's id (another replica, a restart) sends it once, then keeps it.
    await second.editCard(where, card('2 of 4 done', true), { upload: false });
    await second.editCard(where, card('3 of 4 done', true), { upload: false });
    expectShownOnce();
    expect(uploads()).toBe(2);

    // The first process's id went with the file the second replaced: its edit shows the image again by
    // sending it, rather than leaving an embed that names no file.
    await first.editCard(where, card('Done', true), { upload: false });
    expectShownOnce();
    expect(uploads()).toBe(3);
    expect(fake.problems).toEqual([]);
  });
});
