import {
  ButtonStyle,
  ComponentType,
  MessageFlags,
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIComponentInContainer,
  type APIComponentInMessageActionRow,
  type APIContainerComponent,
  type APIMediaGalleryComponent,
  type APITextDisplayComponent,
} from 'discord.js';
import type { CardButton, CardLink, CardText, DesignCard } from '../card/design-card.ts';
import { imageFileName } from '../card/image-file-name.ts';
import { discordMoment } from './discord-moment.ts';
import { truncate } from '../../text.ts';

/**
 * Discord's limits that shape a card (docs: components reference, Components V2). Counted by the fake
 * Discord too (test/fakes/fake-discord-limits.ts), which refuses a message over them as Discord does.
 */
export const discordCardLimits = {
  /** Components in one V2 message, nested ones included. */
  components: 40,
  /** Children of a Container. */
  containerChildren: 10,
  /** Items in one Media Gallery. */
  galleryItems: 10,
  /** Characters of all Text Displays of a message together. */
  text: 4000,
  /** A gallery item's description (its alt text). */
  mediaDescription: 1024,
  rows: 5,
  buttonsPerRow: 5,
  buttonLabel: 80,
  /** A heading: short enough to read as one. */
  title: 256,
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

/** A card message: Components V2 (`IS_COMPONENTS_V2`), so no content and no embeds, only components. */
export type DiscordCardMessage = {
  flags: MessageFlags.IsComponentsV2;
  components: APIContainerComponent[];
  allowed_mentions: { parse: [] };
};

/** An image the card shows, with the name of the file that carries it in the card message. */
export type DiscordCardImage = { key: string; alt: string; name: string };

/**
 * The images a card shows, in order: the iteration's candidates side by side while there are several
 * (the picked one among them, titled so), else the current front view; up to Discord's ten a gallery.
 */
export function discordCardImages(card: DesignCard): DiscordCardImage[] {
  const candidates = (card.candidates ?? []).map((candidate) => ({
    key: candidate.key,
    alt: `Candidate ${candidate.number}${candidate.picked ? ' (picked)' : ''}: ${candidate.alt}`,
  }));
  const images = candidates.length > 0 ? candidates : card.image ? [card.image] : [];
  return images
    .slice(0, discordCardLimits.galleryItems)
    .map((image) => ({ ...image, name: imageFileName(image.key) }));
}

/**
 * The card as a Discord Components V2 message: one Container (its accent the card's tone) holding the
 * title, the status and facts, the images in a Media Gallery and the buttons. `attached` names the files
 * attached to the same message (Discord's attachment URLs expire: our store keeps the images, the message
 * carries copies); an image whose file is not attached is named in the text instead of shown.
 */
export function renderDiscordCard(
  card: DesignCard,
  attached: string | readonly string[] | null,
): DiscordCardMessage {
  const files = new Set(attached === null ? [] : typeof attached === 'string' ? [attached] : attached);
  const images = discordCardImages(card);
  const shown = images.filter((image) => files.has(image.name));
  const notShown = images.filter((image) => !files.has(image.name));

  const title = `### ${truncate(escapeDiscordText(card.title), discordCardLimits.title)}`;
  const details = [
    `Requested by <@${card.requesterId}>`,
    // Only named here: the sketch itself waits for the Components V2 card (a media gallery).
    ...(card.sourceImage ? [card.sourceImage.label] : []),
    `**${renderText(card.status)}**`,
    ...card.facts.map(renderText),
    ...notShown.map((image) => `${escapeDiscordText(image.alt)}: in the thread`),
    `-# Design ${card.designId.slice(0, 8)}`,
  ].join('\n');
  // A clipped title: the whole prompt under it, in what is left of the message's text allowance.
  const room = discordCardLimits.text - title.length - details.length - 1;
  const prompt =
    card.fullPrompt === null || room < 2 ? '' : `\n${truncate(escapeDiscordText(card.fullPrompt), room - 1)}`;

  const head: APIComponentInContainer[] = [textDisplay(`${title}${prompt}`), textDisplay(details)];
  if (shown.length > 0) head.push(gallery(shown));
  const rows = card.actions
    .flatMap((row) => evenRows(row, discordCardLimits.buttonsPerRow))
    // Rows stop where the container is full; the link takes a row of its own, so it never displaces
    // an action button.
    .slice(
      0,
      Math.min(discordCardLimits.rows, discordCardLimits.containerChildren - head.length) -
        (card.link ? 1 : 0),
    )
    .map((buttons) => actionRow(buttons.map(renderButton)));
  if (card.link) rows.push(actionRow([renderLink(card.link)]));
  return {
    flags: MessageFlags.IsComponentsV2,
    components: [
      {
        type: ComponentType.Container,
        accent_color: toneColours[card.tone],
        components: [...head, ...rows],
      },
    ],
    allowed_mentions: { parse: [] },
  };
}

function textDisplay(content: string): APITextDisplayComponent {
  return { type: ComponentType.TextDisplay, content };
}

/** A Media Gallery of attached files (`attachment://name`), each described by its alt text. */
export function gallery(images: { name: string; alt: string }[]): APIMediaGalleryComponent {
  return {
    type: ComponentType.MediaGallery,
    items: images.slice(0, discordCardLimits.galleryItems).map((image) => ({
      media: { url: `attachment://${image.name}` },
      description: truncate(image.alt, discordCardLimits.mediaDescription),
    })),
  };
}

function actionRow(buttons: APIButtonComponent[]): APIActionRowComponent<APIComponentInMessageActionRow> {
  return { type: ComponentType.ActionRow, components: buttons };
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
    label: truncate(link.label, discordCardLimits.buttonLabel),
    url: link.url,
  };
}

function renderButton(button: CardButton): APIButtonComponent {
  return {
    type: ComponentType.Button,
    custom_id: button.id,
    label: truncate(button.label, discordCardLimits.buttonLabel),
    style: buttonStyles[button.style ?? 'default'],
  };
}

/**
 * Rows of card buttons as classic Discord action rows (private answers stay classic messages: content
 * and buttons), within Discord's five rows of five.
 */
export function discordButtonRows(
  rows: CardButton[][],
): APIActionRowComponent<APIComponentInMessageActionRow>[] {
  return rows
    .filter((row) => row.length > 0)
    .slice(0, discordCardLimits.rows)
    .map((row) => actionRow(row.slice(0, discordCardLimits.buttonsPerRow).map(renderButton)));
}
