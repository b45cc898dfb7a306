import { LogLevel, WebClient } from '@slack/web-api';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../../fakes/fake-slack-api.ts';

/**
 * The fake Slack refuses image blocks as Slack does (Block Kit reference: image block and slack_file
 * object), so that the app's image blocks are checked against the same rules as in production.
 */
describe('the fake Slack checks image blocks', () => {
  let slack: FakeSlack;
  let png: Buffer;
  const client = (token: string) =>
    new WebClient(token, {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 0 },
      logLevel: LogLevel.ERROR,
    });
  const upload = async (token: string, file: Buffer, options: { channel_id?: string } = {}) => {
    await client(token).files.uploadV2({ file, filename: 'front.png', ...options });
    return slack.files.at(-1)!.id;
  };
  const post = (token: string, block: Record<string, unknown>) =>
    client(token).chat.postMessage({
      channel: 'C1',
      text: 'a picture',
      blocks: [{ type: 'image', ...block }],
    });
  const refusal = (token: string, block: Record<string, unknown>) =>
    post(token, block).then(
      () => 'accepted',
      (error: unknown) => {
        const data = (error as { data?: { error?: string; errors?: string[] } }).data;
        return `${data?.error ?? 'failed'}: ${data?.errors?.join(', ') ?? ''}`;
      },
    );

  beforeAll(async () => {
    slack = await startFakeSlack({ fileScanMs: 300 });
    png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#c8a050' } })
      .png()
      .toBuffer();
  });

  afterAll(() => slack.close());

  it('needs alt text and exactly one of image_url and slack_file', async () => {
    const url = 'https://facet.example.com/front.png';
    expect(await refusal('xoxb-a', { image_url: url, alt_text: 'Front view' })).toBe('accepted');
    expect(await refusal('xoxb-a', { image_url: url })).toMatch(/^invalid_blocks: alt_text/);
    expect(await refusal('xoxb-a', { image_url: url, alt_text: '' })).toMatch(/^invalid_blocks: alt_text/);
    expect(await refusal('xoxb-a', { alt_text: 'Front view' })).toMatch(
      /^invalid_blocks: must provide exactly one/,
    );
    const id = await upload('xoxb-a', png);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await refusal('xoxb-a', { image_url: url, slack_file: { id }, alt_text: 'Front view' })).toMatch(
      /^invalid_blocks: must provide exactly one/,
    );
    expect(await refusal('xoxb-a', { image_url: 'http://127.0.0.1:3000/front.png', alt_text: 'x' })).toMatch(
      /downloading image failed/,
    );
  });

  it('shows a slack_file only once scanned, to the token that uploaded it or where it was shared', async () => {
    const id = await upload('xoxb-a', png);
    const block = { slack_file: { id }, alt_text: 'Front view' };
    // Just uploaded: Slack is still scanning it.
    expect(await refusal('xoxb-a', block)).toBe(
      'invalid_blocks: invalid slack file [json-pointer:/blocks/0/slack_file]',
    );
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await refusal('xoxb-a', block)).toBe('accepted');
    // Private to its uploader: another workspace's bot cannot show it.
    expect(await refusal('xoxb-b', block)).toMatch(/invalid slack file/);
    const shared = await upload('xoxb-a', png, { channel_id: 'C1' });
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await refusal('xoxb-b', { slack_file: { id: shared }, alt_text: 'Front view' })).toBe('accepted');

    expect(await refusal('xoxb-a', { slack_file: { id: 'F0000999999' }, alt_text: 'x' })).toMatch(
      /invalid slack file/,
    );
    expect(await refusal('xoxb-a', { slack_file: { id: 'nope' }, alt_text: 'x' })).toMatch(/regex pattern/);
    expect(await refusal('xoxb-a', { slack_file: {}, alt_text: 'x' })).toMatch(/invalid slack file/);
    const text = await upload('xoxb-a', Buffer.from('not a picture'));
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await refusal('xoxb-a', { slack_file: { id: text }, alt_text: 'x' })).toMatch(
      /invalid slack file/,
    );
  });
});
