import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDesign } from '../../src/ai/offline/offline-image-model.ts';
import { loadConfig } from '../../src/config.ts';
import { startFacet, type FacetHandle } from '../../src/main.ts';
import { oversizedPng, solidImage, textFile } from '../helpers/input-images.ts';
import { createTestDatabase, rowCount, type TestDatabase } from '../helpers/test-database.ts';
import { silentLogger } from '../workflow/workflow-harness.ts';

type Answer = { reply?: string; error?: string };
type DesignView = {
  id: string;
  imageUrl: string | null;
  sourceImageUrl: string | null;
  card: { tone: string; sourceImage?: { label: string } };
};

/** The playground's upload: `/design …` with an image as the body of its own request. */
describe('playground: a design from an uploaded image', () => {
  let test: TestDatabase;
  let facet: FacetHandle;
  const dataDir = path.join(tmpdir(), `facet-playground-image-${process.pid}`);
  let sequence = 0;

  beforeAll(async () => {
    test = await createTestDatabase('playground_image_input');
    facet = await startFacet(
      loadConfig({ PORT: '0', DATABASE_URL: test.url, FACET_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }),
      silentLogger,
    );
  });

  afterAll(async () => {
    await facet.close();
    await test.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const upload = async (text: string, body: Buffer, userId = 'ben') => {
    sequence += 1;
    const query = new URLSearchParams({ userId, text, requestId: `image-${sequence}` });
    const response = await fetch(`${facet.url}/playground/api/command-with-image?${query.toString()}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body,
    });
    return { status: response.status, answer: (await response.json()) as Answer };
  };
  const designCount = () => rowCount(test.db, 'designs');
  const holdCount = () => rowCount(test.db, 'credit_holds');

  it('refuses a 12 MB image, a text file named .png and a 5000 px image, creating and charging nothing', async () => {
    const big = await upload('/design a kettle from this', oversizedPng(12));
    expect(big).toEqual({
      status: 200,
      answer: { reply: 'That image is 12.0 MB; the limit is 10 MB. Nothing was started or charged.' },
    });
    expect((await upload('/design a kettle from this', textFile)).answer.reply).toBe(
      "That file isn't a PNG, JPEG or WebP image. Nothing was started or charged.",
    );
    const wide = await solidImage('png', { width: 5000, height: 10 });
    expect((await upload('/design a kettle from this', wide)).answer.reply).toBe(
      'That image is 5000 × 10 px; the limit is 4,096 px a side. Nothing was started or charged.',
    );
    expect(await designCount()).toBe(0);
    expect(await holdCount()).toBe(0);
  });

  it('takes an image only with a new design’s description', async () => {
    const answer = await upload('/design credits', await solidImage('png'));
    expect(answer.answer.reply).toMatch(/^An image goes with a new design/);
    expect(await designCount()).toBe(0);
  });

  it('refuses an upload sent as anything but raw bytes (no other site can post one without a preflight)', async () => {
    const query = new URLSearchParams({ userId: 'ben', text: '/design a kettle', requestId: 'form-1' });
    const response = await fetch(`${facet.url}/playground/api/command-with-image?${query.toString()}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: await solidImage('png'),
    });
    expect(response.status).toBe(403);
    expect(await designCount()).toBe(0);
  });

  it('starts from a valid PNG: the offline renderer takes its palette, the card shows it', async () => {
    const sketch = await solidImage('png', { width: 200, height: 160, colour: '#1f77b4' });
    const { status, answer } = await upload('/design a kettle', sketch);
    expect(status).toBe(200);
    expect(answer.reply ?? '').not.toMatch(/Nothing was started/);
    let view: DesignView | undefined;
    await expect
      .poll(
        async () => {
          const designs = (await (await fetch(`${facet.url}/playground/api/designs`)).json()) as DesignView[];
          view = designs[0];
          return view?.card.tone;
        },
        { timeout: 20_000 },
      )
      .toBe('waiting');
    expect(view!.card.sourceImage?.label).toBe('From your sketch');
    expect(view!.sourceImageUrl).not.toBeNull();
    const source = await fetch(view!.sourceImageUrl!);
    expect(source.headers.get('content-type')).toBe('image/png');
    const front = Buffer.from(await (await fetch(view!.imageUrl!)).arrayBuffer());
    expect(readDesign(front)).toMatchObject({
      family: 'kettle',
      body: '#1f77b4',
      caption: 'from your sketch',
    });
    expect(await holdCount()).toBe(1);
  });
});
