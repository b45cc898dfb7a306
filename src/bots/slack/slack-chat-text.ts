import { clip } from '../../text.ts';
import type { ChatText } from '../chat/chat-text.ts';
import { escapeSlackText } from './slack-blocks.ts';

/** Slack shows about 4,000 characters of a message's text; longer answers are cut there. */
const maxAnswer = 3_900;

/** An answer as Slack mrkdwn: people typed nothing in it that Slack would read as markup. */
export function renderSlackChatText(text: ChatText): string {
  const rendered = text
    .map((span) => {
      if (typeof span === 'string') return span;
      if ('mention' in span) return `<@${span.mention}>`;
      if ('group' in span) return `<!subteam^${span.group}>`;
      if ('strong' in span) return `*${escapeSlackText(span.strong)}*`;
      const shown = escapeSlackText(span.userText);
      return span.href ? `<${span.href}|${shown}>` : shown;
    })
    .join('');
  return clip(rendered, maxAnswer);
}
