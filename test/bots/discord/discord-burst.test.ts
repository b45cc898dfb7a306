import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RateLimiter } from '../../../src/bots/rate-limit/rate-limiter.ts';
import { members, startDiscordKit, type DiscordKit } from './discord-kit.ts';

/** Lee's requests take this long to be let through, so his deferral goes out late. */
const leeHeldMs = 300;
/** Mia's take longer than stopping and starting the bot does. */
const miaHeldMs = 2_000;

describe('Discord gateway: a burst is deferred before its work starts', () => {
  let kit: DiscordKit;
  /** When the limiter last let Lee through (Date.now(), the fake Discord's clock). */
  let leeLetThroughAt = 0;

  beforeAll(async () => {
    const slowForLee: RateLimiter = {
      limit: 100,
      async take(who) {
        if (who.endsWith(members.lee)) {
          await delay(leeHeldMs);
          leeLetThroughAt = Date.now();
        }
        if (who.endsWith(members.mia)) await delay(miaHeldMs);
        return { ok: true };
      },
    };
    // Waits far longer than the tests need: the order asserted must not depend on the machine's speed.
    kit = await startDiscordKit('discord_burst', {
      limiter: slowForLee,
      burst: { maxWaitMs: 10_000, quietMs: 1_000 },
    });
  });

  afterAll(async () => {
    await kit.close();
  });

  const createFor = (userId: string, prompt: string) =>
    kit.fake.slashCommand('design', { subcommand: 'create', options: { prompt }, userId });
  const helpFor = (userId: string) => kit.fake.slashCommand('design', { subcommand: 'help', userId });

  const createdAt = async (designId: string) =>
    (
      await kit.h.test.db
        .selectFrom('designs')
        .select('created_at')
        .where('id', '=', designId)
        .executeTakeFirstOrThrow()
    ).created_at.getTime();

  it("holds a command's work until the other interaction that arrived with it is deferred, then does it", async () => {
    const create = createFor(members.bob, 'a walnut desk organiser');
    const help = helpFor(members.lee);
    const [createDeferred, helpDeferred] = await Promise.all([create.response(), help.response()]);
    expect(createDeferred.type).toBe(5);
    // Bob's deferral did not wait for Lee's.
    expect(createDeferred.at).toBeLessThan(leeLetThroughAt);

    // Bob's design was created only once Lee's interaction was deferred: none of the burst's work ran
    // while part of it still waited for its first response.
    expect(await createdAt(await kit.designOf(members.bob))).toBeGreaterThanOrEqual(helpDeferred.at);
    // And the work was done, not dropped: the card replaced the deferral's "thinking" message.
    await expect
      .poll(() => create.original()?.components.length ?? 0, { timeout: 10_000 })
      .toBeGreaterThan(0);
    expect((create.original()?.flags ?? 0) & 128).toBe(0);
  });

  it('does the work of interactions already deferred, and defers those still arriving, before it stops', async () => {
    const create = createFor(members.ada, 'a brass desk lamp');
    const help = helpFor(members.mia);
    await create.response();
    // Ada's work waits for Mia's deferral (2 s away) when the bot is told to stop.
    await kit.restart();
    const design = await kit.h.test.db
      .selectFrom('designs')
      .select('id')
      .where('requester_id', '=', members.ada)
      .executeTakeFirst();
    expect(design).toBeDefined();
    expect(help.callbacks.some((callback) => callback.accepted)).toBe(true);
    await expect
      .poll(() => create.original()?.components.length ?? 0, { timeout: 10_000 })
      .toBeGreaterThan(0);
  });
});
