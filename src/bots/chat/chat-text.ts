/**
 * A piece of an answer in chat. Plain strings are Facet's own words: they may hold `code` spans, which
 * every platform shows the same way, and are never escaped. Everything a person typed travels as
 * `userText`, which each platform escapes in its own markup.
 */
export type ChatSpan =
  | string
  | { mention: string }
  /** A Slack user group or a Discord role. */
  | { group: string }
  | { strong: string }
  | { userText: string; href?: string | undefined };

export type ChatText = ChatSpan[];

/** Lines of spans as one text, a line break between each. */
export function chatLines(lines: ChatText[]): ChatText {
  return lines.flatMap((line, index) => (index === 0 ? line : ['\n', ...line]));
}

/** The text without markup, for a platform that shows plain text (the playground's notes). */
export function plainChatText(text: ChatText, mention: (id: string) => string): string {
  return text
    .map((span) => {
      if (typeof span === 'string') return span;
      if ('mention' in span) return mention(span.mention);
      if ('group' in span) return mention(span.group);
      if ('strong' in span) return span.strong;
      return span.userText;
    })
    .join('');
}
