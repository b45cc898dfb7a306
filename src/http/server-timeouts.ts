import type { Server } from 'node:http';

/**
 * Node's defaults let a client hold a request open for 5 minutes (requestTimeout 300 s) by sending its
 * body slowly. Facet's requests are small and its clients (Slack, Discord, a browser, Prometheus) send
 * them at once, so a request gets 15 s to arrive whole, its headers 10 s, and an idle keep-alive
 * connection 5 s (below the 60 s idle timeout of common load balancers, which close theirs first).
 */
export const serverTimeouts = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  keepAliveTimeoutMs: 5_000,
  /** How often Node looks for requests past those timeouts (its default, 30 s, would triple them). */
  connectionsCheckingIntervalMs: 1_000,
} as const;

/** Options for `createServer`: the checking interval can only be given there. */
export const serverOptions = {
  connectionsCheckingInterval: serverTimeouts.connectionsCheckingIntervalMs,
} as const;

export function applyServerTimeouts(server: Server): void {
  server.headersTimeout = serverTimeouts.headersTimeoutMs;
  server.requestTimeout = serverTimeouts.requestTimeoutMs;
  server.keepAliveTimeout = serverTimeouts.keepAliveTimeoutMs;
}
