/** How many designs may generate at once; Infinity means no cap. */
export type GeneratingCaps = { perWorkspace: number; perUser: number };

export type WaitingDesign = { id: string; requesterId: string };

/**
 * Which waiting designs may start now, oldest first, without passing either cap. A design whose
 * requester is at their own cap is passed over rather than blocking the line: one busy person does
 * not hold up the rest of the team.
 */
export function chooseAdmissions(
  waiting: readonly WaitingDesign[],
  generatingByUser: ReadonlyMap<string, number>,
  caps: GeneratingCaps,
): string[] {
  let total = [...generatingByUser.values()].reduce((sum, count) => sum + count, 0);
  const perUser = new Map(generatingByUser);
  const chosen: string[] = [];
  for (const design of waiting) {
    if (total >= caps.perWorkspace) break;
    const mine = perUser.get(design.requesterId) ?? 0;
    if (mine >= caps.perUser) continue;
    chosen.push(design.id);
    perUser.set(design.requesterId, mine + 1);
    total += 1;
  }
  return chosen;
}

/**
 * A rough wait for the card: the line moves about one generating slot per typical front view, so a
 * design `ahead` places back waits for its turn among the designs generating now.
 */
export function estimateWaitSeconds(
  ahead: number,
  generatingNow: number,
  typicalFrontSeconds: number,
): number {
  const rounds = Math.ceil((ahead + 1) / Math.max(1, generatingNow));
  return Math.max(1, Math.round(rounds * typicalFrontSeconds));
}
