import { describe, expect, it } from 'vitest';

/** No half of a surrogate pair on its own (String.prototype.isWellFormed, which this TS lib lacks). */
const wellFormed = (text: string) =>
  !/[\uD800-\uDFFF]/.test(text.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''));
import { renderDiscordChatText } from '../../../src/bots/discord/discord-chat-text.ts';
import { discordIterationModal } from '../../../src/bots/discord/discord-iteration-modal.ts';
import { renderDiscordThreadStatus } from '../../../src/bots/discord/discord-thread-messages.ts';
import { renderSlackChatText } from '../../../src/bots/slack/slack-chat-text.ts';
import { settingsModal } from '../../../src/bots/slack/slack-settings-modal.ts';
import { renderSlackThreadStatus } from '../../../src/bots/slack/slack-thread-blocks.ts';
import { startFakeDiscord } from '../../fakes/fake-discord.ts';
import { discordRest } from '../../../src/bots/discord/discord-bot.ts';
import { DiscordCardOutbound } from '../../../src/bots/discord/discord-card-outbound.ts';
import { LocalImageStore } from '../../../src/storage/images/local-image-store.ts';

/** Text a person might type, with an emoji exactly where a platform's limit falls. */
const emojiAt = (units: number) => `${'x'.repeat(units - 1)}👍 and more`;

/** Every text in a message body, wherever it is nested. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(strings);
  return [];
}

describe('lengths a platform limits are cut between graphemes, on every platform', () => {
  it('Slack: long answers, the thread status and group names in the settings form', () => {
    expect(wellFormed(renderSlackChatText([{ userText: emojiAt(3_900) }]))).toBe(true);
    const status = renderSlackThreadStatus({
      postKey: 'status:r1',
      title: emojiAt(3_900),
      lines: [],
      footer: null,
    });
    expect(wellFormed(status.text)).toBe(true);
    const form = settingsModal({
      teamId: 'T1',
      approverGroup: null,
      requestersApprove: null,
      approvalNotices: 'thread',
      prices: { design: 3, variation: 2, edit: 1 },
      monthlyBudgetCents: 5000,
      groups: [{ id: 'S1', handle: emojiAt(74) }],
    });
    for (const text of strings(form)) expect(wellFormed(text), text.slice(-5)).toBe(true);
  });

  it('Discord: long answers, the thread status and the change form', () => {
    expect(wellFormed(renderDiscordChatText([{ userText: emojiAt(2_000) }]))).toBe(true);
    const status = renderDiscordThreadStatus({
      postKey: 'status:r1',
      title: emojiAt(1_996),
      lines: [],
      footer: null,
    });
    expect(wellFormed(status.content)).toBe(true);
    const form = discordIterationModal('feedback', {
      designId: '3f2a8c1e-0000-4000-8000-000000000001',
      iteration: 1,
    });
    for (const text of strings(form)) expect(wellFormed(text)).toBe(true);
  });

  it('Discord: a thread named after a prompt with an emoji at the 100th character is made', async () => {
    const fake = await startFakeDiscord({ token: 'clip-test-token' });
    try {
      const rest = discordRest('clip-test-token', fake.apiUrl);
      const images = new LocalImageStore({ dir: '/tmp', publicUrl: 'http://127.0.0.1:9', secret: 's' });
      const outbound = new DiscordCardOutbound({ rest, images });
      const messageId = await outbound.send(fake.channelId, {
        designId: '3f2a8c1e-0000-4000-8000-000000000001',
        title: 'a lamp',
        fullPrompt: null,
        prompt: 'a lamp',
        requesterId: '2000000000000000001',
        tone: 'working',
        status: ['Generating'],
        facts: [],
        image: null,
        actions: [],
      });
      // "Views: " is 7 units: the emoji's two halves fall on the 100th and 101st.
      const threadId = await outbound.openThread(
        { channelId: fake.channelId, messageId },
        `Views: ${emojiAt(93)}`,
      );
      const name = fake.channel(threadId)?.name ?? '';
      expect(wellFormed(name)).toBe(true);
      expect(name).toBe(`Views: ${'x'.repeat(92)}`);
    } finally {
      await fake.close();
    }
  });
});
