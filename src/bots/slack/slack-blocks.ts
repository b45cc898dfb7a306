import type { CardButton, CardText, DesignCard } from '../card/design-card.ts';
import { truncate } from '../../text.ts';

/** Slack Block Kit limits that shape rendering (docs: block kit reference). */
const slackLimits = {
  blocks: 50,
  sectionText: 3000,
  buttonText: 75,
  actionsElements: 25,
  actionId: 255,
  buttonValue: 2000,
  messageText: 4000,
  altText: 2000,
} as const;

export type SlackBlock = Record<string, unknown>;

/** Slack's own escaping: `<`, `>` and `&` are the only control characters of its markup. */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function renderText(parts: CardText[]): string {
  return parts
    .map((part) => (typeof part === 'string' ? escapeSlackText(part) : `<@${part.mention}>`))
    .join('');
}

const toneIcons: Record<DesignCard['tone'], string> = {
  working: ':hourglass_flowing_sand:',
  waiting: ':eyes:',
  done: ':white_check_mark:',
  failed: ':warning:',
  ended: ':no_entry_sign:',
};

/**
 * The card as a Slack message. `imageUrl` must be a URL Slack itself can fetch (public or presigned);
 * without one the image goes into the thread as a file, and the card points there: an image block Slack
 * cannot fetch can make Slack reject the whole message.
 */
export function renderSlackCard(
  card: DesignCard,
  imageUrl: string | null,
): { text: string; blocks: SlackBlock[] } {
  const prompt = truncate(escapeSlackText(card.prompt), 2500);
  const blocks: SlackBlock[] = [
    {
      type: 'section',
      block_id: 'facet_title',
      text: {
        type: 'mrkdwn',
        text: truncate(`*${prompt}*\nRequested by <@${card.requesterId}>`, slackLimits.sectionText),
      },
    },
    {
      type: 'context',
      block_id: 'facet_status',
      elements: [
        {
          type: 'mrkdwn',
          text: truncate(`${toneIcons[card.tone]} ${renderText(card.status)}`, slackLimits.sectionText),
        },
      ],
    },
  ];
  if (card.image && imageUrl) {
    blocks.push({
      type: 'image',
      block_id: 'facet_front',
      image_url: imageUrl,
      alt_text: truncate(card.image.alt, slackLimits.altText),
    });
  } else if (card.image) {
    blocks.push({
      type: 'context',
      block_id: 'facet_front',
      elements: [
        { type: 'mrkdwn', text: `:frame_with_picture: ${escapeSlackText(card.image.alt)} is in the thread` },
      ],
    });
  }
  if (card.facts.length > 0) {
    blocks.push({
      type: 'context',
      block_id: 'facet_facts',
      elements: card.facts.slice(0, 10).map((fact) => ({ type: 'mrkdwn', text: renderText(fact) })),
    });
  }
  card.actions.forEach((row, index) => {
    if (row.length === 0) return;
    blocks.push({
      type: 'actions',
      block_id: `facet_actions_${index}`,
      elements: row.slice(0, slackLimits.actionsElements).map(renderButton),
    });
  });
  const text = truncate(
    `Design: ${card.prompt.replace(/[<>&]/g, ' ')}: ${plain(card.status)}`,
    slackLimits.messageText - 1,
  );
  return { text, blocks };
}

function plain(parts: CardText[]): string {
  return parts.map((part) => (typeof part === 'string' ? part : `<@${part.mention}>`)).join('');
}

function renderButton(button: CardButton): SlackBlock {
  return {
    type: 'button',
    action_id: button.id,
    value: button.id,
    text: { type: 'plain_text', text: truncate(button.label, slackLimits.buttonText), emoji: true },
    ...(button.style ? { style: button.style } : {}),
    ...(button.confirm
      ? {
          confirm: {
            title: { type: 'plain_text', text: truncate(button.confirm.title, 100) },
            text: { type: 'plain_text', text: truncate(button.confirm.text, 300) },
            confirm: { type: 'plain_text', text: truncate(button.confirm.confirm, 30) },
            deny: { type: 'plain_text', text: truncate(button.confirm.deny, 30) },
          },
        }
      : {}),
  };
}
