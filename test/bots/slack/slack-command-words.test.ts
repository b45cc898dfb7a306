import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inState, waitFor } from '../../workflow/workflow-harness.ts';
import { startSlackKit, type SlackKit } from './slack-kit.ts';

/** Issue 14 item 8: a subcommand word never starts a paid design by accident; `create` always does. */
describe('Slack /design: subcommand words, `create` and the length limit', () => {
  let kit: SlackKit;

  beforeAll(async () => {
    kit = await startSlackKit('slack_command_words', { publicImages: true });
  });

  afterAll(async () => {
    await kit.close();
  });

  /** Sends a signed command and returns its private answer (in the acknowledgement or via response_url). */
  async function ask(text: string, user: string): Promise<string> {
    const before = kit.slack.responses.length;
    const ack = await kit.post(kit.command(text, user));
    expect(ack.status).toBe(200);
    if (ack.text) return (JSON.parse(ack.text) as { text: string }).text;
    await expect.poll(() => kit.slack.responses.length, { timeout: 10_000 }).toBeGreaterThan(before);
    const answer = kit.slack.responses[before]!;
    expect(answer.response_type).toBe('ephemeral');
    return String(answer.text);
  }

  const designsOf = (user: string) =>
    kit.h.test.db.selectFrom('designs').select('prompt').where('requester_id', '=', user).execute();
  const balanceOf = async (user: string) =>
    kit.h.ledger.balance({ workspaceId: await kit.workspaceId(), userId: user });

  it('answers `credits please` and `helpme` with the usage, starting and charging nothing', async () => {
    expect(await ask('credits', 'U-words')).toMatch(/You have 10 credits available/);
    const before = await balanceOf('U-words');
    expect(await ask('credits please', 'U-words')).toMatch(
      /^Nothing was started or charged: `\/design credits` shows your credits and takes nothing after it\. .*`\/design create <description>`/,
    );
    expect(await ask('helpme', 'U-words')).toMatch(/`\/design help` shows how Facet works/);
    expect(await ask('help me choose a lamp', 'U-words')).toMatch(
      /`\/design help` .* takes nothing after it/,
    );
    expect(await designsOf('U-words')).toEqual([]);
    expect(await balanceOf('U-words')).toEqual(before);
    expect(await ask('help', 'U-words')).toMatch(/`\/design create` always starts a design/);
  });

  it('starts a design from `create <prompt>`, whatever the prompt begins with', async () => {
    const ack = await kit.post(kit.command('create help me choose a lamp', 'U-create'));
    expect(ack).toEqual({ status: 200, text: '' });
    const design = await kit.designOf('U-create', 'help me choose a lamp');
    const ready = await waitFor(kit.h.workflow, design, inState('awaiting_approval'));
    expect(ready).toMatchObject({ prompt: 'help me choose a lamp', held: 3 });
  });

  it('answers a 10,001-character prompt with the length limit and starts nothing', async () => {
    expect(await ask('x'.repeat(10_001), 'U-long')).toBe(
      'That description is too long: keep it to 2000 characters or fewer.',
    );
    expect(await designsOf('U-long')).toEqual([]);
  });
});
