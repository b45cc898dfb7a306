/**
 * glibc's allocator gives each thread that allocates its own arena (up to 8 per core), and libvips's
 * threads (sharp: views, contact and spec sheets) leave each one holding freed memory it never returns:
 * a job-worker process at 256 jobs at once grew to ~570 MB resident, 330–390 MB with two arenas, at no
 * measurable cost in CPU (bench:load, docs/performance.md). It must be set before the process starts, so
 * the processes Facet starts get it here; an operator's own value wins. On jemalloc (LD_PRELOAD, which the
 * Docker image sets and the child inherits; ~320 MB for the same load) glibc's arenas are not used at all.
 */
export const defaultMallocArenas = '2';

/** The environment a job-worker process starts with: this process's, with the arena limit added. */
export function workerProcessEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX ?? defaultMallocArenas };
}
