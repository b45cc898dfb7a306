import type { CardButton, CardLink, CardSourceImage, CardText, DesignCard } from '../card/design-card.ts';
import { fallbackText, slackMoment } from './slack-moment.ts';
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

/** A Block Kit block: its type, and fields Slack checks (the fake Slack of the tests checks them too). */
export type SlackBlock = { type: string } & Record<string, unknown>;

/** Slack's own escaping: `<`, `>` and `&` are the only control characters of its markup. */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function renderText(parts: CardText[]): string {
  return parts
    .map((part) =>
      typeof part === 'string'
        ? escapeSlackText(part)
        : 'at' in part
          ? slackMoment(part)
          : 'group' in part
            ? `<!subteam^${part.group}>`
            : `<@${part.mention}>`,
    )
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
 * Where Slack gets an image: a URL it fetches itself when the message is posted (so one it can reach),
 * or a file uploaded to Slack, by id (Block Kit's slack_file object).
 */
export type SlackImageSource = string | { fileId: string };

/** The source fields of an image block: exactly one of image_url and slack_file (Slack refuses both). */
export function slackImageFields(source: SlackImageSource): Record<string, unknown> {
  return typeof source === 'string' ? { image_url: source } : { slack_file: { id: source.fileId } };
}

/**
 * The iteration's candidates, each an image block titled with its number (the Pick buttons say the
 * same), or a line saying it is on its way while Slack cannot show it yet.
 */
function candidateBlocks(card: DesignCard, sources: (SlackImageSource | null)[]): SlackBlock[] {
  return (card.candidates ?? []).map((candidate, index) => {
    const source = sources[index] ?? null;
    const title = `Candidate ${candidate.number}${candidate.picked ? ' (picked)' : ''}`;
    return source
      ? {
          type: 'image',
          block_id: `facet_candidate_${candidate.number}`,
          title: { type: 'plain_text', text: title },
          ...slackImageFields(source),
          alt_text: truncate(candidate.alt, slackLimits.altText),
        }
      : {
          type: 'context',
          block_id: `facet_candidate_${candidate.number}`,
          elements: [{ type: 'mrkdwn', text: `:frame_with_picture: ${title} is being uploaded to Slack` }],
        };
  });
}

/**
 * The card as a Slack message. An image block Slack cannot fetch can make it reject the whole message,
 * so without a source (an upload not finished yet) the card says its picture is on the way instead.
 */
export function renderSlackCard(
  card: DesignCard,
  image: SlackImageSource | null,
  /**
   * `source`: where Slack can fetch the sketch the design started from (without it the card only says
   * so); `candidates`: where Slack gets each of `card.candidates` (same order; null while one uploads).
   */
  extras: { source?: SlackImageSource | null; candidates?: (SlackImageSource | null)[] } = {},
): { text: string; blocks: SlackBlock[] } {
  const title = escapeSlackText(card.title);
  const blocks: SlackBlock[] = [
    {
      type: 'section',
      block_id: 'facet_title',
      text: {
        type: 'mrkdwn',
        text: truncate(`*${title}*\nRequested by <@${card.requesterId}>`, slackLimits.sectionText),
      },
    },
    // A clipped title: the whole description follows in plain text.
    ...(card.fullPrompt === null
      ? []
      : [
          {
            type: 'section',
            block_id: 'facet_prompt',
            text: {
              type: 'mrkdwn',
              text: truncate(escapeSlackText(card.fullPrompt), slackLimits.sectionText),
            },
          },
        ]),
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
  if (card.sourceImage) blocks.push(sourceBlock(card.sourceImage, extras.source ?? null));
  if (card.image && image) {
    blocks.push({
      type: 'image',
      block_id: 'facet_front',
      ...slackImageFields(image),
      alt_text: truncate(card.image.alt, slackLimits.altText),
    });
  } else if (card.image) {
    blocks.push({
      type: 'context',
      block_id: 'facet_front',
      elements: [
        {
          type: 'mrkdwn',
          text: `:frame_with_picture: ${escapeSlackText(card.image.alt)} is being uploaded to Slack`,
        },
      ],
    });
  }
  blocks.push(...candidateBlocks(card, extras.candidates ?? []));
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
      elements: row.slice(0, slackLimits.actionsElements).map(renderSlackButton),
    });
  });
  if (card.link) blocks.push(linkBlock(card.link));
  const text = truncate(
    `Design: ${card.title.replace(/[<>&]/g, ' ')}: ${plain(card.status)}`,
    slackLimits.messageText - 1,
  );
  return { text, blocks };
}

/** "From your sketch", with the sketch itself as a small context image where Slack can fetch it. */
function sourceBlock(source: CardSourceImage, image: SlackImageSource | null): SlackBlock {
  return {
    type: 'context',
    block_id: 'facet_source',
    elements: [
      ...(image
        ? [{ type: 'image', ...slackImageFields(image), alt_text: truncate(source.alt, slackLimits.altText) }]
        : []),
      { type: 'mrkdwn', text: `:pencil2: ${source.label}` },
    ],
  };
}

function plain(parts: CardText[]): string {
  return parts
    .map((part) =>
      typeof part === 'string'
        ? part
        : 'at' in part
          ? fallbackText(part)
          : 'group' in part
            ? `<!subteam^${part.group}>`
            : `<@${part.mention}>`,
    )
    .join('');
}

/**
 * The card's link as a URL button in an actions block of its own. Slack still sends the click to the
 * app: the action id is not a card action, so it is acknowledged and nothing else happens.
 */
export const slackLinkActionId = 'facet_link_open_design_page';

function linkBlock(link: CardLink): SlackBlock {
  return {
    type: 'actions',
    block_id: 'facet_links',
    elements: [
      {
        type: 'button',
        action_id: slackLinkActionId,
        text: { type: 'plain_text', text: truncate(link.label, slackLimits.buttonText), emoji: true },
        url: link.url,
      },
    ],
  };
}

/** A card button as a Block Kit button: the action id is the encoded card action, the confirm Slack's own dialog. */
export function renderSlackButton(button: CardButton): SlackBlock {
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

/**
 * A private answer with buttons (`/design pending`): the text, then each row of buttons as an actions
 * block of its own. `text` is the already rendered mrkdwn, also the message's fallback text.
 */
export function renderSlackAnswer(text: string, actions: CardButton[][]): SlackBlock[] {
  return [
    {
      type: 'section',
      block_id: 'facet_answer',
      text: { type: 'mrkdwn', text: truncate(text, slackLimits.sectionText) },
    },
    ...actions
      .filter((row) => row.length > 0)
      .slice(0, slackLimits.blocks - 1)
      .map((row, index) => ({
        type: 'actions',
        block_id: `facet_answer_actions_${index}`,
        elements: row.slice(0, slackLimits.actionsElements).map(renderSlackButton),
      })),
  ];
}
