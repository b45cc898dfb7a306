import type { Actor } from '../../workflow/actor.ts';

/** The people of the local playground: one admin and two members, so permissions can be tried. */
export const playgroundUsers = [
  { id: 'ada', name: 'Ada', role: 'Workspace admin', isAdmin: true },
  { id: 'ben', name: 'Ben', role: 'Designer', isAdmin: false },
  { id: 'cyd', name: 'Cyd', role: 'Designer', isAdmin: false },
] as const;

export type PlaygroundUserId = (typeof playgroundUsers)[number]['id'];

export const playgroundWorkspace = { platform: 'playground', externalId: 'local' } as const;

/** `@ben` in a playground command. */
export const playgroundMention = /^@(ada|ben|cyd)$/;

export function isPlaygroundUser(id: string): id is PlaygroundUserId {
  return playgroundUsers.some((user) => user.id === id);
}

export function playgroundActor(id: PlaygroundUserId): Actor {
  const user = playgroundUsers.find((u) => u.id === id);
  return { userId: id, isAdmin: user?.isAdmin ?? false, groups: [] };
}
