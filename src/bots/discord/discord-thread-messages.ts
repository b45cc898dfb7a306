import { clip } from '../../text.ts';
import type { ThreadStatus } from '../card/design-thread.ts';
import { escapeDiscordText } from './discord-card.ts';

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
