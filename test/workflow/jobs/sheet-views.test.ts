import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalImageStore } from '../../../src/storage/images/local-image-store.ts';
import {
  sheetViewPixels,
  sheetViews,
  shrinkForSheets,
} from '../../../src/workflow/design-jobs/sheet-views.ts';
import { sheetRenders } from '../../../src/workflow/design-jobs/sheet-renders.ts';
import { ImageNotFoundError, type ImageStore } from '../../../src/workflow/ports/image-store.ts';

const image = (width: number, height: number, alpha: number) =>
  sharp({ create: { width, height, channels: 4, background: { r: 200, g: 30, b: 30, alpha } } })
    .png()
    .toBuffer();

describe('the views a sheet job draws', () => {
  let dir: string;
  let store: LocalImageStore;
  const reads: string[] = [];
  let counted: ImageStore;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'facet-sheet-views-'));
    store = new LocalImageStore({ dir, publicUrl: 'http://127.0.0.1:1', secret: 'sheet-views-test-key' });
    // The real store, counting what is read from it.
    counted = {
      name: store.name,
      put: (key, png) => store.put(key, png),
      url: (key, options) => store.url(key, options),
      get: (key) => {
        reads.push(key);
        return store.get(key);
      },
    };
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('shrinks a large view to fit the sheets’ square, flattened onto white', async () => {
    const shrunk = sharp(await shrinkForSheets(await image(1024, 512, 0.5)));
    const { width, height, channels } = await shrunk.metadata();
    expect({ width, height, channels }).toEqual({
      width: sheetViewPixels,
      height: sheetViewPixels / 2,
      channels: 3,
    });
    const { data, info } = await shrunk.raw().toBuffer({ resolveWithObject: true });
    const pixel = (x: number, y: number) => [
      ...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3),
    ];
    // Half-transparent red, flattened onto white.
    const [r, g, b] = pixel(sheetViewPixels / 2, sheetViewPixels / 4);
    expect(r).toBeGreaterThan(220);
    expect(g).toBeGreaterThan(120);
    expect(g).toBeLessThan(160);
    expect(b).toBe(g);
  });

  it('never enlarges a small view', async () => {
    const { width, height } = await sharp(await shrinkForSheets(await image(64, 64, 1))).metadata();
    expect({ width, height }).toEqual({ width: 64, height: 64 });
  });

  it('reads and hands over each view once for all of a job’s sheets; a missing view fails for each', async () => {
    await store.put('designs/d1/front.png', await image(1024, 1024, 1));
    // The sheet process, counting what it is handed.
    const handed: Buffer[] = [];
    const renders = { keep: (view: Buffer) => (handed.push(view), sheetRenders.keep(view)) };
    const views = sheetViews(counted, renders);
    const first = await Promise.all([views.get('designs/d1/front.png'), views.get('designs/d1/front.png')]);
    const later = await views.get('designs/d1/front.png');
    expect(reads).toEqual(['designs/d1/front.png']);
    expect(handed).toHaveLength(1);
    expect(first[0]).toBe(later);

    await expect(views.get('designs/d1/missing.png')).rejects.toBeInstanceOf(ImageNotFoundError);
    await expect(views.get('designs/d1/missing.png')).rejects.toBeInstanceOf(ImageNotFoundError);
    expect(reads.filter((key) => key.endsWith('missing.png'))).toHaveLength(1);
    // Another job reads afresh (nothing is kept beyond the job).
    await sheetViews(counted, sheetRenders).get('designs/d1/front.png');
    expect(reads.filter((key) => key.endsWith('front.png'))).toHaveLength(2);
  });
});
