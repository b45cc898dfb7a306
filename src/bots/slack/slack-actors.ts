import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Clock } from '../../clock.ts';
import type { WorkspaceInfo } from '../../workflow/workspace-directory.ts';
import type { Actor } from '../../workflow/actor.ts';

const userInfoSchema = z.object({
  user: z.object({
    is_admin: z.boolean().optional(),
    is_owner: z.boolean().optional(),
    is_primary_owner: z.boolean().optional(),
  }),
});

const groupMembersSchema = z.object({ users: z.array(z.string()) });

type Cached<T> = { value: T; at: number };

/**
 * Who a Slack user is to Facet: workspace admins and owners (users.info) and members of the approver
 * user group (usergroups.users.list). Both change rarely and every click needs them, so answers are kept
 * for a minute: a demoted admin keeps their powers that long at most.
 */
export class SlackActors {
  private readonly admins = new Map<string, Cached<boolean>>();
  private readonly groups = new Map<string, Cached<ReadonlySet<string>>>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = 60_000,
  ) {}

  async actorFor(client: WebClient, workspace: WorkspaceInfo, userId: string): Promise<Actor> {
    const group = workspace.approverGroup;
    const [isAdmin, members] = await Promise.all([
      this.cached(this.admins, `${workspace.externalId}:${userId}`, async () => {
        const info = userInfoSchema.parse(await client.users.info({ user: userId }));
        return Boolean(info.user.is_admin || info.user.is_owner || info.user.is_primary_owner);
      }),
      group
        ? this.cached(this.groups, `${workspace.externalId}:${group}`, async () => {
            const answer = groupMembersSchema.parse(await client.usergroups.users.list({ usergroup: group }));
            return new Set(answer.users);
          })
        : undefined,
    ]);
    return { userId, isAdmin, groups: group && members?.has(userId) ? [group] : [] };
  }

  private async cached<T>(map: Map<string, Cached<T>>, key: string, load: () => Promise<T>): Promise<T> {
    const now = this.clock().getTime();
    const hit = map.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    const value = await load();
    map.set(key, { value, at: now });
    if (map.size > 10_000) {
      const oldest = map.keys().next();
      if (!oldest.done) map.delete(oldest.value);
    }
    return value;
  }
}
