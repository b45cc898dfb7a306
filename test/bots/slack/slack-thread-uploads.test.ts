import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCardAction } from '../../../src/bots/card/card-action-id.ts';
import { specSheetPngWidth } from '../../../src/spec-sheet/index.ts';
import { imageKeys } from '../../../src/workflow/design-jobs/image-keys.ts';
import type { SlackCall } from '../../fakes/fake-slack-api.ts';
import { rerunSheetJobTwice } from '../../workflow/rerun-sheet-job.ts';
import { waitFor, inState } from '../../workflow/workflow-harness.ts';
import { startSlackKit, type SlackKit } from './slack-kit.ts';

type ImageBlock = { type: 'image'; image_url?: string; slack_file?: { id: string }; alt_text: string };

const imageBlocks = (call: SlackCall) =>
  ((call.args.blocks ?? []) as { type: string }[]).filter((b): b is ImageBlock => b.type === 'image');

/** The slack_file id of a message's one image block. */
const shownFile = (call: SlackCall | undefined) => (call ? imageBlocks(call)[0]?.slack_file?.id : undefined);

/**
 * Without PUBLIC_URL or S3 (Socket Mode, a firewalled or loopback deployment) Slack cannot fetch our
 * image URLs: each image is uploaded once, privately, and shown by its file id on the card and in the
 * thread. The fake Slack scans each upload for a while first, refusing blocks that show it meanwhile.
 */
