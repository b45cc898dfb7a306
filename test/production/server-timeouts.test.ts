import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { shutdownGraceMs, startRouteServer } from '../../src/http/health-server.ts';
import { serverTimeouts } from '../../src/http/server-timeouts.ts';

/** Node's defaults let a client hold a request open for 5 minutes by sending it slowly (issue 17). */
describe('HTTP server timeouts', () => {
  it('sets headers, request and keep-alive timeouts deliberately', async () => {
    const handle = await startRouteServer(() => Promise.resolve(false), '127.0.0.1', 0);
    try {
      expect(handle.server.headersTimeout).toBe(serverTimeouts.headersTimeoutMs);
      expect(handle.server.requestTimeout).toBe(serverTimeouts.requestTimeoutMs);
      expect(handle.server.keepAliveTimeout).toBe(serverTimeouts.keepAliveTimeoutMs);
      expect(serverTimeouts.requestTimeoutMs).toBeLessThanOrEqual(30_000);
    } finally {
      await handle.close();
    }
  });

  it('answers a request whose body never arrives with 408 once the request timeout has passed', async () => {
    const handle = await startRouteServer(
      async (request, response) => {
        let size = 0;
        for await (const chunk of request) size += (chunk as Buffer).length;
        response.end(`read ${size}`);
        return true;
      },
      '127.0.0.1',
      0,
    );
    const { port } = new URL(handle.url);
    const started = Date.now();
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1');
      let text = '';
      socket.on('data', (data) => (text += data.toString()));
      socket.on('close', () => resolve(text.split('\r\n')[0] ?? ''));
      socket.on('error', reject);
      socket.write('POST /slow HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nabc');
    });
    const waited = Date.now() - started;
    await handle.close();
    expect(answer).toBe('HTTP/1.1 408 Request Timeout');
    expect(waited).toBeGreaterThanOrEqual(serverTimeouts.requestTimeoutMs - 100);
    expect(waited).toBeLessThan(
      serverTimeouts.requestTimeoutMs + 2 * serverTimeouts.connectionsCheckingIntervalMs + 1000,
    );
  }, 30_000);

  it('closes within the grace period even while a client holds a request open by sending it slowly', async () => {
    const handle = await startRouteServer(
      async (request, response) => {
        let size = 0;
        for await (const chunk of request) size += (chunk as Buffer).length;
        response.end(`read ${size}`);
        return true;
      },
      '127.0.0.1',
      0,
    );
    const { port } = new URL(handle.url);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.on('error', () => undefined);
    socket.write('POST /slow HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nabc');
    const drip = setInterval(() => socket.write('x'), 500);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    await handle.close();
    clearInterval(drip);
    socket.destroy();
    expect(Date.now() - started).toBeLessThan(shutdownGraceMs + 1_000);
  }, 20_000);
});
