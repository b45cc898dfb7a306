import type { ViewName } from '../views.ts';

/**
 * Where a design's images are stored: one per front iteration, one per view of a round, and per round one
 * contact sheet and one spec sheet (PNG for the thread, PDF for the design page). Per round, since "Edit
 * view" redraws a view.
 */
export const imageKeys = {
  front: (designId: string, iteration: number) => `designs/${designId}/front-${iteration}.png`,
  view: (designId: string, round: number, view: ViewName) => `designs/${designId}/r${round}/${view}.png`,
  contactSheet: (designId: string, round: number) => `designs/${designId}/r${round}/contact-sheet.png`,
  specSheetPng: (designId: string, round: number) => `designs/${designId}/r${round}/spec-sheet.png`,
  specSheetPdf: (designId: string, round: number) => `designs/${designId}/r${round}/spec-sheet.pdf`,
};
