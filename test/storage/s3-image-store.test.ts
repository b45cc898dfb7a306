import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createS3Client,
  S3ImageStore,
  type S3ImageStoreOptions,
} from '../../src/storage/images/s3-image-store.ts';
import { TransientError } from '../../src/workflow/errors/transient-error.ts';
import { ImageNotFoundError } from '../../src/workflow/ports/image-store.ts';

const bucket = 'facet-images';
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** A PNG signature followed by noise: large and incompressible, so any byte corruption shows. */
function pngLike(size: number): Buffer {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, randomBytes(size - signature.length)]);
}

async function startS3rver(directory: string): Promise<{ server: S3rver; endpoint: string }> {
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const address = await server.run();
  return { server, endpoint: `http://127.0.0.1:${address.port}` };
}

function storeOptions(endpoint: string, extra: Partial<S3ImageStoreOptions> = {}): S3ImageStoreOptions {
  return {
    bucket,
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials,
    maxAttempts: 1,
    connectionTimeoutMs: 1_000,
    requestTimeoutMs: 2_000,
    ...extra,
  };
}

async function elapsed<T>(work: () => Promise<T>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  try {
    await work();
    return { error: undefined, ms: performance.now() - started };
  } catch (error) {
    return { error, ms: performance.now() - started };
  }
}

describe('S3ImageStore against s3rver', () => {
  let folder: string;
  let s3rver: S3rver;
  let endpoint: string;
  let store: S3ImageStore;

  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'facet-s3-'));
    ({ server: s3rver, endpoint } = await startS3rver(folder));
    store = new S3ImageStore(storeOptions(endpoint));
  });
  afterAll(async () => {
    await s3rver.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('round-trips a 1 MB image byte for byte, stored as image/png', async () => {
    const png = pngLike(1024 * 1024);
    await store.put('designs/d1/front-1.png', png);
    const back = await store.get('designs/d1/front-1.png');
    expect(back.length).toBe(png.length);
    expect(back.equals(png)).toBe(true);

    const head = await createS3Client(storeOptions(endpoint)).send(
      new HeadObjectCommand({ Bucket: bucket, Key: 'designs/d1/front-1.png' }),
    );
    expect(head.ContentType).toBe('image/png');
  });

  it('lets a second write of the same key replace the first', async () => {
    await store.put('designs/d2/front-1.png', pngLike(2048));
    const second = pngLike(4096);
    await store.put('designs/d2/front-1.png', second);
    expect((await store.get('designs/d2/front-1.png')).equals(second)).toBe(true);
  });

  it('throws ImageNotFoundError for a key never written', async () => {
    const failure = store.get('designs/nope/front-1.png');
    await expect(failure).rejects.toBeInstanceOf(ImageNotFoundError);
    await expect(failure).rejects.toMatchObject({ key: 'designs/nope/front-1.png' });
  });

  it('does not mistake a missing bucket for a missing image, nor for an outage', async () => {
    const wrong = new S3ImageStore(storeOptions(endpoint, { bucket: 'no-such-bucket' }));
    const get = await elapsed(() => wrong.get('designs/d1/front-1.png'));
    expect(get.error).toBeInstanceOf(Error);
    expect(get.error).not.toBeInstanceOf(ImageNotFoundError);
    expect(get.error).not.toBeInstanceOf(TransientError);
    const put = await elapsed(() => wrong.put('designs/d1/front-1.png', pngLike(100)));
    expect(put.error).toBeInstanceOf(Error);
    expect(put.error).not.toBeInstanceOf(TransientError);
  });

  it('presigns a GET URL that fetch() can read, valid for 7 days by default', async () => {
    const png = pngLike(300_000);
    await store.put('designs/d3/side-1.png', png);
    const url = await store.url('designs/d3/side-1.png');
    expect(url.startsWith(`${endpoint}/${bucket}/designs/d3/side-1.png?`)).toBe(true);
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('604800');

    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(png)).toBe(true);
  });

  it('honours a shorter expiry, clamps a longer one, and the link stops working once expired', async () => {
    await store.put('designs/d4/top-1.png', pngLike(1000));
    const short = new URL(await store.url('designs/d4/top-1.png', { expiresInSeconds: 60 }));
    expect(short.searchParams.get('X-Amz-Expires')).toBe('60');
    const long = new URL(await store.url('designs/d4/top-1.png', { expiresInSeconds: 30 * 24 * 3600 }));
    expect(long.searchParams.get('X-Amz-Expires')).toBe('604800');
    expect((await fetch(long)).status).toBe(200);

    // s3rver does not check SigV4 signatures, only expiry, so expiry is what can be observed here.
    const brief = await store.url('designs/d4/top-1.png', { expiresInSeconds: 1 });
    expect((await fetch(brief)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect((await fetch(brief)).status).toBe(403);
  });

  it('builds plain URLs when the bucket is public', async () => {
    const open = new S3ImageStore(
      storeOptions(endpoint, { publicBaseUrl: 'https://cdn.example.test/imgs/' }),
    );
    expect(await open.url('designs/d5/back-1.png')).toBe(
      'https://cdn.example.test/imgs/designs/d5/back-1.png',
    );
  });
});

describe('S3ImageStore when the store is down', () => {
  it('turns a stopped server into TransientError quickly, for get and put', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'facet-s3-down-'));
    try {
      const { server, endpoint } = await startS3rver(folder);
      const store = new S3ImageStore(storeOptions(endpoint));
      await store.put('designs/d1/front-1.png', pngLike(1000));
      await server.close();

      const get = await elapsed(() => store.get('designs/d1/front-1.png'));
      expect(get.error).toBeInstanceOf(TransientError);
      expect(get.ms).toBeLessThan(3_000);
      const put = await elapsed(() => store.put('designs/d1/back-1.png', pngLike(1000)));
      expect(put.error).toBeInstanceOf(TransientError);
      expect(put.ms).toBeLessThan(3_000);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('gives up on a server that accepts connections but never answers', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      const store = new S3ImageStore(storeOptions(`http://127.0.0.1:${port}`, { requestTimeoutMs: 500 }));
      const get = await elapsed(() => store.get('designs/d1/front-1.png'));
      expect(get.error).toBeInstanceOf(TransientError);
      expect(get.ms).toBeLessThan(3_000);
      const put = await elapsed(() => store.put('designs/d1/front-1.png', pngLike(1000)));
      expect(put.error).toBeInstanceOf(TransientError);
      expect(put.ms).toBeLessThan(3_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
