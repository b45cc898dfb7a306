import { truncate } from '../../text.ts';
import type { ChatHome, WaitingEntry, YourDesign } from '../chat/waiting-for-you.ts';
import { escapeSlackText, renderSlackButton, type SlackBlock } from './slack-blocks.ts';
import { renderSlackChatText } from './slack-chat-text.ts';
import { slackMoment } from './slack-moment.ts';

/** Block Kit limits of a Home tab view (docs: views, block kit reference). */
const homeLimits = { blocks: 100, headerText: 150, sectionText: 3000, altText: 2000 } as const;

/** The Home's "Open settings" button (admins): opens the settings form as `/design settings` does. */
export const slackHomeSettingsActionId = 'facet_home_settings';

/** How much of a prompt a Home line shows: ten designs per section stay readable. */
const promptLength = 150;

export type SlackHomeView = { type: 'home'; blocks: SlackBlock[] };

/**
 * One person's Home tab: notes (answers to their own clicks there), what waits for their approval with
 * Approve and Decline, their designs, their credits, and for admins the settings. `thumbnails` holds
 * the image URLs Slack can fetch, by image key; a design without one is shown without its picture.
 */
export function renderSlackHome(
  home: ChatHome,
  options: { notes: readonly string[]; thumbnails: ReadonlyMap<string, string> },
): SlackHomeView {
  const blocks: SlackBlock[] = [
    ...options.notes
      .slice(-3)
      .map((note, index) => section(`facet_home_note_${index}`, `:information_source: ${note}`)),
    header('facet_home_waiting', 'Waiting for your approval'),
  ];
  if (home.waiting.length === 0)
    blocks.push(context('facet_home_waiting_none', 'Nothing is waiting for your approval.'));
  for (const entry of home.waiting) blocks.push(...waitingBlocks(entry, options.thumbnails));
  if (home.moreWaiting)
    blocks.push(
      context(
        'facet_home_waiting_more',
        'More are waiting: these are the oldest. Approve or decline them to see the next.',
      ),
    );
  blocks.push({ type: 'divider' }, header('facet_home_designs', 'Your designs'));
  if (home.designs.length === 0)
    blocks.push(
      context(
        'facet_home_designs_none',
        'You have no designs yet. Start one with `/design <description>` in a channel.',
      ),
    );
  for (const design of home.designs) blocks.push(designBlock(design));
  const { credits } = home;
  blocks.push(
    { type: 'divider' },
    header('facet_home_credits', 'Your credits'),
    section(
      'facet_home_credits_text',
      `*${credits.available}* available · ${credits.held} reserved for designs in progress · ${credits.balance} in your account`,
    ),
  );
  if (home.settings) {
    blocks.push(
      { type: 'divider' },
      header('facet_home_settings', 'Workspace settings'),
      section('facet_home_settings_text', renderSlackChatText(home.settings)),
      {
        type: 'actions',
        block_id: 'facet_home_settings_actions',
        elements: [
          {
            type: 'button',
            action_id: slackHomeSettingsActionId,
            text: { type: 'plain_text', text: 'Open settings', emoji: true },
          },
        ],
      },
    );
  }
  return { type: 'home', blocks: blocks.slice(0, homeLimits.blocks) };
}

function waitingBlocks(entry: WaitingEntry, thumbnails: ReadonlyMap<string, string>): SlackBlock[] {
  const thumbnail = entry.imageKey === null ? undefined : thumbnails.get(entry.imageKey);
  const facts = [
    `Requested by <@${entry.requesterId}>`,
    `iteration ${entry.iteration}`,
    `${entry.held} credit${entry.held === 1 ? '' : 's'} reserved`,
    `waiting since ${slackMoment({ at: entry.waitingSince, show: 'deadline' })}`,
  ].join(' · ');
  return [
    {
      ...section(
        `facet_home_waiting_${entry.designId}`,
        `*${escapeSlackText(truncate(oneLine(entry.prompt), promptLength))}*\n${facts}`,
      ),
      ...(thumbnail
        ? {
            accessory: {
              type: 'image',
              image_url: thumbnail,
              alt_text: truncate(`Front view, iteration ${entry.iteration}`, homeLimits.altText),
            },
          }
        : {}),
    },
    {
      type: 'actions',
      block_id: `facet_home_actions_${entry.designId}`,
      elements: entry.buttons.map(renderSlackButton),
    },
  ];
}

function designBlock(design: YourDesign): SlackBlock {
  const prompt = escapeSlackText(truncate(oneLine(design.prompt), promptLength));
  const title = design.url ? `*<${design.url}|${prompt}>*` : `*${prompt}*`;
  return section(
    `facet_home_design_${design.designId}`,
    `${title}\n${design.state} · iteration ${design.iteration} · ${design.credits} · started ${slackMoment({ at: design.createdAt, show: 'deadline' })}`,
  );
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ');
}

function header(blockId: string, text: string): SlackBlock {
  return {
    type: 'header',
    block_id: blockId,
    text: { type: 'plain_text', text: truncate(text, homeLimits.headerText) },
  };
}

function section(blockId: string, text: string): SlackBlock {
  return {
    type: 'section',
    block_id: blockId,
    text: { type: 'mrkdwn', text: truncate(text, homeLimits.sectionText) },
  };
}

function context(blockId: string, text: string): SlackBlock {
  return { type: 'context', block_id: blockId, elements: [{ type: 'mrkdwn', text }] };
}
