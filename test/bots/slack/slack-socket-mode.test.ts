import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inState, waitFor } from '../../workflow/workflow-harness.ts';
import { startSlackKit, type SlackKit } from './slack-kit.ts';

/** The same app over Socket Mode: the real socket client connects to a fake Socket Mode server. */
describe('Slack app in Socket Mode', () => {
  let kit: SlackKit;

  beforeAll(async () => {
    kit = await startSlackKit('slack_socket', { publicImages: true, socketMode: true });
  });

  afterAll(async () => {
    await kit.close();
  });

  it('connects, acks a command at once, posts the card, and takes a button click', async () => {
    const socket = kit.socket!;
    expect(socket.connected).toBe(true);
    expect(socket.opens).toBe(1);

    const command = Object.fromEntries(new URLSearchParams(kit.command('a cordless stick vacuum', 'U-sock')));
    const started = performance.now();
    const ack = await socket.send('slash_commands', command);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(ack).toEqual({});

    await expect.poll(() => kit.lastCard().args.text, { timeout: 10_000 }).toMatch(/cordless stick vacuum/);
    const design = await kit.designOf('U-sock');
    await waitFor(kit.h.workflow, design, inState('awaiting_approval'));

    const help = await socket.send(
      'slash_commands',
      Object.fromEntries(new URLSearchParams(kit.command('x'.repeat(2001)))),
    );
    expect(help).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringMatching(/keep it to 2000/) as unknown,
    });

    const click = JSON.parse(
      new URLSearchParams(kit.click(`facet1:cancel:${design}`, 'U-sock')).get('payload')!,
    ) as Record<string, unknown>;
    await socket.send('interactive', click);
    const cancelled = await waitFor(kit.h.workflow, design, inState('cancelled'));
    expect(cancelled.held).toBe(0);
    await expect.poll(() => JSON.stringify(kit.lastCard().args.blocks)).toContain('Cancelled');
  });
});
