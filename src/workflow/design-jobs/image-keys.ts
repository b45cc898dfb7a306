import type { ViewName } from '../views.ts';

const front = (designId: string, iteration: number) => `designs/${designId}/front-${iteration}.png`;

/**
 * Where a design's images are stored: one per front iteration, one per view of a round, and per round one
 * contact sheet and one spec sheet (PNG for the thread, PDF for the design page). Per round, since "Edit
 * view" redraws a view.
 */
export const imageKeys = {
  front,
  /** Candidate 1 is the iteration's front key, so a design drawing one candidate stores what it always did. */
  frontCandidate: (designId: string, iteration: number, candidate: number) =>
    candidate === 1 ? front(designId, iteration) : `designs/${designId}/front-${iteration}-c${candidate}.png`,
  view: (designId: string, round: number, view: ViewName) => `designs/${designId}/r${round}/${view}.png`,
  contactSheet: (designId: string, round: number) => `designs/${designId}/r${round}/contact-sheet.png`,
  specSheetPng: (designId: string, round: number) => `designs/${designId}/r${round}/spec-sheet.png`,
  specSheetPdf: (designId: string, round: number) => `designs/${designId}/r${round}/spec-sheet.pdf`,
};
