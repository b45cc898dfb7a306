import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { offlineDrawing } from '../../src/ai/offline/offline-drawing.ts';
import { OfflineImageModel, offlineSvg, readDesign } from '../../src/ai/offline/offline-image-model.ts';
import { workflowAdapters } from '../../src/compose/workflow-adapters.ts';
import { loadConfig } from '../../src/config.ts';
import { TransientError } from '../../src/workflow/errors/transient-error.ts';
import type { ImageRequest } from '../../src/workflow/ports/image-model.ts';
import {
  editedFrontPrompt,
  frontPrompt,
  quickEditPresets,
  viewPrompt,
  type EditRequest,
} from '../../src/workflow/prompts.ts';
import { remainingViews, viewNames, type RemainingView } from '../../src/workflow/views.ts';

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
      expect(result.model).toBe('offline-renderer');
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

type Rgb = [number, number, number];

async function decoded(png: Buffer): Promise<{ pixel: (x: number, y: number) => Rgb; data: Buffer }> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    data,
    pixel: (x, y) => {
      const at = (y * info.width + x) * info.channels;
      return [data[at]!, data[at + 1]!, data[at + 2]!];
    },
  };
}

const near = (pixel: Rgb, hex: string, tolerance = 24) => {
  const value = Number.parseInt(hex.slice(1), 16);
  const target = [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
  return pixel.every((channel, index) => Math.abs(channel - target[index]!) <= tolerance);
};

/** Pixels of the product area (between the captions) close to a colour. */
async function countNear(png: Buffer, hex: string): Promise<number> {
  const image = await decoded(png);
  let count = 0;
  for (let y = 240; y < 870; y += 4)
    for (let x = 0; x < 1024; x += 4) if (near(image.pixel(x, y), hex)) count += 1;
  return count;
}

/** Share of the product area (sampled every 4 px) whose pixels differ between two images. */
async function productAreaChange(a: Buffer, b: Buffer): Promise<number> {
  const [first, second] = await Promise.all([decoded(a), decoded(b)]);
  let changed = 0;
  let total = 0;
  for (let y = 240; y < 870; y += 4)
    for (let x = 0; x < 1024; x += 4) {
      total += 1;
      if (!near(first.pixel(x, y), `#${Buffer.from(second.pixel(x, y)).toString('hex')}`, 8)) changed += 1;
    }
  return changed / total;
}

describe('OfflineImageModel: product families, one palette, visible edits', () => {
  const front = (productDescription: string) =>
    model.generate(request({ productDescription, prompt: frontPrompt(productDescription) }));
  const remaining = (productDescription: string, approved: Buffer, view: RemainingView) =>
    model.generate(
      request({
        view,
        productDescription,
        prompt: viewPrompt(view, productDescription, null),
        references: [{ png: approved, role: 'approved_front' }],
      }),
    );
  const edited = (productDescription: string, previous: Buffer, edit: EditRequest) =>
    model.generate(
      request({
        productDescription,
        prompt: editedFrontPrompt(productDescription, edit),
        references: [{ png: previous, role: 'previous_front' }],
      }),
    );

  it.each([
    ['Wireless over-ear headphones', 'headphones'],
    ['A gooseneck kettle for pour-over coffee', 'kettle'],
    ['An insulated water bottle', 'bottle'],
    ['A stackable oak chair', 'chair'],
    ['A folding desk lamp', 'lamp'],
    ['A trail running shoe', 'shoe'],
    ['A ceramic mug', 'mug'],
    ['A foldable phone', 'box'],
    ['A compact espresso machine', 'box'],
    ['A lamp shaped like a kettle', 'lamp'],
    ['A light blue kettle', 'kettle'],
    ['A bedside light', 'lamp'],
  ])('draws "%s" as %s', (productDescription, family) => {
    const drawing = offlineDrawing(request({ productDescription }));
    expect(drawing.design.family).toBe(family);
    expect(offlineSvg(drawing)).toContain('OFFLINE PREVIEW');
  });

  it('draws headphones, a kettle, a chair and a lamp as different shapes (probed pixels)', async () => {
    const red = '#c62d2d';
    const [headphones, kettle, chair, lamp] = await Promise.all(
      ['Red headphones', 'A red kettle', 'A red chair', 'A red desk lamp'].map(async (description) =>
        decoded((await front(description)).png),
      ),
    );
    const isRed = (image: { pixel: (x: number, y: number) => Rgb }, x: number, y: number) =>
      near(image.pixel(x, y), red, 40);
    // Headphones: red cups either side of an empty middle.
    expect(isRed(headphones!, 280, 640)).toBe(true);
    expect(isRed(headphones!, 512, 640)).toBe(false);
    // A kettle: a solid body from the middle down to its base.
    expect(isRed(kettle!, 512, 640)).toBe(true);
    expect(isRed(kettle!, 512, 760)).toBe(true);
    // A chair: a backrest above, nothing between its legs.
    expect(isRed(chair!, 512, 400)).toBe(true);
    expect(isRed(chair!, 512, 760)).toBe(false);
    // A lamp: a thin stem with nothing beside it, and a base.
    expect(isRed(lamp!, 430, 650)).toBe(false);
    expect(isRed(lamp!, 450, 810)).toBe(true);
  });

  it('paints all five views of a design in the palette of its colour words', async () => {
    const description = 'Over-ear headphones in matte black with bright orange accents';
    const approved = (await front(description)).png;
    const views = [approved];
    for (const view of remainingViews) views.push((await remaining(description, approved, view)).png);
    for (const [index, png] of views.entries()) {
      const view = viewNames[index];
      expect(await countNear(png, '#1c1c1e'), `${view} matte black`).toBeGreaterThan(150);
      expect(await countNear(png, '#e7782c'), `${view} orange accent`).toBeGreaterThan(10);
    }
    const palettes = views.map((png, index) => {
      const role = index === 0 ? undefined : ('approved_front' as const);
      return offlineDrawing(
        request({ view: viewNames[index]!, productDescription: description }),
        role && { design: readDesign(approved), role },
      ).palette;
    });
    for (const palette of palettes) expect(palette).toEqual(palettes[0]);
    expect(palettes[0]).toMatchObject({ body: '#1c1c1e', accent: '#e7782c' });
  });

  it('draws the remaining views in the palette of the approved front after "Change the color"', async () => {
    const description = 'A red kettle';
    const recoloured = (await edited(description, (await front(description)).png, { preset: 'color' })).png;
    const body = readDesign(recoloured)!.body;
    expect(body).not.toBe('#c62d2d');
    for (const view of remainingViews) {
      const png = (await remaining(description, recoloured, view)).png;
      expect(readDesign(png)?.body, view).toBe(body);
      expect(await countNear(png, body), view).toBeGreaterThan(150);
      expect(await countNear(png, '#c62d2d'), view).toBeLessThan(20);
    }
  });

  it('makes every quick edit visibly change the drawing, and each in its own way', async () => {
    const description = 'A folding desk lamp in sky blue';
    const original = (await front(description)).png;
    const base = readDesign(original)!;
    const results = new Map<string, Buffer>();
    for (const preset of quickEditPresets) {
      const png = (await edited(description, original, { preset: preset.id })).png;
      results.set(preset.id, png);
      expect(await productAreaChange(original, png), preset.id).toBeGreaterThan(0.004);
    }
    // On the pixels: another body colour, and a smaller product.
    const skyBlue = '#6fb7e9';
    const before = await countNear(original, skyBlue);
    expect(await countNear(results.get('color')!, skyBlue)).toBeLessThan(before / 10);
    const compact = await countNear(results.get('compact')!, skyBlue);
    expect(compact).toBeLessThan(before * 0.8);
    expect(compact).toBeGreaterThan(before * 0.4);
    const designs = Object.fromEntries([...results].map(([id, png]) => [id, readDesign(png)!]));
    expect(designs.minimal!.detail).toBeLessThan(base.detail);
    expect(designs.color!.body).not.toBe(base.body);
    expect(designs.premium!.premium).toBe(true);
    expect(designs.playful!.playful).toBe(true);
    expect(designs.rugged!.rugged).toBe(true);
    expect(designs.compact!.scale).toBeLessThan(base.scale);
    const hashes = new Set([...results.values()].map(sha256));
    expect(hashes.size).toBe(quickEditPresets.length);
  });

  it('builds each edit on the previous one', async () => {
    const description = 'A white running shoe';
    const minimal = (await edited(description, (await front(description)).png, { preset: 'minimal' })).png;
    const rugged = (await edited(description, minimal, { preset: 'rugged' })).png;
    expect(readDesign(rugged)).toMatchObject({ detail: 1, rugged: true, edits: 2, caption: 'more rugged' });
  });

  it('shows free-text feedback as a caption and a change, reading what it can draw', async () => {
    const description = 'A stackable oak chair';
    const original = (await front(description)).png;
    const unknown = (await edited(description, original, { feedback: 'Try a friendlier armrest' })).png;
    const green = (await edited(description, original, { feedback: 'Make it green and smaller' })).png;
    const whatever = (await edited(description, original, { feedback: 'Something about Bauhaus' })).png;
    expect(readDesign(unknown)?.caption).toBe('Try a friendlier armrest');
    expect(readDesign(green)).toMatchObject({ body: '#3f9a4e', scale: 0.8 });
    for (const png of [unknown, green, whatever])
      expect(await productAreaChange(original, png)).toBeGreaterThan(0.004);
    // The caption band under the product carries the words.
    const caption = offlineSvg(
      offlineDrawing(
        request({
          productDescription: description,
          prompt: editedFrontPrompt(description, { feedback: 'a <b> & c' }),
        }),
        { design: readDesign(original), role: 'previous_front' },
      ),
    );
    expect(caption).toContain('edit 1: a &lt;b&gt; &amp; c');
  });

  it('draws from the description when the reference is not an offline image', async () => {
    const plain = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    expect(readDesign(plain)).toBeUndefined();
    expect(readDesign(Buffer.from('not a png'))).toBeUndefined();
    const result = await model.generate(
      request({
        view: 'side',
        productDescription: 'A red kettle',
        references: [{ png: plain, role: 'approved_front' }],
      }),
    );
    expect(readDesign(result.png)).toMatchObject({ family: 'kettle', body: '#c62d2d' });
  });

  it('waits FACET_OFFLINE_LATENCY per image when the offline model is configured', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'facet-offline-'));
    const adapters = await workflowAdapters(
      loadConfig({ FACET_DATA_DIR: dataDir, FACET_OFFLINE_LATENCY: '250ms' }),
      'http://127.0.0.1:1',
      pino({ level: 'silent' }),
    );
    try {
      const started = Date.now();
      await adapters.model.generate(request());
      expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    } finally {
      await adapters.jobs.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
