import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { FacetDatabase } from '../../src/storage/database.ts';
import { bullmqQueueNames } from '../../src/workflow/jobs/bullmq-job-queue.ts';

/**
 * Removes the jobs this run left in Redis (expiry jobs wait 24 h for a hold) once its Facet has closed:
 * only jobs of designs in this run's database, so another run on the same Redis database keeps its own.
 */
export async function removeJobsOfRun(redisUrl: string, db: FacetDatabase): Promise<number> {
  const ours = new Set((await db.selectFrom('designs').select('id').execute()).map((row) => row.id));
  if (ours.size === 0) return 0;
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queues = bullmqQueueNames().map((name) => new Queue(name, { connection }));
  try {
    const jobs = (
      await Promise.all(
        queues.map((queue) => queue.getJobs(['delayed', 'wait', 'prioritized', 'failed', 'completed'])),
      )
    ).flat();
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
    await Promise.all(queues.map((queue) => queue.close()));
    await connection.quit();
  }
}
