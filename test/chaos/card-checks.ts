import { expect } from 'vitest';
import type { Json } from '../fakes/fake-discord.ts';
import type { DiscordCall } from '../fakes/fake-discord.ts';
import type { SlackCall } from '../fakes/fake-slack-api.ts';

/** Every string in a JSON value (keys excluded). */
export function stringsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) stringsIn(item, out);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) stringsIn(item, out);
  return out;
}

/** Well-formed Unicode: no half surrogate pair (truncation once cut emoji in two). */
function expectWellFormed(text: string, where: string) {
  expect(/\p{Cs}/u.test(text), `${where}: half a surrogate pair in ${JSON.stringify(text)}`).toBe(false);
}

/**
 * A card message as Slack received it: accepted by the fake (its Block Kit checks), within the limits
 * Slack documents, never asking Slack to link names, and with no markup but the requester's mention:
 * every `<` and `>` in it is Facet's own, so `<!channel>`, `<@U…>` or `<!subteam^…>` typed into a
 * prompt can only appear escaped.
 */
export function checkSlackCard(call: SlackCall, requesterId: string, input: string) {
  const where = `card ${call.method} for prompt ${JSON.stringify(input)}`;
  expect(call.error, where).toBeUndefined();
  expect(call.args.link_names, where).toBeFalsy();
  expect(call.args.parse, where).not.toBe('full');
  const text = call.args.text;
  expect(typeof text === 'string' && text.length > 0 && text.length < 4000, `${where}: text`).toBe(true);
  const blocks = call.args.blocks as Record<string, unknown>[];
  expect(blocks.length, where).toBeLessThanOrEqual(50);
  for (const block of blocks) {
    if (block.type === 'section') {
      const section = (block.text as { text: string }).text;
      expect(section.length > 0 && section.length <= 3000, `${where}: section`).toBe(true);
    }
    if (block.type === 'context') {
      const elements = block.elements as { text: string }[];
      expect(elements.length, where).toBeLessThanOrEqual(10);
      for (const element of elements) expect(element.text.length, where).toBeLessThanOrEqual(3000);
    }
    if (block.type === 'image') expect((block.alt_text as string).length, where).toBeLessThanOrEqual(2000);
  }
  const mention = `<@${requesterId}>`;
  // Facet's own dates (when a phase started, the approval deadline) are the only other markup allowed.
  const ownDate = /<!date\^\d{10}\^\{(time|date_short_pretty\} at \{time)\}\|[\d: -]+ UTC>/g;
  for (const value of [String(text), ...stringsIn(blocks)]) {
    expectWellFormed(value, where);
    const outside = value.split(mention).join('').replace(ownDate, '');
    expect(outside, `${where}: live markup in ${JSON.stringify(value)}`).not.toMatch(/[<>]/);
  }
}

const discordMarkdown = new Set('\\*_~`|>#[]()-');

/** Discord markdown characters in `text` that are not escaped with a backslash. */
export function unescapedMarkdown(text: string): string[] {
  const found: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') i += 1;
    else if (discordMarkdown.has(c)) found.push(c);
  }
  return found;
}

/**
 * Every request that created or edited a Discord card: accepted, with mentions switched off, the prompt
 * (the embed title, or the V2 card's heading) escaped as literal text, and no mention or @everyone/@here
 * but the requester's.
 */
export function checkDiscordCard(calls: DiscordCall[], requesterId: string, input: string) {
  expect(calls.length, `card requests for ${JSON.stringify(input)}`).toBeGreaterThan(0);
  for (const call of calls) {
    const where = `${call.method} ${call.path} for prompt ${JSON.stringify(input)}`;
    expect(call.status, `${where}: ${JSON.stringify(call.error)}`).toBeLessThan(300);
    const body = call.body as { allowed_mentions?: unknown; embeds?: Json[]; components?: Json[] };
    expect(body.allowed_mentions, where).toEqual({ parse: [] });
    const titles = [
      ...(body.embeds ?? []).map((embed) => (typeof embed.title === 'string' ? embed.title : '')),
      // A Components V2 card: its first text display is the heading, `### <prompt>`.
      ...v2Texts(body.components ?? [])
        .slice(0, 1)
        .map((text) => text.split('\n')[0]!.replace(/^### /, '')),
    ];
    for (const title of titles)
      expect(unescapedMarkdown(title), `${where}: title ${JSON.stringify(title)}`).toEqual([]);
    for (const value of [...stringsIn(body.embeds ?? []), ...v2Texts(body.components ?? [])]) {
      expectWellFormed(value, where);
      const outside = value.split(`<@${requesterId}>`).join('');
      expect(outside, `${where}: live mention in ${JSON.stringify(value)}`).not.toMatch(
        /<(@[!&]?|#)\d+>|@everyone|@here/,
      );
    }
  }
}

/** The text a Components V2 message shows: its text displays and media descriptions, in order. */
function v2Texts(components: Json[]): string[] {
  return components.flatMap((component) => [
    ...(component.type === 10 && typeof component.content === 'string' ? [component.content] : []),
    ...(Array.isArray(component.items)
      ? (component.items as Json[]).flatMap((item) =>
          typeof item.description === 'string' ? [item.description] : [],
        )
      : []),
    ...(Array.isArray(component.components) ? v2Texts(component.components as Json[]) : []),
  ]);
}
