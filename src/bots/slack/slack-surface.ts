import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../storage/schema.ts';
import { recordCardLocation } from '../card-location.ts';

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
export function recordCardTs(db: Kysely<Database>, designId: string, ts: string): Promise<boolean> {
  return recordCardLocation(db, designId, { platform: 'slack', field: 'ts', value: ts });
}
