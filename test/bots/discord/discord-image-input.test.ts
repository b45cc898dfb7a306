import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEphemeral, type FakeInteraction } from '../../fakes/fake-discord.ts';
import { oversizedPng, solidImage, textFile } from '../../helpers/input-images.ts';
import { members, startDiscordKit, type DiscordKit } from './discord-kit.ts';
import { textOf } from './discord-v2-read.ts';

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** `/design create prompt:… image:<attachment>` through the real discord.js bot and the fake Discord. */
describe('Discord: a design from an attached image', () => {
  let kit: DiscordKit;
  let elsewhere: Server;
  let elsewhereUrl: string;
  const elsewhereRequests: string[] = [];

  beforeAll(async () => {
    kit = await startDiscordKit('discord_image_input');
    elsewhere = createServer((request, response) => {
      elsewhereRequests.push(request.url ?? '');
      response.writeHead(200, { 'content-type': 'image/png' }).end();
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    elsewhereUrl = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    elsewhere.closeAllConnections();
    await new Promise((resolve) => elsewhere.close(resolve));
    await kit.close();
  });

  const create = (prompt: string, attachment: string, userId: string = members.bob) =>
    kit.fake.slashCommand('design', {
      subcommand: 'create',
      options: { prompt, image: attachment },
      userId,
    });
  const privateAnswer = async (interaction: FakeInteraction) => {
    let text: string | undefined;
    await expect
      .poll(() => (text = interaction.followUps().find((m) => isEphemeral(m))?.content), { timeout: 10_000 })
      .toBeDefined();
    return text!;
  };
  /** Nothing exists for a refused request: no design, no hold, not even the server's workspace row. */
  const nothingCreatedFor = async (userId: string) => {
    const db = kit.h.test.db;
    expect(await db.selectFrom('designs').where('requester_id', '=', userId).selectAll().execute()).toEqual(
      [],
    );
    expect(
      await db
        .selectFrom('credit_holds')
        .innerJoin('credit_accounts', 'credit_accounts.id', 'credit_holds.account_id')
        .where('credit_accounts.user_id', '=', userId)
        .selectAll()
        .execute(),
    ).toEqual([]);
    expect(await db.selectFrom('workspaces').where('platform', '=', 'discord').selectAll().execute()).toEqual(
      [],
    );
  };

  it('registers the image option as an optional attachment of /design create', () => {
    const design = kit.fake.commands(kit.fake.guild.id)[0] as {
      options: { name: string; options?: { name: string; type: number; required?: boolean }[] }[];
    };
    const options = design.options.find((o) => o.name === 'create')!.options!;
    expect(options.find((o) => o.name === 'image')).toMatchObject({ type: 11, required: false });
  });

  it('refuses a 12 MB image, a text file named .png and a 5000 px image, creating and charging nothing', async () => {
    const big = kit.fake.addUserAttachment({
      filename: 'huge.png',
      contentType: 'image/png',
      bytes: oversizedPng(12),
    });
    expect(await privateAnswer(create('a chair from this', big, members.ada))).toBe(
      'That image is 12.0 MB; the limit is 10 MB. Nothing was started or charged.',
    );
    // Discord reported its size: it was not downloaded at all.
    expect(kit.fake.attachmentDownloads).not.toContain(big);

    const text = kit.fake.addUserAttachment({
      filename: 'sketch.png',
      contentType: 'image/png',
      bytes: textFile,
    });
    expect(await privateAnswer(create('a chair from this', text, members.ada))).toBe(
      "That file isn't a PNG, JPEG or WebP image. Nothing was started or charged.",
    );

    const wide = kit.fake.addUserAttachment({
      filename: 'wide.png',
      contentType: 'image/png',
      bytes: await solidImage('png', { width: 5000, height: 10 }),
    });
    expect(await privateAnswer(create('a chair from this', wide, members.ada))).toMatch(
      /^That image is 5000 × 10 px; the limit is 4,096 px a side\. Nothing was started or charged\.$/,
    );
    await nothingCreatedFor(members.ada);
  });

  it('never fetches an attachment URL on another host', async () => {
    const png = await solidImage('png');
    const forged = kit.fake.addUserAttachment({
      filename: 'sketch.png',
      contentType: 'image/png',
      bytes: png,
      url: `${elsewhereUrl}/sketch.png`,
    });
    expect(await privateAnswer(create('a lamp from this', forged, members.ada))).toMatch(/could not fetch/);
    expect(elsewhereRequests).toEqual([]);
    await nothingCreatedFor(members.ada);
  });

  it('starts from a valid PNG: Gemini gets it with the prompt, the card says so, the views build on the front view', async () => {
    const sketch = await solidImage('png', { width: 320, height: 200, colour: '#2e86c1' });
    const attachment = kit.fake.addUserAttachment({
      filename: 'sketch.png',
      contentType: 'image/png',
      bytes: sketch,
    });
    const before = kit.h.gemini.requests.length;
    create('a desk lamp in brushed aluminium', attachment);
    const designId = await kit.designOf(members.bob);
    const row = await kit.h.test.db
      .selectFrom('designs')
      .select('input_image_key')
      .where('id', '=', designId)
      .executeTakeFirstOrThrow();
    expect(row.input_image_key).toMatch(/^inputs\/[0-9a-f]{64}\.png$/);
    const stored = await kit.h.images.get(row.input_image_key!);

    const { card, id: approve } = await kit.waitForButton(designId, /^Approve/);
    const front = kit.h.gemini.requests.slice(before)[0]!;
    expect(front.texts.join(' ')).toContain('starting from the reference image');
    expect(front.texts.join(' ')).toContain('a desk lamp in brushed aluminium');
    expect(front.images.map((image) => image.sha256)).toEqual([sha(stored)]);
    expect(front.images[0]!.mimeType).toBe('image/png');
    expect(textOf(card)).toContain('From your sketch');

    kit.fake.clickButton(card, approve, { userId: members.bob });
    await expect
      .poll(() => kit.h.gemini.requests.length - before, { timeout: 15_000 })
      .toBeGreaterThanOrEqual(5);
    const frontView = await kit.h.test.db
      .selectFrom('design_iterations')
      .select('image_key')
      .where('design_id', '=', designId)
      .executeTakeFirstOrThrow();
    const frontSha = sha(await kit.h.images.get(frontView.image_key!));
    // The other views are drawn from the approved front view, never from the sketch.
    for (const view of kit.h.gemini.requests.slice(before + 1, before + 5))
      expect(view.images.map((image) => image.sha256)).toEqual([frontSha]);
  });
});
