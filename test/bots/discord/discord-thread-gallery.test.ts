import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inState, waitFor } from '../../workflow/workflow-harness.ts';
import { members, startDiscordKit, type DiscordKit } from './discord-kit.ts';
import { galleryOf } from './discord-v2-read.ts';

/**
 * The finished design's images arrive in the thread as ONE gallery message per round, and the claim and
 * record keys keep it posted once and complete whatever processes die or race.
 */
describe('Discord thread gallery', () => {
  let kit: DiscordKit;
  let design: string;
  let threadId: string;

  beforeAll(async () => {
    kit = await startDiscordKit('discord_thread_gallery');
  });

  afterAll(async () => {
    await kit.close();
  });

  const gallery = () => kit.fake.messagesIn(threadId).find((m) => galleryOf(m).length > 0)!;
  const threadFiles = () =>
    kit.fake.calls
      .filter((call) => call.path.startsWith(`/channels/${threadId}/messages`))
      .flatMap((call) => call.files.map((file) => file.name));

  it('shows the seven images in one gallery message, grown as they finished', async () => {
    kit.fake.slashCommand('design', {
      subcommand: 'create',
      options: { prompt: 'a folding walnut step stool' },
      userId: members.ada,
    });
    design = await kit.designOf(members.ada);
    await waitFor(kit.h.workflow, design, inState('awaiting_approval'));
    const { card, id } = await kit.waitForButton(design, /^Approve\b/);
    await kit.fake.clickButton(card, id, { userId: members.ada }).response();
    await waitFor(kit.h.workflow, design, inState('completed'));
    threadId = card.id;
    // The sheets come last, from their own job.
    await expect
      .poll(
        () =>
          kit.fake
            .messagesIn(threadId)
            .map((m) => galleryOf(m).length)
            .filter((n) => n > 0),
        {
          timeout: 15_000,
        },
      )
      .toEqual([7]);
    expect(
      kit.fake.callsTo('PATCH', `/channels/${threadId}/messages/${gallery().id}`).length,
    ).toBeGreaterThan(0);
  });

  it('records each image with the gallery that shows it, and the gallery once', async () => {
    const list = () =>
      kit.h.test.db
        .selectFrom('chat_posts')
        .select(['key', 'message_ref'])
        .where('design_id', '=', design)
        .execute();
    // Recorded right after the edit that showed them.
    await expect
      .poll(
        async () => (await list()).filter((row) => row.key.startsWith('image:') && row.message_ref).length,
      )
      .toBe(7);
    const rows = await list();
    const refs = new Map(rows.map((row) => [row.key, row.message_ref]));
    expect(refs.get('gallery:r1:1')).toBe(gallery().id);
    const images = rows.filter((row) => row.key.startsWith('image:'));
    expect(images).toHaveLength(7);
    for (const image of images) expect(image.message_ref).toBe(gallery().id);
    // No lock is left behind.
    expect(refs.has('gallery-lock')).toBe(false);
  });

  it('after processes died between the gallery edit and its records, two restarted ones at once add nothing twice', async () => {
    const before = { messages: kit.fake.messagesIn(threadId).length, files: threadFiles().length };
    // The edits reached Discord; the records of the images did not.
    await kit.h.test.db
      .deleteFrom('chat_posts')
      .where('design_id', '=', design)
      .where('key', 'like', 'image:%')
      .execute();
    const snapshot = (await kit.h.workflow.service.snapshot(design))!;
    const results = await Promise.allSettled([
      kit.restartedNotifier().notify(snapshot),
      kit.restartedNotifier().notify(snapshot),
    ]);
    // One holds the lock; the other is told to try again later (its delivery fails and is redelivered).
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
    for (const result of results)
      if (result.status === 'rejected')
        expect(String(result.reason)).toMatch(/another process is adding images/);
    await kit.restartedNotifier().notify(snapshot);
    expect(kit.fake.messagesIn(threadId)).toHaveLength(before.messages);
    expect(galleryOf(gallery())).toHaveLength(7);
    expect(gallery().attachments).toHaveLength(7);
    // The files it carried were kept by id: none was sent again.
    expect(threadFiles()).toHaveLength(before.files);
    const recorded = await kit.h.test.db
      .selectFrom('chat_posts')
      .select('key')
      .where('design_id', '=', design)
      .where('key', 'like', 'image:%')
      .execute();
    expect(recorded).toHaveLength(7);
  });

  it('waits for a process that holds the gallery lock, and takes it over once that process is gone', async () => {
    // Two images not shown yet (their records gone), and another process holding the lock.
    await kit.h.test.db
      .deleteFrom('chat_posts')
      .where('design_id', '=', design)
      .where('key', 'in', [
        `image:designs/${design}/r1/back.png`,
        `image:designs/${design}/r1/spec-sheet.png`,
      ])
      .execute();
    await kit.h.test.db.insertInto('chat_posts').values({ design_id: design, key: 'gallery-lock' }).execute();
    const snapshot = (await kit.h.workflow.service.snapshot(design))!;
    const edits = () => kit.fake.callsTo('PATCH', `/channels/${threadId}/messages/${gallery().id}`).length;
    const editsBefore = edits();
    await expect(kit.restartedNotifier().notify(snapshot)).rejects.toThrow(
      /another process is adding images/,
    );
    expect(edits()).toBe(editsBefore);
    // The holder died: its claim is old enough to be taken over.
    await kit.h.test.db
      .updateTable('chat_posts')
      .set({ claimed_at: sql<Date>`now() - interval '10 minutes'` })
      .where('design_id', '=', design)
      .where('key', '=', 'gallery-lock')
      .execute();
    await kit.restartedNotifier().notify(snapshot);
    expect(edits()).toBe(editsBefore + 1);
    expect(galleryOf(gallery())).toHaveLength(7);
    expect(kit.fake.problems).toEqual([]);
  });
});