describe('Slack without a public image URL', () => {
  let kit: SlackKit;
  /** Whether the design's newest version is the one its card shows: no delivery of the kit's own is due. */
  const allShown = async (design: string) => {
    const row = await kit.h.test.db
      .selectFrom('designs')
      .select(['version', 'shown_version'])
      .where('id', '=', design)
      .executeTakeFirstOrThrow();
    return row.shown_version === row.version;
  };
  /** A design's card as Slack last took it (its buttons name the design). */
  const cardOf = (design: string) => {
    const card = kit.lastCard();
    return JSON.stringify(card.args.blocks).includes(design) ? card : undefined;
  };

  beforeAll(async () => {
    kit = await startSlackKit('slack_uploads', { publicImages: false, fileScanMs: 300 });
  });

  afterAll(async () => {
    await kit.close();
  });

  it('shows each front view on the card itself, uploaded once across edits and restarts', async () => {
    await kit.post(kit.command('a desk lamp with a brass arm', 'U-up'));
    const design = await kit.designOf('U-up');
    await waitFor(kit.h.workflow, design, inState('awaiting_approval'));

    // The card the approver sees carries the front view, from the uploaded file.
    await expect.poll(() => shownFile(cardOf(design)), { timeout: 10_000 }).toBeDefined();
    expect(kit.slack.files).toHaveLength(1);
    const [first] = kit.slack.files;
    expect(shownFile(cardOf(design))).toBe(first!.id);
    expect(first!.bytes.equals(await kit.h.images.get(imageKeys.front(design, 1)))).toBe(true);
    // Uploaded without a channel: private to the bot, no file message in the channel or thread.
    expect(first).toMatchObject({ channelId: undefined, threadTs: undefined, uploadedBy: 'xoxb-test' });
    const card = JSON.stringify(kit.lastCard().args.blocks);
    expect(card).not.toContain('is in the thread');
    expect(card).not.toContain('image_url');
    expect(imageBlocks(kit.lastCard())[0]!.alt_text).toBe('Front view, iteration 1');
    // Slack was still scanning the upload at first: the card was sent again until it took the file.
    const refused = kit.slack.callsTo('chat.update').filter((c) => c.error?.includes('invalid slack file'));
    expect(refused.length).toBeGreaterThan(0);
    await kit.waitForButton(/^Approve/);

    // A quick edit: the new front view is uploaded once and replaces the old one on the card.
    await kit.post(
      kit.click(
        encodeCardAction({ kind: 'edit', designId: design, iteration: 1, preset: 'minimal' }),
        'U-up',
      ),
    );
    await waitFor(
      kit.h.workflow,
      design,
      (d) => d.state === 'awaiting_approval' && d.iterations.length === 2,
    );
    await expect.poll(() => kit.slack.files.length, { timeout: 10_000 }).toBe(2);
    const second = kit.slack.files[1]!;
    expect(second.bytes.equals(await kit.h.images.get(imageKeys.front(design, 2)))).toBe(true);
    await expect.poll(() => shownFile(cardOf(design)), { timeout: 10_000 }).toBe(second.id);

    // A process started afresh re-renders the card from its record: the same file, no new upload.
    const snapshot = (await kit.h.workflow.service.snapshot(design))!;
    await kit.restartedNotifier().notify(snapshot);
    await kit.restartedNotifier().notify(snapshot);
    expect(shownFile(cardOf(design))).toBe(second.id);
    expect(kit.slack.files).toHaveLength(2);
    expect(kit.slack.callsTo('files.getUploadURLExternal')).toHaveLength(2);
  });

  it('shows every view of the thread by file id, reusing the approved front view', async () => {
    await kit.post(kit.command('a walnut bookend', 'U-th'));
    const design = await kit.designOf('U-th');
    await waitFor(kit.h.workflow, design, inState('awaiting_approval'));
    await expect.poll(() => shownFile(cardOf(design)), { timeout: 10_000 }).toBeDefined();
    const uploadsBefore = kit.slack.files.length;
    const front = kit.slack.files.find((f) => f.id === shownFile(cardOf(design)))!;
    expect(front.bytes.equals(await kit.h.images.get(imageKeys.front(design, 1)))).toBe(true);

    // Slack answers the next card edit with a rate limit: the client waits Retry-After and tries again.
    kit.slack.rateLimit('chat.update', 1);
    const approve = await kit.waitForButton(/^Approve/);
    await kit.post(kit.click(approve.action_id, 'U-th'));
    const done = await waitFor(kit.h.workflow, design, inState('completed', 'failed'));
    expect(done.state).toBe('completed');
    await waitFor(kit.h.workflow, design, (d) => Boolean(d.revision?.specSheetKey));

    // The thread: one status message, then seven images, each an image block naming an uploaded file.
    const cardTs = (done.surface.slack as { ts: string }).ts;
    const threadPosts = () =>
      kit.slack
        .callsTo('chat.postMessage')
        // Notices to people are text; the status and the images have blocks.
        .filter((c) => c.args.thread_ts === cardTs && !c.error && c.args.blocks !== undefined);
    await expect.poll(() => threadPosts().length, { timeout: 15_000 }).toBe(8);
    const [, ...images] = threadPosts();
    const shown = images.map((m) => shownFile(m));
    const titles = images.map((m) => String(m.args.text));
    expect(titles[0]).toBe('Front view (approved)');
    expect(titles.slice(1, 5).sort()).toEqual(['Back view', 'Bottom view', 'Side view', 'Top view']);
    expect(titles[5]).toMatch(/^Contact sheet/);
    expect(titles[6]).toBe('Spec sheet (PDF on the design page)');
    expect(new Set(shown).size).toBe(7);
    // The approved front view is the file already on the card: six new uploads, not seven.
    expect(shown[0]).toBe(front.id);
    const uploads = kit.slack.files.slice(uploadsBefore);
    expect(uploads).toHaveLength(6);
    expect(shown.slice(1)).toEqual(uploads.map((f) => f.id));
    for (const file of uploads) {
      expect(file).toMatchObject({ channelId: undefined, threadTs: undefined });
      expect(file.bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    }
    expect(uploads.at(-2)!.filename).toBe('r1-contact-sheet.png');
    // The spec sheet Slack received is the whole page as one PNG, at the width it is drawn for.
    expect(uploads.at(-1)!.filename).toBe('r1-spec-sheet.png');
    const spec = await sharp(uploads.at(-1)!.bytes).metadata();
    expect({ format: spec.format, width: spec.width }).toEqual({ format: 'png', width: specSheetPngWidth });
    expect(spec.height).toBeGreaterThan(specSheetPngWidth / 2);
    // No upload was shared into the channel: the thread holds messages, not file shares.
    expect(kit.slack.files.every((f) => f.channelId === undefined)).toBe(true);

    // The rate-limited edit was retried: the card's last state is the completed design, with its picture.
    const updates = kit.slack.callsTo('chat.update');
    const limited = updates.findIndex((c) => c.rateLimited);
    expect(limited).toBeGreaterThanOrEqual(0);
    const retried = updates.slice(limited + 1).find((c) => c.args.ts === updates[limited]!.args.ts)!;
    expect(retried.args.text).toBe(updates[limited]!.args.text);
    expect(retried.at - updates[limited]!.at).toBeGreaterThanOrEqual(900);
    await expect.poll(() => JSON.stringify(kit.lastCard().args.blocks)).toContain('credits charged');
    expect(shownFile(cardOf(design))).toBe(front.id);

    // Shown again by a fresh process: nothing is uploaded or posted twice. Counted once the kit's own
    // deliveries are over (the requester's notice can follow the card's last edit on a busy machine).
    const chatPosts = () =>
      kit.h.test.db
        .selectFrom('chat_posts')
        .select(['key', 'message_ref'])
        .where('design_id', '=', design)
        .execute();
    await expect.poll(async () => (await chatPosts()).length, { timeout: 10_000 }).toBe(7 + 7 + 1 + 1);
    await expect.poll(() => allShown(design)).toBe(true);
    const posted = kit.slack.callsTo('chat.postMessage').length;
    await kit.restartedNotifier().notify((await kit.h.workflow.service.snapshot(design))!);
    expect(kit.slack.files).toHaveLength(uploadsBefore + 6);
    expect(kit.slack.callsTo('chat.postMessage')).toHaveLength(posted);
    const rows = await chatPosts();
    const refs = new Map(rows.map((row) => [row.key, row.message_ref]));
    // Seven uploads, seven images, the status and the requester’s notice.
    expect(rows).toHaveLength(7 + 7 + 1 + 1);
    expect(refs.get(`upload:${imageKeys.front(design, 1)}`)).toBe(front.id);
    for (const [key, ref] of refs)
      expect(ref, key).toMatch(key.startsWith('upload:') ? /^F\d+$/ : /^\d+\.\d+$/);

    // The sheet job run again, twice at once: its sheets are neither uploaded nor posted again.
    await rerunSheetJobTwice(kit.h, design, { shownOnCard: true });
    expect(kit.slack.files).toHaveLength(uploadsBefore + 6);
    expect(kit.slack.callsTo('chat.postMessage')).toHaveLength(posted);
  });

  it('waits for a front view another process is uploading rather than uploading it again', async () => {
    await kit.post(kit.command('a linen lampshade', 'U-race'));
    const design = await kit.designOf('U-race');
    // Everything shown first, so that no delivery of the kit's own is under way below.
    await waitFor(kit.h.workflow, design, (d) => d.iterations[0]?.features != null);
    await expect.poll(() => allShown(design)).toBe(true);
    const fileId = shownFile(cardOf(design))!;
    expect(fileId).toBeDefined();
    const uploads = kit.slack.files.length;
    // As if another process had claimed the upload and not recorded its file id yet.
    const key = `upload:${imageKeys.front(design, 1)}`;
    await kit.h.test.db
      .updateTable('chat_posts')
      .set({ message_ref: null })
      .where('design_id', '=', design)
      .where('key', '=', key)
      .execute();
    const snapshot = (await kit.h.workflow.service.snapshot(design))!;

    // The card still shows the design's state, says its picture is on the way, and the delivery fails
    // so that it is made again.
    await expect(kit.restartedNotifier().notify(snapshot)).rejects.toThrow(/being uploaded/);
    expect(JSON.stringify(kit.lastCard().args.blocks)).toContain('Front view, iteration 1 is being uploaded');
    expect(kit.buttons(kit.lastCard()).map((b) => b.text.text)).toContainEqual(
      expect.stringMatching(/^Approve/),
    );
    expect(kit.slack.files).toHaveLength(uploads);

    // The other process records it: the next delivery shows it.
    await kit.h.test.db
      .updateTable('chat_posts')
      .set({ message_ref: fileId })
      .where('design_id', '=', design)
      .where('key', '=', key)
      .execute();
    await kit.restartedNotifier().notify(snapshot);
    expect(shownFile(cardOf(design))).toBe(fileId);
    expect(kit.slack.files).toHaveLength(uploads);
  });
});

/** With PUBLIC_URL set Slack fetches images itself: nothing is uploaded. */
describe('Slack with a public image URL', () => {
  let kit: SlackKit;

  beforeAll(async () => {
    kit = await startSlackKit('slack_public_images', { publicImages: true });
  });

  afterAll(async () => {
    await kit.close();
  });

  it('shows the front view by image_url', async () => {
    await kit.post(kit.command('a ceramic pour-over stand', 'U-pub'));
    const design = await kit.designOf('U-pub');
    await waitFor(kit.h.workflow, design, inState('awaiting_approval'));
    await expect
      .poll(() => imageBlocks(kit.lastCard())[0]?.image_url, { timeout: 10_000 })
      .toMatch(/^https:\/\/facet\.example\.com\/.*front-1\.png/);
    expect(imageBlocks(kit.lastCard())[0]!.slack_file).toBeUndefined();
    expect(kit.slack.files).toHaveLength(0);
  });
});
