import { clip } from '../../text.ts';
import type { ThreadStatus, ViewProgressLine } from '../card/design-thread.ts';
import { escapeSlackText, slackImageFields, type SlackBlock, type SlackImageSource } from './slack-blocks.ts';

const stateIcons: Record<ViewProgressLine['state'], string> = {
  pending: ':white_circle:',
  generating: ':hourglass_flowing_sand:',
  done: ':white_check_mark:',
  failed: ':x:',
};

/** The thread's status message: one line per view, edited in place as views finish. */
export function renderSlackThreadStatus(status: ThreadStatus): { text: string; blocks: SlackBlock[] } {
  const lines = status.lines.map((line) => `${stateIcons[line.state]} ${escapeSlackText(line.text)}`);
  const blocks: SlackBlock[] = [
    {
      type: 'section',
      block_id: 'facet_thread_status',
      text: { type: 'mrkdwn', text: `*${escapeSlackText(status.title)}*\n${lines.join('\n')}` },
    },
  ];
  if (status.footer)
    blocks.push({
      type: 'context',
      block_id: 'facet_thread_footer',
      elements: [{ type: 'mrkdwn', text: escapeSlackText(status.footer) }],
    });
  return { text: clip([status.title, ...status.lines.map((l) => l.text)].join('\n'), 3900), blocks };
}

/** A thread image: from a URL Slack can reach, or from a file uploaded to Slack. */
export function renderSlackImageMessage(
  title: string,
  image: SlackImageSource,
): { text: string; blocks: SlackBlock[] } {
  return {
    text: title,
    blocks: [
      {
        type: 'image',
        ...slackImageFields(image),
        alt_text: clip(title, 2000),
        title: { type: 'plain_text', text: clip(title, 2000) },
      },
    ],
  };
}
