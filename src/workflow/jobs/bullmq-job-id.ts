import { jobId, type Job } from '../ports/job-queue.ts';

/**
 * The BullMQ id for a job. BullMQ refuses custom ids containing ':' unless they split into exactly three
 * parts (a leftover from its repeatable-job keys), and `finalize:<design>` has two, so ':' becomes '.'.
 * '%' and '.' are escaped first so that distinct logical ids can never map to the same BullMQ id (which
 * would silently drop one of them as a duplicate). Ids never parse as integers, which BullMQ also refuses:
 * they start with the job kind.
 */
export function bullmqJobId(job: Job): string {
  return jobId(job).replaceAll('%', '%25').replaceAll('.', '%2E').replaceAll(':', '.');
}
