import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inState, waitFor } from '../../workflow/workflow-harness.ts';
import { startSlackKit, type SlackKit } from './slack-kit.ts';

/**
 * Issue 14, item 1: a card shows progress that does not freeze — when the phase started, in each reader's
 * own time zone (Slack formats `<!date^…>` itself), and how long it usually takes once Facet knows.
 */
describe('Slack card progress', () => {
  let kit: SlackKit;

  beforeAll(async () => {
    kit = await startSlackKit('slack_progress', { publicImages: true });
  });

  afterAll(async () => {
    await kit.close();
  });

  const firstCardOf = (prompt: string) =>
    kit.slack
      .callsTo('chat.postMessage')
      .find((call) => call.args.thread_ts === undefined && String(call.args.text).includes(prompt));

  it('says when generating started as a Slack date, and the deadline to approve in the reader’s time zone', async () => {
    // Slow enough that the card is posted while the front view is still being drawn.
    kit.h.gemini.setLatency(1_500);
    await kit.post(kit.command('a titanium camping mug', 'U-p1'));
    await expect.poll(() => firstCardOf('a titanium camping mug'), { timeout: 10_000 }).toBeDefined();
    const blocks = JSON.stringify(firstCardOf('a titanium camping mug')!.args.blocks);
    expect(blocks).toMatch(/Generating the front view, started <!date\^\d{10}\^\{time\}\|\d\d:\d\d UTC>/);
    expect(blocks).not.toMatch(/\(\d+ s\)/);
    kit.h.gemini.setLatency(0);
    const design = await kit.designOf('U-p1', 'a titanium camping mug');
    await waitFor(kit.h.workflow, design, inState('awaiting_approval'));
    await expect
      .poll(() => JSON.stringify(kit.lastCard().args.blocks), { timeout: 10_000 })
      .toMatch(
        /returned if not approved by <!date\^\d{10}\^\{date_short_pretty\} at \{time\}\|\d{4}-\d\d-\d\d \d\d:\d\d UTC>/,
      );
    // The message text (notifications, old clients) carries the UTC fallback, not Slack's markup.
    expect(String(kit.lastCard().args.text)).not.toContain('<!date');
  });

  it('adds "usually ready in about" once the workspace has five front views behind it', async () => {
    for (let n = 2; n <= 5; n += 1) {
      await kit.post(kit.command(`a camping mug number ${n}`, `U-p${n}`));
      await waitFor(kit.h.workflow, await kit.designOf(`U-p${n}`), inState('awaiting_approval'));
    }
    kit.h.gemini.setLatency(1_500);
    await kit.post(kit.command('a folding camp stool', 'U-p6'));
    await expect.poll(() => firstCardOf('a folding camp stool'), { timeout: 10_000 }).toBeDefined();
    expect(JSON.stringify(firstCardOf('a folding camp stool')!.args.blocks)).toMatch(
      /started <!date[^>]+>; usually ready in about 5 s/,
    );
    kit.h.gemini.setLatency(0);
    expect(JSON.stringify(firstCardOf('a titanium camping mug')!.args.blocks)).not.toMatch(/usually ready/);
  });

  it('titles a long prompt with its first line or two, and shows the whole prompt under it', async () => {
    const prompt = `a stackable stool ${'with a woven seat and tapered legs '.repeat(40)}`.trim();
    await kit.post(kit.command(prompt, 'U-long'));
    await expect.poll(() => firstCardOf('a stackable stool'), { timeout: 10_000 }).toBeDefined();
    const blocks = firstCardOf('a stackable stool')!.args.blocks as {
      block_id: string;
      text?: { text: string };
    }[];
    const title = blocks.find((b) => b.block_id === 'facet_title')!.text!.text;
    expect(title.split('\n')[0]!.length).toBeLessThanOrEqual(122);
    expect(blocks.find((b) => b.block_id === 'facet_prompt')!.text!.text).toBe(prompt);
  });

  it('offers no Retry on a design the model refused for safety, and says what to do instead', async () => {
    kit.h.gemini.scriptFor((text) => text.includes('a replica of a famous pistol'), { kind: 'blocked' });
    await kit.post(kit.command('a replica of a famous pistol', 'U-blocked'));
    const design = await kit.designOf('U-blocked', 'a replica of a famous pistol');
    await waitFor(kit.h.workflow, design, inState('failed'));
    const failedCard = () =>
      kit.slack
        .callsTo('chat.update')
        .map((call) => JSON.stringify(call.args.blocks))
        .find(
          (blocks) => blocks.includes('a replica of a famous pistol') && blocks.includes('safety filters'),
        );
    await expect.poll(failedCard, { timeout: 10_000 }).toBeDefined();
    expect(failedCard()).toMatch(/start a new design with a different description/);
    expect(failedCard()).not.toContain('facet1:retry:');
    expect(failedCard()).toContain('facet1:cancel:');
  });
});
