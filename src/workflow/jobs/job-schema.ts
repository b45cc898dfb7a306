import { z } from 'zod';
import type { Job } from '../ports/job-queue.ts';
import { viewNames } from '../views.ts';

const designId = z.string().min(1);
// Rounds count from 1 (jobId treats round 1 specially); iterations may start at 0.
const round = z.int().positive();
const iteration = z.int().nonnegative();

/** A Job as it comes back from storage: written by any version of the app, so it is checked, not trusted. */
export const jobSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('front'), designId, iteration }),
  z.object({ kind: z.literal('view'), designId, view: z.enum(viewNames), round }),
  z.object({ kind: z.literal('finalize'), designId, round }),
  z.object({ kind: z.literal('contact_sheet'), designId, round }),
  z.object({ kind: z.literal('expire'), designId, iteration }),
]) satisfies z.ZodType<Job>;

export function parseJob(data: unknown): Job {
  return jobSchema.parse(data);
}
