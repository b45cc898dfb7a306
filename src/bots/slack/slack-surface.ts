import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../storage/schema.ts';

/** Where a design's card lives in Slack, kept in designs.surface so any process can update it. */
export const slackSurfaceSchema = z.object({
  teamId: z.string().min(1),
  channelId: z.string().min(1),
  /** The card message; unset until it has been posted. */
  ts: z.string().min(1).optional(),
});

export type SlackSurface = z.infer<typeof slackSurfaceSchema>;

export function readSlackSurface(surface: Record<string, unknown>): SlackSurface | undefined {
  const parsed = slackSurfaceSchema.safeParse(surface.slack);
  return parsed.success ? parsed.data : undefined;
}

/** Records the card's ts once; a second poster (which should not exist) does not overwrite the first. */
export async function recordCardTs(db: Kysely<Database>, designId: string, ts: string): Promise<boolean> {
  const result = await db
    .updateTable('designs')
    .set({ surface: sql`jsonb_set(surface, '{slack,ts}', to_jsonb(${ts}::text))` })
    .where('id', '=', designId)
    .where(sql<boolean>`surface->'slack' ? 'channelId'`)
    .where(sql<boolean>`not (surface->'slack' ? 'ts')`)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
