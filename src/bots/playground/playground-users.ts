import type { Actor } from '../../workflow/actor.ts';

/**
 * The people of the local playground: one admin, two designers and a design lead, so permissions can be
 * tried. Dee is in the `leads` group, which approves designs once the workspace names it its approver
 * group (FACET_PLAYGROUND_APPROVERS).
 */
export const playgroundUsers = [
  { id: 'ada', name: 'Ada', role: 'Workspace admin', isAdmin: true, groups: [] },
  { id: 'ben', name: 'Ben', role: 'Designer', isAdmin: false, groups: [] },
  { id: 'cyd', name: 'Cyd', role: 'Designer', isAdmin: false, groups: [] },
  { id: 'dee', name: 'Dee', role: 'Design lead (@leads)', isAdmin: false, groups: ['leads'] },
] as const;

export type PlaygroundUserId = (typeof playgroundUsers)[number]['id'];

export const playgroundWorkspace = { platform: 'playground', externalId: 'local' } as const;

/** `@ben` in a playground command. */
export const playgroundMention = /^@(ada|ben|cyd|dee)$/;

export function isPlaygroundUser(id: string): id is PlaygroundUserId {
  return playgroundUsers.some((user) => user.id === id);
}

export function playgroundActor(id: PlaygroundUserId): Actor {
  const user = playgroundUsers.find((u) => u.id === id);
  return { userId: id, isAdmin: user?.isAdmin ?? false, groups: user?.groups ?? [] };
}
