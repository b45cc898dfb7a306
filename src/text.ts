/**
 * At most `max` UTF-16 units of `text`, never ending in half a surrogate pair: half an emoji is not
 * valid Unicode, and Postgres, Slack and Discord refuse it.
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const last = text.charCodeAt(max - 1);
  const cutsPair = last >= 0xd800 && last <= 0xdbff;
  return text.slice(0, cutsPair ? max - 1 : max);
}

/** `text` shortened to `max` units with an ellipsis when it is longer. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${clip(text, max - 1)}…`;
}
