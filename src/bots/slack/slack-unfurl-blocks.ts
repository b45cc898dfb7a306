import { truncate } from '../../text.ts';
import type { DesignSnapshot } from '../../workflow/design-snapshot.ts';
import { stateLabels } from '../chat/chat-answers.ts';
import { escapeSlackText, type SlackBlock } from './slack-blocks.ts';

/** How much of the prompt an unfurl shows: a preview, the page has the rest. */
export const unfurlPromptLength = 300;

/** The front view currently shown (the newest iteration that has one), as the card shows it. */
export function unfurlFrontKey(design: DesignSnapshot): { key: string; iteration: number } | null {
  const shown = [...design.iterations].reverse().find((it) => it.imageKey !== null);
  return shown?.imageKey ? { key: shown.imageKey, iteration: shown.iteration } : null;
}

/**
 * The preview of a design page link in Slack (chat.unfurl): the prompt linking to the page, who asked,
 * the state and iteration, and the front view when there is one. `imageUrl` must be one Slack can fetch.
 * Pure: the same design and URLs give the same blocks.
 */
export function renderSlackUnfurl(
  design: DesignSnapshot,
  urls: { page: string; image: string | null },
): { blocks: SlackBlock[] } {
  const label = stateLabels[design.state];
  const state = `${label.charAt(0).toUpperCase()}${label.slice(1)}`;
  const front = unfurlFrontKey(design);
  const blocks: SlackBlock[] = [
    {
      type: 'section',
      block_id: 'facet_unfurl_prompt',
      text: {
        type: 'mrkdwn',
        text: `*<${urls.page}|${escapeSlackText(truncate(design.prompt, unfurlPromptLength))}>*\nRequested by <@${design.requesterId}>`,
      },
    },
    {
      type: 'context',
      block_id: 'facet_unfurl_state',
      elements: [{ type: 'mrkdwn', text: `${state} · Iteration ${design.iteration}` }],
    },
  ];
  if (front && urls.image)
    blocks.push({
      type: 'image',
      block_id: 'facet_unfurl_front',
      image_url: urls.image,
      alt_text: `Front view, iteration ${front.iteration}`,
    });
  return { blocks };
}
