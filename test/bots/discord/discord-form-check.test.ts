import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEphemeral } from '../../fakes/fake-discord.ts';
import { inState, waitFor } from '../../workflow/workflow-harness.ts';
import { members, startDiscordKit, type DiscordKit } from './discord-kit.ts';

/**
 * Issue 14, item 3: who may not change a design is refused before the form opens; and when the check
 * cannot answer in time (the database stalls), the form still opens within Discord's 3 s window.
 */
describe('Discord: the check before the change form', () => {
  let kit: DiscordKit;
  let design: string;

  beforeAll(async () => {
    kit = await startDiscordKit('discord_form_check');
  });

  afterAll(async () => {
    await kit.close();
  });

  it('refuses someone who may not change it at once, without a form', async () => {
    kit.fake.slashCommand('design', {
      subcommand: 'create',
      options: { prompt: 'a stoneware teapot' },
      userId: members.ada,
    });
    design = await kit.designOf(members.ada);
    await waitFor(kit.h.workflow, design, inState('awaiting_approval'));
    const { card, id } = await kit.waitForButton(design, /^Request changes/);
    const click = kit.fake.clickButton(card, id, { userId: members.bob });
    const response = await click.response();
    expect(response.type).not.toBe(9);
    await expect
      .poll(
        () =>
          click.followUps().find((m) => isEphemeral(m))?.content ??
          (response.data as { content?: string }).content,
      )
      .toMatch(/Only the person who asked for this design/);
  });

  it('opens the form within the window when the check stalls (its submission is checked as every edit)', async () => {
    const { card, id } = await kit.waitForButton(design, /^Request changes/);
    const blocker = new pg.Client({ connectionString: kit.h.test.url });
    await blocker.connect();
    await blocker.query('begin');
    await blocker.query('lock table designs in access exclusive mode');
    const released = new Promise<void>((resolve) =>
      setTimeout(() => {
        void blocker
          .query('rollback')
          .then(() => blocker.end())
          .then(resolve);
      }, 4_000),
    );
    const click = kit.fake.clickButton(card, id, { userId: members.ada });
    const response = await click.response();
    expect(response.type).toBe(9);
    expect(response.at - click.dispatchedAt).toBeLessThan(2_500);
    await released;
  }, 15_000);
});
