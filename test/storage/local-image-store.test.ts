import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  handleImageRequest,
  InvalidImageKeyError,
  LocalImageStore,
} from '../../src/storage/images/local-image-store.ts';
import { ImageNotFoundError } from '../../src/workflow/ports/image-store.ts';

const secret = 'test-secret-with-enough-entropy';

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)));
}

function rawGet(url: string): Promise<{ status: number; body: string }> {
  const { host, port } = new URL(url);
  const rawPath = url.slice(url.indexOf('/', 'http://'.length));
  return new Promise((resolve, reject) => {
    const req = request({ host: host.split(':')[0], port, path: rawPath, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('LocalImageStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'facet-images-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips bytes and leaves no temp files behind', async () => {
    const store = new LocalImageStore({ dir, publicUrl: 'http://x', secret });
    const png = randomBytes(200_000);
    await store.put('designs/d1/front-1.png', png);
    expect((await store.get('designs/d1/front-1.png')).equals(png)).toBe(true);

    const replacement = randomBytes(50);
    await store.put('designs/d1/front-1.png', replacement);
    expect((await store.get('designs/d1/front-1.png')).equals(replacement)).toBe(true);
    expect(await listFiles(dir)).toEqual([path.join('designs', 'd1', 'front-1.png')]);
  });

  it('makes a missing folder when it writes, also one removed since its last write', async () => {
    const store = new LocalImageStore({ dir, publicUrl: 'http://x', secret });
    await store.put('designs/d3/r1/front-1.png', randomBytes(10));
    await rm(path.join(dir, 'designs', 'd3'), { recursive: true });
    const png = randomBytes(10);
    await store.put('designs/d3/r1/back-1.png', png);
    expect((await store.get('designs/d3/r1/back-1.png')).equals(png)).toBe(true);
    expect(await listFiles(dir)).toEqual([path.join('designs', 'd3', 'r1', 'back-1.png')]);
  });

  it('keeps images across a restart (new instance, same folder)', async () => {
    const png = randomBytes(1000);
    await new LocalImageStore({ dir, publicUrl: 'http://x', secret }).put('designs/d2/back-1.png', png);
    const restarted = new LocalImageStore({ dir, publicUrl: 'http://x', secret: Buffer.from(secret) });
    expect((await restarted.get('designs/d2/back-1.png')).equals(png)).toBe(true);
  });

  it('throws ImageNotFoundError for a missing key, including one naming a folder', async () => {
    const store = new LocalImageStore({ dir, publicUrl: 'http://x', secret });
    await store.put('designs/d3/front-1.png', randomBytes(10));
    await expect(store.get('designs/d3/side-1.png')).rejects.toBeInstanceOf(ImageNotFoundError);
    await expect(store.get('designs/d3')).rejects.toBeInstanceOf(ImageNotFoundError);
    await expect(store.get('designs/d3/front-1.png/x')).rejects.toBeInstanceOf(ImageNotFoundError);
  });

  it('refuses keys that could escape the folder or are not plain paths', async () => {
    const outside = path.join(dir, '..', `${path.basename(dir)}-outside.png`);
    const store = new LocalImageStore({ dir: path.join(dir, 'images'), publicUrl: 'http://x', secret });
    const hostile = [
      '../outside.png',
      'designs/../../outside.png',
      '..',
      '/etc/passwd',
      outside,
      'designs//front.png',
      'designs/front.png/',
      './front.png',
      '.hidden.png',
      'designs\\..\\x.png',
      'designs/%2e%2e/x.png',
      'designs/fr ont.png',
      'designs/front.png\0',
      '',
      'a'.repeat(600),
    ];
    for (const key of hostile) {
      await expect(store.put(key, Buffer.from('x')), key).rejects.toBeInstanceOf(InvalidImageKeyError);
      await expect(store.get(key), key).rejects.toBeInstanceOf(InvalidImageKeyError);
      await expect(store.url(key), key).rejects.toBeInstanceOf(InvalidImageKeyError);
    }
    expect(await listFiles(dir)).toEqual([]);
  });

  it('signs URLs with HMAC-SHA256 over key and expiry', async () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const store = new LocalImageStore({ dir, publicUrl: 'https://facet.test/', secret, clock: () => now });
    const url = new URL(await store.url('designs/d4/top-1.png', { expiresInSeconds: 3600 }));
    expect(url.origin + url.pathname).toBe('https://facet.test/images/designs/d4/top-1.png');
    const expires = Number(url.searchParams.get('expires'));
    expect(expires).toBe(now.getTime() / 1000 + 3600);
    const expected = createHmac('sha256', secret).update(`designs/d4/top-1.png\n${expires}`).digest('hex');
    expect(url.searchParams.get('sig')).toBe(expected);

    const defaulted = new URL(await store.url('designs/d4/top-1.png'));
    expect(Number(defaulted.searchParams.get('expires'))).toBe(now.getTime() / 1000 + 7 * 24 * 3600);
  });
});

describe('handleImageRequest over a real HTTP server', () => {
  let dir: string;
  let server: Server;
  let base: string;
  let now = new Date('2030-06-01T12:00:00Z');
  let store: LocalImageStore;
  const png = randomBytes(70_000);
  let fallthrough = 0;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'facet-images-http-'));
    server = createServer((req, res) => {
      handleImageRequest(store, req, res).then(
        (handled) => {
          if (handled) return;
          fallthrough += 1;
          res.writeHead(418).end('not mine');
        },
        () => res.writeHead(599).end(),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    store = new LocalImageStore({ dir, publicUrl: base, secret, clock: () => now });
    await store.put('designs/d1/front-1.png', png);
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('serves a valid signed URL with the bytes, type, length and a cache bounded by the expiry', async () => {
    const response = await fetch(await store.url('designs/d1/front-1.png', { expiresInSeconds: 600 }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('content-length')).toBe(String(png.length));
    expect(response.headers.get('cache-control')).toBe('private, max-age=600');
    expect(Buffer.from(await response.arrayBuffer()).equals(png)).toBe(true);
  });

  it('answers HEAD with headers only', async () => {
    const response = await fetch(await store.url('designs/d1/front-1.png'), { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String(png.length));
    expect((await response.arrayBuffer()).byteLength).toBe(0);
  });

  it('refuses a tampered signature, a tampered expiry, another key and a missing signature with 403', async () => {
    const url = new URL(await store.url('designs/d1/front-1.png', { expiresInSeconds: 600 }));
    const sig = url.searchParams.get('sig')!;

    const badSig = new URL(url);
    badSig.searchParams.set('sig', (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1));
    expect((await fetch(badSig)).status).toBe(403);

    const longer = new URL(url);
    longer.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 100_000));
    expect((await fetch(longer)).status).toBe(403);

    await store.put('designs/d1/back-1.png', randomBytes(10));
    const otherKey = new URL(url);
    otherKey.pathname = '/images/designs/d1/back-1.png';
    expect((await fetch(otherKey)).status).toBe(403);

    const unsigned = new URL(url);
    unsigned.search = '';
    expect((await fetch(unsigned)).status).toBe(403);

    const shortSig = new URL(url);
    shortSig.searchParams.set('sig', sig.slice(0, 10));
    expect((await fetch(shortSig)).status).toBe(403);
  });

  it('refuses an expired URL with 403', async () => {
    const url = await store.url('designs/d1/front-1.png', { expiresInSeconds: 60 });
    expect((await fetch(url)).status).toBe(200);
    const before = now;
    now = new Date(before.getTime() + 61_000);
    try {
      expect((await fetch(url)).status).toBe(403);
    } finally {
      now = before;
    }
  });

  it('answers 404 for a correctly signed URL to an image that is not there', async () => {
    const response = await fetch(await store.url('designs/d9/front-1.png'));
    expect(response.status).toBe(404);
  });

  it('answers 405 to other methods', async () => {
    const response = await fetch(await store.url('designs/d1/front-1.png'), { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect((await store.get('designs/d1/front-1.png')).equals(png)).toBe(true);
  });

  it('never serves files outside the folder, even for raw traversal paths signed with the secret', async () => {
    const neighbour = path.join(dir, '..', `${path.basename(dir)}-neighbour.png`);
    await writeFile(neighbour, 'secret bytes');
    try {
      const name = path.basename(neighbour);
      const expires = now.getTime() / 1000 + 600;
      for (const key of [`../${name}`, `%2e%2e/${name}`, `..%2F${name}`, `designs/../../${name}`]) {
        const sig = createHmac('sha256', secret).update(`${key}\n${expires}`).digest('hex');
        // node:http sends the path verbatim, unlike fetch(), which would normalise the dots away first.
        const response = await rawGet(`${base}/images/${key}?expires=${expires}&sig=${sig}`);
        expect(response.status, key).not.toBe(200);
        expect(response.body, key).not.toContain('secret bytes');
      }
    } finally {
      await rm(neighbour, { force: true });
    }
  });

  it('returns false for paths outside /images/ so the caller can route them', async () => {
    const before = fallthrough;
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(418);
    expect(await response.text()).toBe('not mine');
    expect((await fetch(`${base}/imagesX/designs/d1/front-1.png`)).status).toBe(418);
    expect(fallthrough).toBe(before + 2);
  });
});
