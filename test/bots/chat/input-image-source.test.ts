import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostBoundImageSource } from '../../../src/bots/chat/host-bound-image-source.ts';
import { inputImageRefusalMessage, readInputImage } from '../../../src/bots/chat/input-image-source.ts';
import { streamedImageSource } from '../../../src/bots/chat/streamed-image-source.ts';
import { oversizedPng, solidImage, textFile } from '../../helpers/input-images.ts';

type Loopback = { host: string; url: string; requests: IncomingMessage[]; server: Server };

async function loopback(
  handle: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<Loopback> {
  const requests: IncomingMessage[] = [];
  const server = createServer((request, response) => {
    requests.push(request);
    handle(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { host, url: `http://${host}`, requests, server };
}

describe('an input image from a platform host', () => {
  let files: Loopback;
  let elsewhere: Loopback;
  let png: Buffer;
  /** Bytes of the streamed 48 MB file written before the reader hung up. */
  let streamedBeforeClose: number | undefined;

  beforeAll(async () => {
    png = await solidImage('png');
    const big = oversizedPng(12);
    // Loopback sockets and fetch buffer a few MB ahead of the reader: a longer stream shows where it stopped.
    const endless = oversizedPng(48);
    elsewhere = await loopback((_request, response) => response.end(png));
    files = await loopback((request, response) => {
      const path = request.url ?? '';
      if (path === '/sketch.png') {
        if (request.headers.authorization !== 'Bearer xoxb-right') return response.writeHead(403).end();
        return response.writeHead(200, { 'content-type': 'image/png' }).end(png);
      }
      if (path === '/notes.png')
        return response.writeHead(200, { 'content-type': 'image/png' }).end(textFile);
      if (path === '/big-declared.png')
        return response.writeHead(200, { 'content-length': big.length }).end(big);
      if (path === '/big-streamed.png') {
        // No length: the reader can only find out by reading, and must stop at the limit.
        response.writeHead(200, { 'content-type': 'image/png' });
        let written = 0;
        const chunk = 64 * 1024;
        response.on('close', () => (streamedBeforeClose ??= written));
        const pump = () => {
          while (written < endless.length) {
            const ok = response.write(endless.subarray(written, written + chunk));
            written += chunk;
            if (!ok) return response.once('drain', pump);
          }
          response.end();
        };
        return pump();
      }
      if (path === '/hop') return response.writeHead(302, { location: '/sketch.png' }).end();
      if (path === '/away') return response.writeHead(302, { location: `${elsewhere.url}/x.png` }).end();
      response.writeHead(404).end();
    });
  });

  afterAll(async () => {
    for (const { server } of [files, elsewhere]) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  const source = (path: string, extra: { declaredBytes?: number; url?: string } = {}) =>
    hostBoundImageSource({
      url: extra.url ?? `${files.url}${path}`,
      allowedHosts: [files.host],
      headers: { authorization: 'Bearer xoxb-right' },
      declaredBytes: extra.declaredBytes,
    });

  it('fetches a PNG with the credentials and re-encodes it', async () => {
    const read = await readInputImage(source('/sketch.png'));
    expect(read.ok).toBe(true);
    expect(read.ok && read.image.width).toBe(64);
  });

  it('follows a redirect on the same host, never one to another host', async () => {
    expect((await readInputImage(source('/hop'))).ok).toBe(true);
    const away = await readInputImage(source('/away'));
    expect(away).toMatchObject({ ok: false, refusal: { reason: 'unavailable' } });
    expect(elsewhere.requests).toHaveLength(0);
  });

  it('never fetches a URL on another host, whatever it is', async () => {
    const read = await readInputImage(source('', { url: `${elsewhere.url}/sketch.png` }));
    expect(read).toMatchObject({ ok: false, refusal: { reason: 'unavailable' } });
    expect(elsewhere.requests).toHaveLength(0);
    expect(inputImageRefusalMessage({ reason: 'unavailable' })).toMatch(/could not fetch/);
  });

  it('refuses a text file named .png by its bytes', async () => {
    const read = await readInputImage(source('/notes.png'));
    expect(read).toEqual({ ok: false, refusal: { reason: 'not_an_image' } });
    expect(!read.ok && inputImageRefusalMessage(read.refusal)).toBe(
      "That file isn't a PNG, JPEG or WebP image. Nothing was started or charged.",
    );
  });

  it('refuses a file the platform says is 12 MB without fetching it', async () => {
    const before = files.requests.length;
    const read = await readInputImage(source('/sketch.png', { declaredBytes: 12 * 1024 * 1024 }));
    expect(!read.ok && inputImageRefusalMessage(read.refusal)).toBe(
      'That image is 12.0 MB; the limit is 10 MB. Nothing was started or charged.',
    );
    expect(files.requests.length).toBe(before);
  });

  it('refuses a 12 MB download by its length, reading none of it', async () => {
    const read = await readInputImage(source('/big-declared.png'));
    expect(read).toMatchObject({ ok: false, refusal: { reason: 'too_large', bytes: 12 * 1024 * 1024 } });
  });

  it('stops reading a download of unknown length at the limit', async () => {
    const read = await readInputImage(source('/big-streamed.png'));
    expect(read).toMatchObject({ ok: false, refusal: { reason: 'too_large' } });
    await expect.poll(() => streamedBeforeClose).toBeDefined();
    expect(streamedBeforeClose!).toBeLessThan(24 * 1024 * 1024);
  });
});

describe('an input image streamed to Facet (the playground upload)', () => {
  it('stops pulling chunks once past the limit, without a declared size', async () => {
    let pulled = 0;
    async function* upload() {
      const chunk = Buffer.alloc(1024 * 1024, 1);
      for (let i = 0; i < 48; i += 1) {
        pulled += 1;
        // One chunk per network read, as a request body arrives.
        yield await Promise.resolve(chunk);
      }
    }
    const read = await readInputImage(streamedImageSource(upload()));
    expect(read).toMatchObject({ ok: false, refusal: { reason: 'too_large' } });
    expect(pulled).toBe(11);
  });

  it('takes a small upload whole', async () => {
    const png = await solidImage('webp');
    async function* upload() {
      yield await Promise.resolve(png.subarray(0, 10));
      yield png.subarray(10);
    }
    const read = await readInputImage(streamedImageSource(upload(), png.length));
    expect(read.ok && read.image.format).toBe('webp');
  });
});
