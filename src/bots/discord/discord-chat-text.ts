import { clip } from '../../text.ts';
import type { ChatText } from '../chat/chat-text.ts';
import { defuseMentions, escapeDiscordText } from './discord-card.ts';
import { maxDiscordContent } from './discord-thread-messages.ts';

/** An answer as Discord markdown; every message also sends `allowed_mentions: { parse: [] }`. */
export function renderDiscordChatText(text: ChatText): string {
  const rendered = text
    .map((span) => {
      if (typeof span === 'string') return span;
      if ('mention' in span) return `<@${span.mention}>`;
      if ('group' in span) return `<@&${span.group}>`;
      if ('strong' in span) return `**${escapeDiscordText(span.strong)}**`;
      return span.href
        ? `[${maskedLinkText(span.userText)}](${span.href})`
        : escapeDiscordText(span.userText);
    })
    .join('');
  return clip(rendered, maxDiscordContent);
}

/**
 * User text as the text of a masked link `[text](url)`. Discord turns backslash escapes off there and
 * shows the backslashes ("pour\-over"), so nothing is escaped; `*` or `_` may format, which Discord gives
 * no way to stop inside a link and reads better than stray backslashes. Only what would break the link
 * changes: a bracket would end or nest the link text, so it becomes its full-width look-alike, and a line
 * break would split the list the link sits in, so it becomes a space.
 */
export function maskedLinkText(text: string): string {
  return defuseMentions(text.replace(/\s+/g, ' ').replace(/\[/g, '［').replace(/]/g, '］'));
}
