import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { FacetDatabase } from '../../src/storage/database.ts';

/**
 * Removes the jobs this run left in Redis (expiry jobs wait 24 h for a hold) once its Facet has closed:
 * only jobs of designs in this run's database, so another run on the same Redis database keeps its own.
 */
export async function removeJobsOfRun(redisUrl: string, db: FacetDatabase): Promise<number> {
  const ours = new Set((await db.selectFrom('designs').select('id').execute()).map((row) => row.id));
  if (ours.size === 0) return 0;
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue('facet-jobs', { connection });
  try {
    const jobs = await queue.getJobs(['delayed', 'wait', 'prioritized', 'failed', 'completed']);
    let removed = 0;
    for (const job of jobs) {
      const data: unknown = job.data;
      const designId =
        typeof data === 'object' && data !== null && 'designId' in data ? String(data.designId) : undefined;
      if (designId === undefined || !ours.has(designId)) continue;
      await job.remove();
      removed += 1;
    }
    return removed;
  } finally {
    await queue.close();
    await connection.quit();
  }
}
