import type { SlackInstance } from './instances.ts';
import { freshTeam, type SlackDriver } from './slack-driver.ts';

/** The teams and people of the Slack attacks. Team ids are fresh per run; user ids are this run's fake's. */
export type SlackCast = {
  /** Installed; where designs, grants and settings happen. */
  teamA: string;
  /** Installed; the other team (cross-team clicks) and the one whose admins hit the grant ceiling. */
  teamB: string;
  /** Installed but never used: no workspace row until someone uses Facet there. */
  teamC: string;
  adminA: string;
  adminB: string;
  adminC: string;
  /** Members of team A: one designs at zero prices, one has a design the other team clicks at. */
  designer: string;
  victim: string;
  nonAdmin: string;
  /** Receives team A's grants; recipientB team B's. */
  recipient: string;
  recipientB: string;
};

export const victimPrompt = 'a cast-iron kettle that another team must not touch';

/**
 * Installs the three teams through OAuth, makes the admins admins in the fake Slack, gives teams A and B
 * their workspace rows (an admin asks for their credits), and starts the victim's design in team A.
 */
export async function setUpSlackCast(instance: SlackInstance, driver: SlackDriver): Promise<SlackCast> {
  const cast: SlackCast = {
    teamA: freshTeam('A'),
    teamB: freshTeam('B'),
    teamC: freshTeam('C'),
    adminA: 'UADMINA',
    adminB: 'UADMINB',
    adminC: 'UADMINC',
    designer: 'UDESIGNER',
    victim: 'UVICTIM',
    nonAdmin: 'UNOADMIN',
    recipient: 'URECIPIENT',
    recipientB: 'URECIPIENTB',
  };
  for (const admin of [cast.adminA, cast.adminB, cast.adminC])
    instance.slack.users.set(admin, { isAdmin: true });
  for (const team of [cast.teamA, cast.teamB, cast.teamC]) await driver.install(team);
  for (const [team, admin] of [
    [cast.teamA, cast.adminA],
    [cast.teamB, cast.adminB],
  ] as const) {
    const answer = await driver.command(team, admin, 'credits');
    if (!/available/i.test(answer.reply))
      throw new Error(`/design credits in ${team} answered "${answer.reply}"`);
  }
  const started = await driver.post(driver.commandBody(cast.teamA, cast.victim, victimPrompt));
  if (started.status !== 200) throw new Error(`the victim's /design answered ${started.status}`);
  return cast;
}
