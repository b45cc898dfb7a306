/**
 * glibc's allocator gives each thread that allocates its own arena (up to 8 per core), and libvips's
 * threads (sharp: views, contact and spec sheets) leave each one holding freed memory it never returns:
 * a job-worker process at 256 jobs at once grew to ~570 MB resident, 330–390 MB with two arenas, at no
 * measurable cost in CPU (bench:load, docs/performance.md). It must be set before the process starts, so
 * the processes Facet starts get it here; an operator's own value wins. On jemalloc (LD_PRELOAD, which the
 * Docker image sets and the child inherits; ~320 MB for the same load) glibc's arenas are not used at all.
 */
export const defaultMallocArenas = '2';

/**
 * jemalloc's settings (glibc ignores them). jemalloc keeps freed pages for 10 s by default and returns
 * them only while the process allocates: a job worker held the last burst's images long after it. Here
 * freed pages go back after 1 s, by a background thread, idle or not: bench:load's job-worker process at
 * 300 designs a minute 319 → 255 MB resident, its CPU per design within the runs' noise (+1–4%).
 */
export const defaultJemallocConf = 'background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0';

/**
 * The environment a job-worker or sheet process starts with: this process's, with the allocator settings
 * added.
 */
export function workerProcessEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...env,
    MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX ?? defaultMallocArenas,
    MALLOC_CONF: env.MALLOC_CONF ?? defaultJemallocConf,
  };
}
