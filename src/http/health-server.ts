import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FacetDatabase } from '../storage/database.ts';
import { isMigrated } from '../storage/migrator.ts';
import { applyServerTimeouts, serverOptions } from './server-timeouts.ts';

/** How long requests in flight may take to finish once the server closes (shutdown waits 20 s in all). */
export const shutdownGraceMs = 5_000;

export type HttpServerHandle = { server: Server; url: string; close: () => Promise<void> };

/** Answers a request it owns and resolves true; false leaves it to the next route. */
export type HttpRoute = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

/**
 * /healthz: the process answers. /readyz: the database answers, every migration is applied, and what
 * `notReady` checks (every chat platform attached, the job queue's store) is there.
 * Other paths go to `routes()` in turn (read per request: routes are added once their parts exist).
 */
export async function startHealthServer(
  db: FacetDatabase,
  host: string,
  port: number,
  routes: () => readonly HttpRoute[] = () => [],
  /**
   * What else readiness waits for (every chat platform attached, the job queue's Redis): the reason it
   * is not ready yet, or undefined when it is.
   */
  notReady: () => Promise<string | undefined> = () => Promise.resolve(undefined),
): Promise<HttpServerHandle> {
  const server = createServer(serverOptions, (request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const send = (status: number, body: Record<string, unknown>) => {
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify(body));
    };
    if (path === '/healthz') return send(200, { status: 'ok' });
    if (path === '/readyz') {
      Promise.all([isMigrated(db).catch(() => undefined), notReady().catch(() => 'not ready')]).then(
        ([migrated, reason]) => {
          if (migrated === undefined) return send(503, { status: 'database unreachable' });
          if (!migrated) return send(503, { status: 'migrations pending' });
          if (reason !== undefined) return send(503, { status: reason });
          send(200, { status: 'ready' });
        },
        () => send(503, { status: 'not ready' }),
      );
      return;
    }
    void (async () => {
      for (const route of routes()) if (await route(request, response)) return;
      send(404, { error: 'not found' });
    })().catch(() => {
      if (!response.headersSent) send(500, { error: 'internal error' });
      else response.destroy();
    });
  });
  return listen(server, host, port);
}

/** A server of its own for one route (/metrics on FACET_METRICS_PORT); 404 for anything else. */
export function startRouteServer(route: HttpRoute, host: string, port: number): Promise<HttpServerHandle> {
  const server = createServer(serverOptions, (request, response) => {
    route(request, response)
      .then((answered) => {
        if (!answered) response.writeHead(404).end();
      })
      .catch(() => {
        if (!response.headersSent) response.writeHead(500).end();
        else response.destroy();
      });
  });
  return listen(server, host, port);
}

async function listen(server: Server, host: string, port: number): Promise<HttpServerHandle> {
  applyServerTimeouts(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${shownHost}:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        // Once closing, Node stops enforcing the request timeout: a client sending its body slowly
        // would hold shutdown for as long as it likes. Requests in flight get a grace period, then go.
        const cutOff = setTimeout(() => server.closeAllConnections(), shutdownGraceMs);
        server.close(() => {
          clearTimeout(cutOff);
          resolve();
        });
        // Idle keep-alive connections would hold close() for up to the keep-alive timeout.
        server.closeIdleConnections();
      }),
  };
}
