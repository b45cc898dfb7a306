import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';
import { recentFrontTimes, recentViewsTimes } from './store/phase-time-statements.ts';

/** Fewer samples than this say too little about a workspace's model and prompts to promise a time. */
const minimumSamples = 5;
const sampleDesigns = 20;
/** Cards are redrawn often while a design generates; the estimate moves slowly, so it is read at most this often. */
const freshForMs = 60_000;
/**
 * Not enough samples yet is asked again sooner: a new workspace's first designs should get an estimate
 * soon after their fifth front view, and a burst of them should not each ask the database.
 */
export const unknownFreshForMs = 3_000;
const rememberedWorkspaces = 5_000;

type Phase = 'front' | 'views';
const cache = new Map<string, { seconds: number | null; readAt: number }>();

/**
 * The recent median of a phase in a workspace (null until there are enough samples), for the card's
 * "usually ready in about N s". Read from the designs table, so every process says the same.
 */
export async function typicalPhaseSeconds(
  db: Kysely<Database>,
  workspaceId: string,
  phase: Phase,
  now = Date.now(),
): Promise<number | null> {
  const key = `${workspaceId}:${phase}`;
  const cached = cache.get(key);
  if (cached && now - cached.readAt < (cached.seconds === null ? unknownFreshForMs : freshForMs))
    return cached.seconds;
  const times =
    phase === 'front'
      ? await recentFrontTimes(db, workspaceId, sampleDesigns)
      : await recentViewsTimes(db, workspaceId, sampleDesigns);
  const seconds = times.samples < minimumSamples ? null : times.medianSeconds;
  cache.delete(key);
  cache.set(key, { seconds, readAt: now });
  if (cache.size > rememberedWorkspaces) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  return seconds;
}
