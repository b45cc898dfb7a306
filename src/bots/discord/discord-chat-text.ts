import { clip } from '../../text.ts';
import type { ChatText } from '../chat/chat-text.ts';
import { escapeDiscordText } from './discord-card.ts';
import { maxDiscordContent } from './discord-thread-messages.ts';

/** An answer as Discord markdown; every message also sends `allowed_mentions: { parse: [] }`. */
export function renderDiscordChatText(text: ChatText): string {
  const rendered = text
    .map((span) => {
      if (typeof span === 'string') return span;
      if ('mention' in span) return `<@${span.mention}>`;
      if ('group' in span) return `<@&${span.group}>`;
      if ('strong' in span) return `**${escapeDiscordText(span.strong)}**`;
      const shown = escapeDiscordText(span.userText);
      return span.href ? `[${shown}](${span.href})` : shown;
    })
    .join('');
  return clip(rendered, maxDiscordContent);
}
