import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { OfflineImageModel } from '../../src/ai/offline/offline-image-model.ts';
import { TransientError } from '../../src/workflow/errors/transient-error.ts';
import type { ImageRequest } from '../../src/workflow/ports/image-model.ts';
import { viewNames } from '../../src/workflow/views.ts';

const model = new OfflineImageModel();

function request(overrides: Partial<ImageRequest> = {}): ImageRequest {
  return {
    designId: 'design-1',
    view: 'front',
    prompt: 'Front view of the product',
    productDescription: 'A compact espresso machine with a steel drip tray',
    references: [],
    ...overrides,
  };
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function centreMean(png: Buffer): Promise<{ r: number; g: number; b: number }> {
  // stats() reads the whole input and ignores extract(), so the crop is encoded first.
  const crop = await sharp(png).extract({ left: 432, top: 460, width: 160, height: 160 }).png().toBuffer();
  const { channels } = await sharp(crop).stats();
  const [r, g, b] = channels.map((channel) => channel.mean);
  return { r: r!, g: g!, b: b! };
}

describe('OfflineImageModel', () => {
  it('draws a 1024x1024 PNG for every view and names itself offline', async () => {
    for (const view of viewNames) {
      const result = await model.generate(request({ view }));
      const metadata = await sharp(result.png).metadata();
      expect(metadata).toMatchObject({ format: 'png', width: 1024, height: 1024 });
      expect(result.model).toBe('offline');
    }
    expect(model.name).toBe('offline');
  });

  it('is deterministic: the same description and view give the same bytes, across instances', async () => {
    const first = await model.generate(request({ view: 'side' }));
    const second = await new OfflineImageModel().generate(request({ view: 'side' }));
    expect(second.png.equals(first.png)).toBe(true);
  });

  it('draws a different picture for each view', async () => {
    const hashes = await Promise.all(
      viewNames.map(async (view) => sha256((await model.generate(request({ view }))).png)),
    );
    expect(new Set(hashes).size).toBe(viewNames.length);
  });

  it('draws a different picture for a different description', async () => {
    const kettle = await model.generate(request({ productDescription: 'A gooseneck kettle' }));
    const lamp = await model.generate(request({ productDescription: 'A folding desk lamp' }));
    expect(kettle.png.equals(lamp.png)).toBe(false);
  });

  it('ignores the prompt when there are no references (one picture per description and view)', async () => {
    const a = await model.generate(request({ prompt: 'first wording' }));
    const b = await model.generate(request({ prompt: 'second wording' }));
    expect(a.png.equals(b.png)).toBe(true);
  });

  it('varies an edit with its prompt, deterministically', async () => {
    const reference = (await model.generate(request())).png;
    const edit = (prompt: string) =>
      model.generate(request({ prompt, references: [{ png: reference, role: 'previous_front' }] }));
    const taller = await edit('Make it taller');
    const tallerAgain = await edit('Make it taller');
    const wooden = await edit('Use a wooden handle');
    expect(tallerAgain.png.equals(taller.png)).toBe(true);
    expect(wooden.png.equals(taller.png)).toBe(false);
    expect(taller.png.equals(reference)).toBe(false);
  });

  it.each([
    ['markup and quotes', `<script>alert("x")</script> & 'quoted' ]]> <!-- --> &amp;`],
    ['emoji and non-Latin text', '🎧 Kopfhörer 耳机 سماعة 👩🏽‍🚀 with ZWJ'],
    ['5,000 characters', 'long words '.repeat(455).slice(0, 5_000)],
    ['control characters and a lone surrogate', 'bad\u0000\u0007\u001b[31m\uD800 bytes\r\n\ttabs'],
    ['an empty description', ''],
    ['one unbroken 300-character word', 'x'.repeat(300)],
  ])('renders %s without failing', async (_label, productDescription) => {
    const result = await model.generate(request({ productDescription }));
    const metadata = await sharp(result.png).metadata();
    expect(metadata).toMatchObject({ format: 'png', width: 1024, height: 1024 });
  });

  it('paints a "matte black" product dark and a "red" one red', async () => {
    const black = await centreMean(
      (await model.generate(request({ productDescription: 'A matte black wireless speaker' }))).png,
    );
    expect(Math.max(black.r, black.g, black.b)).toBeLessThan(60);

    const red = await centreMean(
      (await model.generate(request({ productDescription: 'A red toaster' }))).png,
    );
    expect(red.r).toBeGreaterThan(150);
    expect(red.r - Math.max(red.g, red.b)).toBeGreaterThan(80);

    const white = await centreMean(
      (await model.generate(request({ productDescription: 'A white router' }))).png,
    );
    expect(Math.min(white.r, white.g, white.b)).toBeGreaterThan(200);
  });

  it('uses the first colour named, and the longer phrase ("navy blue", not "blue")', async () => {
    const mug = await centreMean(
      (await model.generate(request({ productDescription: 'A navy blue mug with a red handle' }))).png,
    );
    expect(mug.b).toBeGreaterThan(mug.r);
    expect(mug.b).toBeLessThan(120);
  });

  it('waits delayMs before answering', async () => {
    const slow = new OfflineImageModel({ delayMs: 200 });
    const started = Date.now();
    await slow.generate(request());
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('stops waiting when the request is aborted', async () => {
    const slow = new OfflineImageModel({ delayMs: 10_000 });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 30);
    const error = await slow
      .generate(request({ signal: controller.signal }))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransientError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('refuses an already aborted request', async () => {
    const error = await model
      .generate(request({ signal: AbortSignal.abort() }))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransientError);
  });
});
