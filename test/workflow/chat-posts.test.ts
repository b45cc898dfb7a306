import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatPosts } from '../../src/workflow/chat-posts.ts';
import { ensureWorkspace } from '../../src/storage/workspaces.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';

describe('chat posts (claim, post, record)', () => {
  let test: TestDatabase;
  let posts: ChatPosts;
  let designId: string;

  beforeAll(async () => {
    test = await createTestDatabase('chat_posts');
    posts = new ChatPosts(test.db);
    const workspace = await ensureWorkspace(test.db, 'slack', 'T-posts');
    designId = (
      await test.db
        .insertInto('designs')
        .values({
          workspace_id: workspace.id,
          requester_id: 'U1',
          prompt: 'a lamp',
          state: 'generating_front',
          kind: 'design',
          base_price: 3,
          edit_price: 1,
          surface: JSON.stringify({}),
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  });

  afterAll(() => test.drop());

  const age = (key: string, minutes: number) =>
    test.db
      .updateTable('chat_posts')
      .set({ claimed_at: sql`now() - make_interval(mins => ${minutes})` })
      .where('key', '=', key)
      .execute();

  it('lets one claimant post, and another take over only a claim abandoned mid-post', async () => {
    expect(await posts.claim(designId, 'image:a')).toBe(true);
    expect(await posts.claim(designId, 'image:a')).toBe(false);
    expect(await posts.list(designId)).toEqual(new Map([['image:a', null]]));

    await age('image:a', 5);
    expect(await posts.list(designId)).toEqual(new Map());
    expect(await posts.claim(designId, 'image:a')).toBe(true);
    expect(await posts.claim(designId, 'image:a')).toBe(false);

    await posts.record(designId, 'image:a', '1700000000.000100');
    await age('image:a', 60);
    expect(await posts.claim(designId, 'image:a')).toBe(false);
    expect(await posts.list(designId)).toEqual(new Map([['image:a', '1700000000.000100']]));
  });

  it('gives a claim back when the post fails, so the next change tries again', async () => {
    await expect(
      posts.once(designId, 'status:r1', () => Promise.reject(new Error('slack is down'))),
    ).rejects.toThrow('slack is down');
    expect((await posts.list(designId)).has('status:r1')).toBe(false);
    expect(await posts.once(designId, 'status:r1', () => Promise.resolve('ts-1'))).toBe('ts-1');
    expect(await posts.once(designId, 'status:r1', () => Promise.resolve('ts-2'))).toBeNull();
  });
});
