/** How many jobs are in each state; what metrics and health checks read from either queue. */
export type JobCounts = { waiting: number; active: number; delayed: number; failed: number };
