import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from '../../../src/bots/rate-limit/rate-limiter.ts';
import { isEphemeral } from '../../fakes/fake-discord.ts';
import { inState, waitFor } from '../../workflow/workflow-harness.ts';
import { members, startDiscordKit, type DiscordKit } from '../discord/discord-kit.ts';
import { startSlackKit, type SlackKit } from '../slack/slack-kit.ts';

// One minute throughout, so a test that runs across a minute boundary still counts in one window.
const frozenMinute = () => 1_800_000_000_000;
const slowDown = /You're going a little fast: Facet takes up to 3 commands and clicks a minute/;

describe('a person over the request limit is asked to slow down, and nothing changes', () => {
  describe('Slack', () => {
    let kit: SlackKit;
    beforeAll(async () => {
      kit = await startSlackKit('slack_rate_limit', {
        publicImages: true,
        limiter: new MemoryRateLimiter(3, frozenMinute),
      });
    });
    afterAll(() => kit.close());

    const designsOf = async (user: string) =>
      (await kit.h.test.db.selectFrom('designs').select('id').where('requester_id', '=', user).execute())
        .length;

    it('refuses the fourth command or click of a minute, and only that person’s', async () => {
      expect((await kit.post(kit.command('help', 'U-fast'))).status).toBe(200);
      await kit.post(kit.command('a walnut desk organiser', 'U-fast'));
      const designId = await kit.designOf('U-fast');
      await waitFor(kit.h.workflow, designId, inState('awaiting_approval'));
      const approve = await kit.waitForButton(/^Approve\b/);
      // The third request of the minute still goes through; the fourth does not, and is told so at once
      // (in the acknowledgement itself).
      expect((await kit.post(kit.command('credits', 'U-fast'))).status).toBe(200);
      const fourth = await kit.post(kit.command('a second lamp', 'U-fast'));
      expect(fourth.status).toBe(200);
      expect(JSON.parse(fourth.text)).toMatchObject({
        response_type: 'ephemeral',
        text: expect.stringMatching(slowDown) as unknown,
      });
      const ephemerals = kit.slack.callsTo('chat.postEphemeral').length;
      expect((await kit.post(kit.click(approve.action_id, 'U-fast'))).status).toBe(200);
      await expect
        .poll(() =>
          kit.slack
            .callsTo('chat.postEphemeral')
            .slice(ephemerals)
            .map((c) => String(c.args.text)),
        )
        .toContainEqual(expect.stringMatching(slowDown));
      expect(await designsOf('U-fast')).toBe(1);
      expect((await kit.h.workflow.service.snapshot(designId))!.state).toBe('awaiting_approval');
      // Someone else in the same workspace is not slowed down.
      await kit.post(kit.command('a brass doorstop', 'U-calm'));
      await kit.designOf('U-calm', 'a brass doorstop');
    });
  });

  describe('Discord', () => {
    let kit: DiscordKit;
    beforeAll(async () => {
      kit = await startDiscordKit('discord_rate_limit', { limiter: new MemoryRateLimiter(3, frozenMinute) });
    });
    afterAll(() => kit.close());

    it('answers the fourth interaction of a minute privately, before doing anything', async () => {
      const run = (subcommand: string, options: Record<string, string> = {}) =>
        kit.fake.slashCommand('design', { subcommand, options, userId: members.bob });
      for (const subcommand of ['help', 'credits', 'history']) await run(subcommand).response();
      const fourth = run('create', { prompt: 'a stoneware teapot' });
      await fourth.response();
      const reply = fourth.original()!;
      expect(isEphemeral(reply)).toBe(true);
      expect(reply.content).toMatch(slowDown);
      const designs = await kit.h.test.db.selectFrom('designs').select('id').execute();
      expect(designs).toHaveLength(0);
    });
  });
});
