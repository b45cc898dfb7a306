// Made on first use: loading ICU's segmentation data costs ~14 ms at start (bench:slack's CPU profile).
let graphemes: Intl.Segmenter | undefined;

/**
 * At most `max` UTF-16 units of `text`, cut between graphemes: half an emoji (a lone surrogate, or a
 * family or flag split at its joiner) is refused by Postgres, Slack and Discord, or shown as garbage.
 * Every length limit of a platform goes through here.
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = 0;
  graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  for (const { segment, index } of graphemes.segment(text)) {
    if (index + segment.length > max) break;
    end = index + segment.length;
  }
  return text.slice(0, end);
}

/** `text` shortened to `max` units with an ellipsis when it is longer. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${clip(text, max - 1)}…`;
}

/** Text made safe for XML (SVG) element content and quoted attribute values. */
export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}
