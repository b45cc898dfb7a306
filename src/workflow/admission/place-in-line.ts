import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.ts';
import { findLineStanding } from '../store/admission-statements.ts';
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
  const row = await findLineStanding(db, design, sampleSize);
  const ahead = Number(row.ahead ?? 0);
  const typical = row.typical === null ? defaultFrontSeconds : Number(row.typical);
  return { ahead, etaSeconds: estimateWaitSeconds(ahead, Number(row.generating ?? 0), typical) };
}
