import {
  ButtonStyle,
  ComponentType,
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIComponentInMessageActionRow,
  type APIEmbed,
} from 'discord.js';
import type { CardButton, CardLink, CardText, DesignCard } from '../card/design-card.ts';
import { discordMoment } from './discord-moment.ts';
import { truncate } from '../../text.ts';

/** Discord's limits that shape a card (docs: message components, embed limits). */
const discordLimits = {
  rows: 5,
  buttonsPerRow: 5,
  buttonLabel: 80,
  embedTitle: 256,
  embedDescription: 4096,
} as const;

const toneColours: Record<DesignCard['tone'], number> = {
  working: 0x5865f2,
  waiting: 0xfee75c,
  done: 0x57f287,
  failed: 0xed4245,
  ended: 0x99aab5,
};

/**
 * Discord markdown and mentions in user text: a prompt is shown literally, and `@everyone` or `<@id>`
 * typed by a user is never a ping (every message also sends `allowed_mentions: { parse: [] }`).
 */
export function escapeDiscordText(text: string): string {
  return defuseMentions(text.replace(/[\\*_~`|>#[\]()-]/g, (c) => `\\${c}`));
}

/** `@everyone`, `<@id>`, `<#id>` and the like shown as typed, never as a ping or a channel link. */
export function defuseMentions(text: string): string {
  return text.replace(/<(?=[@#:!&a])/g, '<\u200b').replace(/@(everyone|here)/g, '@\u200b$1');
}

function renderText(parts: CardText[]): string {
  return parts
    .map((part) =>
      typeof part === 'string'
        ? escapeDiscordText(part)
        : 'at' in part
          ? discordMoment(part)
          : 'group' in part
            ? `<@&${part.group}>`
            : `<@${part.mention}>`,
    )
    .join('');
}

export type DiscordCardMessage = {
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIComponentInMessageActionRow>[];
  allowed_mentions: { parse: [] };
};

/**
 * The card as a Discord message. `imageName` is the file name of the front view attached to the same
 * message (Discord's attachment URLs expire: our store keeps the image, the message carries a copy).
 */
export function renderDiscordCard(
  card: DesignCard,
  imageName: string | null,
  /** The file names of `card.candidates` attached to the same message (same order). */
  candidateNames: string[] = [],
): DiscordCardMessage {
  const description = [
    // A clipped title: the whole description leads the details.
    ...(card.fullPrompt === null ? [] : [escapeDiscordText(card.fullPrompt), '']),
    `Requested by <@${card.requesterId}>`,
    `**${renderText(card.status)}**`,
    ...card.facts.map(renderText),
    ...(card.image && !imageName ? [`${escapeDiscordText(card.image.alt)}: in the thread`] : []),
  ].join('\n');
  const embed: APIEmbed = {
    title: truncate(escapeDiscordText(card.title), discordLimits.embedTitle),
    description: truncate(description, discordLimits.embedDescription),
    color: toneColours[card.tone],
    ...(card.image && imageName ? { image: { url: `attachment://${imageName}` } } : {}),
    footer: { text: `Design ${card.designId.slice(0, 8)}` },
  };
  const rows = card.actions
    .flatMap((row) => evenRows(row, discordLimits.buttonsPerRow))
    // The link takes a row of its own, so it never displaces an action button.
    .slice(0, discordLimits.rows - (card.link ? 1 : 0))
    .map((buttons) => ({ type: ComponentType.ActionRow as const, components: buttons.map(renderButton) }));
  if (card.link) rows.push({ type: ComponentType.ActionRow, components: [renderLink(card.link)] });
  return {
    embeds: [embed, ...candidateEmbeds(card, candidateNames)],
    components: rows,
    allowed_mentions: { parse: [] },
  };
}

/** One small embed per candidate, titled as its Pick button says (at most 10 embeds a message). */
function candidateEmbeds(card: DesignCard, names: string[]): APIEmbed[] {
  return (card.candidates ?? []).flatMap((candidate, index) => {
    const name = names[index];
    if (name === undefined) return [];
    return [
      {
        title: `Candidate ${candidate.number}${candidate.picked ? ' (picked)' : ''}`,
        color: toneColours[card.tone],
        image: { url: `attachment://${name}` },
      },
    ];
  });
}

/**
 * A row longer than Discord allows, cut into as few rows as it needs, of even length: six quick edits
 * read as two rows of three, not five and a straggler.
 */
function evenRows<T>(items: T[], max: number): T[][] {
  const rows: T[][] = [];
  let start = 0;
  for (let left = Math.ceil(items.length / max); left > 0; left -= 1) {
    const size = Math.ceil((items.length - start) / left);
    rows.push(items.slice(start, start + size));
    start += size;
  }
  return rows;
}

type ActionButtonStyle = ButtonStyle.Success | ButtonStyle.Danger | ButtonStyle.Secondary;

const buttonStyles: Record<NonNullable<CardButton['style']> | 'default', ActionButtonStyle> = {
  primary: ButtonStyle.Success,
  danger: ButtonStyle.Danger,
  default: ButtonStyle.Secondary,
};

/** A Link-style button: opens the URL in the reader's browser; it has no custom_id and never reaches Facet. */
function renderLink(link: CardLink): APIButtonComponent {
  return {
    type: ComponentType.Button,
    style: ButtonStyle.Link,
    label: truncate(link.label, discordLimits.buttonLabel),
    url: link.url,
  };
}

function renderButton(button: CardButton): APIButtonComponent {
  return {
    type: ComponentType.Button,
    custom_id: button.id,
    label: truncate(button.label, discordLimits.buttonLabel),
    style: buttonStyles[button.style ?? 'default'],
  };
}

/** Rows of card buttons as Discord action rows, within Discord's five rows of five. */
export function discordButtonRows(
  rows: CardButton[][],
): APIActionRowComponent<APIComponentInMessageActionRow>[] {
  return rows
    .filter((row) => row.length > 0)
    .slice(0, discordLimits.rows)
    .map((row) => ({
      type: ComponentType.ActionRow as const,
      components: row.slice(0, discordLimits.buttonsPerRow).map(renderButton),
    }));
}
