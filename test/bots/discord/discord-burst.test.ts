import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RateLimiter } from '../../../src/bots/rate-limit/rate-limiter.ts';
import { members, startDiscordKit, type DiscordKit } from './discord-kit.ts';

/** Lee's requests take this long to be let through, so his deferral goes out late. */
const leeHeldMs = 300;

describe('Discord gateway: a burst is deferred before its work starts', () => {
  let kit: DiscordKit;

  beforeAll(async () => {
    const slowForLee: RateLimiter = {
      limit: 100,
      async take(who) {
        if (who.endsWith(members.lee)) await delay(leeHeldMs);
        return { ok: true };
      },
    };
    // A hold far longer than the test needs: the order asserted below must not depend on the machine.
    kit = await startDiscordKit('discord_burst', { limiter: slowForLee, burst: { maxHoldMs: 10_000 } });
  });

  afterAll(async () => {
    await kit.close();
  });

  it("holds a command's work until the other interaction that arrived with it is deferred, then does it", async () => {
    const create = kit.fake.slashCommand('design', {
      subcommand: 'create',
      options: { prompt: 'a walnut desk organiser' },
      userId: members.bob,
    });
    const help = kit.fake.slashCommand('design', { subcommand: 'help', userId: members.lee });
    const [createDeferred, helpAnswered] = await Promise.all([create.response(), help.response()]);
    expect(createDeferred.type).toBe(5);
    // Bob's deferral did not wait for Lee's.
    expect(helpAnswered.at - createDeferred.at).toBeGreaterThan(leeHeldMs / 2);

    const designId = await kit.designOf(members.bob);
    const design = await kit.h.test.db
      .selectFrom('designs')
      .select('created_at')
      .where('id', '=', designId)
      .executeTakeFirstOrThrow();
    // Bob's design was created only once Lee's interaction had its answer: none of the burst's work ran
    // while part of it was still waiting for its first response.
    expect(design.created_at.getTime()).toBeGreaterThanOrEqual(helpAnswered.at);
    // And the work was done, not dropped: the card replaced the deferral's "thinking" message.
    await expect
      .poll(() => create.original()?.components.length ?? 0, { timeout: 10_000 })
      .toBeGreaterThan(0);
    expect((create.original()?.flags ?? 0) & 128).toBe(0);
  });
});
