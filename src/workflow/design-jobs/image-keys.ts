import type { ViewName } from '../views.ts';

/** Where a design's images are stored: one per front iteration, one per view of a round, one sheet per round. */
export const imageKeys = {
  front: (designId: string, iteration: number) => `designs/${designId}/front-${iteration}.png`,
  view: (designId: string, round: number, view: ViewName) => `designs/${designId}/r${round}/${view}.png`,
  contactSheet: (designId: string, round: number) => `designs/${designId}/r${round}/contact-sheet.png`,
};
