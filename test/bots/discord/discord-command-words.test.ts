import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEphemeral } from '../../fakes/fake-discord.ts';
import { inState, waitFor } from '../../workflow/workflow-harness.ts';
import { members, startDiscordKit, type DiscordKit } from './discord-kit.ts';

/**
 * Issue 14 item 8 on Discord. Subcommands are chosen from Discord's menu, so no free text is read as a
 * subcommand (`/design credits` takes no options): only `create`'s prompt is free text.
 */
describe('Discord /design: `create` and the length limit', () => {
  let kit: DiscordKit;

  beforeAll(async () => {
    kit = await startDiscordKit('discord_command_words');
  });

  afterAll(async () => {
    await kit.close();
  });

  const designsOf = (userId: string) =>
    kit.h.test.db.selectFrom('designs').select('prompt').where('requester_id', '=', userId).execute();

  it('says in help that `/design create` always starts a design', async () => {
    const help = kit.fake.slashCommand('design', { subcommand: 'help', userId: members.bob });
    await help.response();
    await expect
      .poll(() => help.original()?.content ?? '', { timeout: 10_000 })
      .toMatch(/`\/design create` always starts a design/);
  });

  it('starts a design from `create` whose prompt begins with a subcommand word', async () => {
    const command = kit.fake.slashCommand('design', {
      subcommand: 'create',
      options: { prompt: 'help me choose a lamp' },
      userId: members.ada,
    });
    await command.response();
    const design = await kit.designOf(members.ada);
    const ready = await waitFor(kit.h.workflow, design, inState('awaiting_approval'));
    expect(ready).toMatchObject({ prompt: 'help me choose a lamp', held: 3 });
  });

  it('answers a forged 10,001-character prompt at once, privately, with the length limit', async () => {
    // Discord keeps the option to its max_length (2000) itself; only a forged interaction is longer.
    const forged = kit.fake.dispatchInteraction({
      type: 2,
      userId: members.bob,
      data: {
        id: '9000000000000000001',
        name: 'design',
        type: 1,
        options: [
          { type: 1, name: 'create', options: [{ type: 3, name: 'prompt', value: 'x'.repeat(10_001) }] },
        ],
      },
    });
    // A private reply as the first answer: no public "thinking…" that would then be deleted.
    expect((await forged.response()).type).toBe(4);
    const reply = forged.original()!;
    expect(isEphemeral(reply)).toBe(true);
    expect(reply.content).toBe('That description is too long: keep it to 2000 characters or fewer.');
    expect(await designsOf(members.bob)).toEqual([]);
  });
});
