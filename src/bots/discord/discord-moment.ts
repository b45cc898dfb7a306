import type { CardMoment } from '../card/design-card.ts';

/**
 * A moment as a Discord timestamp: each reader's client shows it in their own time zone, and a start as
 * "12 seconds ago", moving by itself (`R`); a deadline as date and time (`f`).
 */
export function discordMoment(moment: CardMoment): string {
  return `<t:${Math.floor(moment.at.getTime() / 1000)}:${moment.show === 'since' ? 'R' : 'f'}>`;
}
