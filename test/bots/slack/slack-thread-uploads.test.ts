import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageKeys } from '../../../src/workflow/design-jobs/image-keys.ts';
import { waitFor, inState } from '../../workflow/workflow-harness.ts';
import { channel, startSlackKit, type SlackKit } from './slack-kit.ts';

/** Without PUBLIC_URL or S3, Slack cannot fetch our image URLs: every image goes up with files.uploadV2. */
describe('Slack thread without a public image URL', () => {
  let kit: SlackKit;

  beforeAll(async () => {
    kit = await startSlackKit('slack_uploads', { publicImages: false });
  });

  afterAll(async () => {
    await kit.close();
  });

  it('uploads each front view and every finished view into the card thread, once each', async () => {
    await kit.post(kit.command('a desk lamp with a brass arm', 'U-up'));
    const design = await kit.designOf('U-up');
    await waitFor(kit.h.workflow, design, inState('awaiting_approval'));
    // The card never carries an image block Slack could not fetch; it points to the thread instead.
    await expect.poll(() => JSON.stringify(kit.lastCard().args.blocks)).toContain('is in the thread');
    expect(JSON.stringify(kit.lastCard().args.blocks)).not.toContain('"type":"image"');
    await expect.poll(() => kit.slack.files.length, { timeout: 10_000 }).toBe(1);

    // Slack answers the next card edit with a rate limit: the client waits Retry-After and tries again.
    kit.slack.rateLimit('chat.update', 1);
    const approve = await kit.waitForButton(/^Approve$/);
    await kit.post(kit.click(approve.action_id, 'U-up'));
    const done = await waitFor(kit.h.workflow, design, inState('completed', 'failed'));
    expect(done.state).toBe('completed');

    await expect.poll(() => kit.slack.files.length, { timeout: 15_000 }).toBe(6);
    const cardTs = (done.surface.slack as { ts: string }).ts;
    for (const file of kit.slack.files) {
      expect(file.channelId).toBe(channel);
      expect(file.threadTs).toBe(cardTs);
      expect(file.bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    }
    const front = await kit.h.images.get(imageKeys.front(design, 1));
    expect(kit.slack.files[0]!.bytes.equals(front)).toBe(true);
    expect(kit.slack.files.at(-1)!.filename).toBe('r1-contact-sheet.png');
    expect(new Set(kit.slack.files.map((f) => f.filename)).size).toBe(6);

    // The rate-limited edit was retried: the card's last state is the completed design.
    const updates = kit.slack.callsTo('chat.update');
    const limited = updates.findIndex((c) => c.rateLimited);
    expect(limited).toBeGreaterThanOrEqual(0);
    const retried = updates.slice(limited + 1).find((c) => c.args.ts === updates[limited]!.args.ts)!;
    expect(retried.args.text).toBe(updates[limited]!.args.text);
    expect(retried.at - updates[limited]!.at).toBeGreaterThanOrEqual(900);
    await expect.poll(() => JSON.stringify(kit.lastCard().args.blocks)).toContain('credits charged');
    const posts = await kit.h.test.db
      .selectFrom('chat_posts')
      .select(['key', 'message_ref'])
      .where('design_id', '=', design)
      .execute();
    expect(posts).toHaveLength(7);
    for (const row of posts) expect(row.message_ref).toMatch(/^(F\d+|\d+\.\d+)$/);
  });
});
