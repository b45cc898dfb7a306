import { sql, type Kysely } from 'kysely';
import type { Database } from '../../storage/schema.ts';
import { generatingStates } from '../machine/design-state.ts';
import { estimateWaitSeconds } from './choose-admissions.ts';

export type PlaceInLine = { ahead: number; etaSeconds: number };

// Before a workspace has a history: about what an image model takes for one picture.
const defaultFrontSeconds = 30;
const sampleSize = 20;

/** Where a waiting design stands in its workspace's line, and roughly how long until it starts. */
export async function placeInLine(
  db: Kysely<Database>,
  design: { id: string; workspaceId: string; createdAt: Date },
): Promise<PlaceInLine> {
  const row = await db
    .selectNoFrom((eb) => [
      eb
        .selectFrom('designs')
        .select(eb.fn.countAll<string>().as('n'))
        .where('workspace_id', '=', design.workspaceId)
        .where('state', '=', 'queued')
        .where(sql<boolean>`(created_at, id) < (${design.createdAt}, ${design.id})`)
        .as('ahead'),
      eb
        .selectFrom('designs')
        .select(eb.fn.countAll<string>().as('n'))
        .where('workspace_id', '=', design.workspaceId)
        .where('state', 'in', generatingStates)
        .as('generating'),
      // How long recent first front views took once admitted (edits never wait in line).
      eb
        .selectFrom(
          eb
            .selectFrom('designs')
            .innerJoin('design_iterations', (join) =>
              join
                .onRef('design_iterations.design_id', '=', 'designs.id')
                .on('design_iterations.iteration', '=', 1),
            )
            .select(
              sql<number>`extract(epoch from design_iterations.completed_at - designs.admitted_at)`.as(
                'seconds',
              ),
            )
            .where('designs.workspace_id', '=', design.workspaceId)
            .where('designs.admitted_at', 'is not', null)
            .where('design_iterations.completed_at', 'is not', null)
            .orderBy('design_iterations.completed_at', 'desc')
            .limit(sampleSize)
            .as('recent'),
        )
        .select(sql<string | null>`avg(recent.seconds)`.as('s'))
        .as('typical'),
    ])
    .executeTakeFirstOrThrow();
  const ahead = Number(row.ahead ?? 0);
  const typical = row.typical === null ? defaultFrontSeconds : Number(row.typical);
  return { ahead, etaSeconds: estimateWaitSeconds(ahead, Number(row.generating ?? 0), typical) };
}
