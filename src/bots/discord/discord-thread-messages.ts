import { ComponentType, MessageFlags, type APIMessageTopLevelComponent } from 'discord.js';
import { clip } from '../../text.ts';
import type { ThreadImage, ThreadStatus } from '../card/design-thread.ts';
import { imageFileName } from '../card/image-file-name.ts';
import { discordCardLimits, escapeDiscordText, gallery } from './discord-card.ts';

/** Discord's limit on a message's content. */
export const maxDiscordContent = 2000;

const stateIcons: Record<ThreadStatus['lines'][number]['state'], string> = {
  pending: '⚪',
  generating: '⏳',
  done: '✅',
  failed: '❌',
};

/** The thread's status message: one line per view. */
export function renderDiscordThreadStatus(status: ThreadStatus): {
  content: string;
  allowed_mentions: { parse: [] };
} {
  const lines = status.lines.map((line) => `${stateIcons[line.state]} ${escapeDiscordText(line.text)}`);
  const footer = status.footer ? [`*${escapeDiscordText(status.footer)}*`] : [];
  return {
    content: clip(
      [`**${escapeDiscordText(status.title)}**`, ...lines, ...footer].join('\n'),
      maxDiscordContent,
    ),
    allowed_mentions: { parse: [] },
  };
}

/** A gallery message in the thread: the images' titles, then the images, each a file of the message. */
export type DiscordThreadGallery = {
  flags: MessageFlags.IsComponentsV2;
  components: APIMessageTopLevelComponent[];
  allowed_mentions: { parse: [] };
  /** The files the message must carry, by image-store key and file name, in gallery order. */
  files: { imageKey: string; name: string }[];
};

/**
 * A round's images as one Components V2 message: a Text Display naming them in order and one Media
 * Gallery (up to Discord's ten items) showing them, each described by its title.
 */
export function renderDiscordThreadGallery(images: ThreadImage[]): DiscordThreadGallery {
  const shown = images
    .slice(0, discordCardLimits.galleryItems)
    .map((image) => ({ imageKey: image.imageKey, name: imageFileName(image.imageKey), alt: image.title }));
  const titles = shown.map((image) => `**${escapeDiscordText(image.alt)}**`).join('\n');
  return {
    flags: MessageFlags.IsComponentsV2,
    components: [
      { type: ComponentType.TextDisplay, content: clip(titles, discordCardLimits.text) },
      gallery(shown),
    ],
    allowed_mentions: { parse: [] },
    files: shown.map(({ imageKey, name }) => ({ imageKey, name })),
  };
}
