/*
 * sharp as Facet uses it: every module of src/ imports sharp from here (eslint enforces it), so the
 * settings below hold in every process and thread that draws images.
 */
import sharp from 'sharp';

// libvips keeps the results of recent operations (up to 50 MB and 100 operations by default) in case the
// same operation runs again on the same input. Facet never does that: each image is decoded, resized or
// drawn once, from a buffer of its own, so the cache only held memory (bench:workflow: ~20 MB less
// resident once idle without it, at the same CPU).
sharp.cache(false);

export default sharp;
export type { Sharp } from 'sharp';
