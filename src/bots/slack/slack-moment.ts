import type { CardMoment } from '../card/design-card.ts';

/**
 * A moment in Slack mrkdwn: `<!date^…>` shows it in each reader's own time zone. Slack has no
 * self-updating "ago", so a start is shown as its time of day; the fallback (for clients that cannot
 * format dates, and notifications) is UTC.
 */
export function slackMoment(moment: CardMoment): string {
  const unix = Math.floor(moment.at.getTime() / 1000);
  const format = moment.show === 'since' ? '{time}' : '{date_short_pretty} at {time}';
  return `<!date^${unix}^${format}|${fallbackText(moment)}>`;
}

/** The same moment as plain text (message `text`, notifications). */
export function fallbackText(moment: CardMoment): string {
  const iso = moment.at.toISOString();
  return moment.show === 'since' ? `${iso.slice(11, 16)} UTC` : `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}
