import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oversizedPng, solidImage, textFile } from '../../helpers/input-images.ts';
import { channel, startSlackKit, team, type SlackKit } from './slack-kit.ts';

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** The message shortcut "Design from this image" and its form, through Bolt and the fake Slack. */
describe('Slack: Design from this image', () => {
  let kit: SlackKit;
  let elsewhere: Server;
  let elsewhereUrl: string;
  const elsewhereRequests: string[] = [];
  let sequence = 0;

  beforeAll(async () => {
    kit = await startSlackKit('slack_image_shortcut', { publicImages: true });
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

  /** The shortcut used on a message carrying these files; with `form`, once its form has opened. */
  const shortcut = async (user: string, files: Record<string, unknown>[], form = true) => {
    const forms = kit.slack.callsTo('views.open').length;
    sequence += 1;
    const payload = {
      type: 'message_action',
      callback_id: 'facet_design_from_image',
      trigger_id: `trigger-image-${sequence}`,
      response_url: `${kit.slack.url}/response/image-${sequence}`,
      action_ts: `${Date.now() / 1000}`,
      team: { id: team, domain: 'test' },
      user: { id: user, name: user, team_id: team },
      channel: { id: channel, name: 'design' },
      message_ts: `1700000000.00${sequence}`,
      message: { type: 'message', user: 'U-sharer', ts: `1700000000.00${sequence}`, text: 'look', files },
    };
    const answered = await kit.post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
    if (form) await expect.poll(() => kit.slack.callsTo('views.open').length).toBe(forms + 1);
    return answered;
  };
  /** The form the shortcut opened, submitted with a description. */
  const submitForm = async (user: string, prompt: string) => {
    const opened = kit.slack.callsTo('views.open').at(-1)!.args.view as {
      callback_id: string;
      private_metadata: string;
    };
    sequence += 1;
    const payload = {
      type: 'view_submission',
      team: { id: team },
      user: { id: user, team_id: team },
      view: {
        id: `VIMAGE${sequence}`,
        callback_id: opened.callback_id,
        private_metadata: opened.private_metadata,
        state: {
          values: {
            facet_image_prompt_block: {
              facet_image_prompt_text: { type: 'plain_text_input', value: prompt },
            },
          },
        },
      },
    };
    return kit.post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
  };
  const ephemeralTo = async (user: string, after: number) => {
    let text: string | undefined;
    await expect
      .poll(
        () =>
          (text = kit.slack
            .callsTo('chat.postEphemeral')
            .slice(after)
            .find((call) => call.args.user === user)?.args.text as string | undefined),
        { timeout: 10_000 },
      )
      .toBeDefined();
    return text!;
  };
  const nothingCreatedFor = async (user: string) => {
    const db = kit.h.test.db;
    expect(await db.selectFrom('designs').where('requester_id', '=', user).selectAll().execute()).toEqual([]);
    expect(
      await db
        .selectFrom('credit_holds')
        .innerJoin('credit_accounts', 'credit_accounts.id', 'credit_holds.account_id')
        .where('credit_accounts.user_id', '=', user)
        .selectAll()
        .execute(),
    ).toEqual([]);
  };

  it('answers privately on a message without an image file, opening no form', async () => {
    const forms = kit.slack.callsTo('views.open').length;
    const answers = kit.slack.responses.length;
    const note = kit.slack.addUserFile({ name: 'notes.txt', mimetype: 'text/plain', bytes: textFile });
    expect((await shortcut('U7', [note], false)).status).toBe(200);
    await expect.poll(() => kit.slack.responses.length).toBe(answers + 1);
    expect(kit.slack.responses.at(-1)?.response_type).toBe('ephemeral');
    expect(kit.slack.responses.at(-1)?.text).toMatch(/^That message has no image file\./);
    expect(kit.slack.callsTo('views.open')).toHaveLength(forms);
  });

  it('refuses a 12 MB image, a text file named .png and a 5000 px image, creating and charging nothing', async () => {
    const cases = [
      {
        file: kit.slack.addUserFile({ name: 'huge.png', mimetype: 'image/png', bytes: oversizedPng(12) }),
        answer: 'That image is 12.0 MB; the limit is 10 MB. Nothing was started or charged.',
      },
      {
        file: kit.slack.addUserFile({ name: 'sketch.png', mimetype: 'image/png', bytes: textFile }),
        answer: "That file isn't a PNG, JPEG or WebP image. Nothing was started or charged.",
      },
      {
        file: kit.slack.addUserFile({
          name: 'wide.png',
          mimetype: 'image/png',
          bytes: await solidImage('png', { width: 5000, height: 10 }),
        }),
        answer: 'That image is 5000 × 10 px; the limit is 4,096 px a side. Nothing was started or charged.',
      },
    ];
    for (const { file, answer } of cases) {
      const downloads = kit.slack.fileDownloads.length;
      const told = kit.slack.callsTo('chat.postEphemeral').length;
      expect((await shortcut('U8', [file])).status).toBe(200);
      const submitted = await submitForm('U8', 'an armchair from this');
      expect(submitted.status).toBe(200);
      expect(await ephemeralTo('U8', told)).toBe(answer);
      // Slack said how big the 12 MB one is (files.info): it was never downloaded.
      if (file.name === 'huge.png') expect(kit.slack.fileDownloads.length).toBe(downloads);
    }
    await nothingCreatedFor('U8');
  });

  it('never fetches a file whose URL is on another host', async () => {
    const forged = kit.slack.addUserFile({
      name: 'sketch.png',
      mimetype: 'image/png',
      bytes: await solidImage('png'),
      url: `${elsewhereUrl}/files-pri/T1-F1/sketch.png`,
    });
    const told = kit.slack.callsTo('chat.postEphemeral').length;
    await shortcut('U9', [forged]);
    await submitForm('U9', 'a lamp from this');
    expect(await ephemeralTo('U9', told)).toMatch(/could not fetch/);
    expect(elsewhereRequests).toEqual([]);
    await nothingCreatedFor('U9');
  });

  it('fetches nothing for a forged form naming a file shared in another channel', async () => {
    const secret = kit.slack.addUserFile({
      name: 'roadmap.png',
      mimetype: 'image/png',
      bytes: await solidImage('png'),
      channelId: 'C-private',
    });
    const downloads = kit.slack.fileDownloads.length;
    const told = kit.slack.callsTo('chat.postEphemeral').length;
    const payload = {
      type: 'view_submission',
      team: { id: team },
      user: { id: 'U10', team_id: team },
      view: {
        id: 'VFORGED1',
        callback_id: 'facet_design_from_image_form',
        private_metadata: JSON.stringify({ channelId: channel, fileId: secret.id }),
        state: {
          values: {
            facet_image_prompt_block: {
              facet_image_prompt_text: { type: 'plain_text_input', value: 'a lamp' },
            },
          },
        },
      },
    };
    expect(
      (await kit.post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString())).status,
    ).toBe(200);
    expect(await ephemeralTo('U10', told)).toMatch(/could not fetch/);
    expect(kit.slack.fileDownloads.length).toBe(downloads);
    await nothingCreatedFor('U10');
  });

  it('starts a design from a PNG fetched with the bot token: Gemini gets it with the prompt, the card says so', async () => {
    const sketch = await solidImage('png', { width: 300, height: 220, colour: '#27ae60' });
    const file = kit.slack.addUserFile({ name: 'sketch.png', mimetype: 'image/png', bytes: sketch });
    const before = kit.h.gemini.requests.length;
    const downloads = kit.slack.fileDownloads.length;
    await shortcut('U1', [file]);
    const form = kit.slack.callsTo('views.open').at(-1)!.args.view as { title: { text: string } };
    expect(form.title.text).toBe('Design from this image');
    expect((await submitForm('U1', 'a speaker in green felt')).status).toBe(200);
    const designId = await kit.designOf('U1', 'a speaker in green felt');
    const fetched = kit.slack.fileDownloads.slice(downloads);
    expect(fetched.map((download) => download.authorization)).toEqual(['Bearer xoxb-test']);
    expect(fetched[0]?.path).toContain(`/files-pri/T1-${String(file.id)}/`);
    await kit.waitForButton(/^Approve/);
    const row = await kit.h.test.db
      .selectFrom('designs')
      .select('input_image_key')
      .where('id', '=', designId)
      .executeTakeFirstOrThrow();
    const stored = await kit.h.images.get(row.input_image_key!);
    const front = kit.h.gemini.requests.slice(before)[0]!;
    expect(front.texts.join(' ')).toContain('a speaker in green felt');
    expect(front.texts.join(' ')).toContain('starting from the reference image');
    expect(front.images.map((image) => image.sha256)).toEqual([sha(stored)]);
    type Blocks = { block_id?: string; elements?: Record<string, unknown>[] }[];
    const sourceBlock = () =>
      (kit.lastCard().args.blocks as Blocks).find((block) => block.block_id === 'facet_source');
    // The card the chat layer posts first carries no images (an instant front view can already be
    // awaiting approval in it); the notifier's next edit shows the sketch, as it does the front view.
    await expect.poll(() => sourceBlock()?.elements?.[0]?.type, { timeout: 10_000 }).toBe('image');
    const source = sourceBlock();
    expect(source?.elements?.[0]?.image_url).toMatch(/^https:\/\/facet\.example\.com\//);
    expect(source?.elements?.[1]).toEqual({ type: 'mrkdwn', text: ':pencil2: From your sketch' });
  });
});
