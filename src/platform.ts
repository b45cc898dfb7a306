/** The chat platforms Facet runs on; a design, a workspace and a card location each belong to one. */
export const platforms = ['slack', 'discord', 'playground'] as const;

export type Platform = (typeof platforms)[number];
