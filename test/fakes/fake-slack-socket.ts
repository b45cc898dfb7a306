import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * A fake of Slack's Socket Mode backend, for the real `@slack/socket-mode` client (the one Bolt's
 * SocketModeReceiver uses). Everything listens on 127.0.0.1:
 *
 * - `POST {apiUrl}apps.connections.open` with `Authorization: Bearer <app token>` returns
 *   `{ ok: true, url: 'ws://127.0.0.1:<port>/link/?ticket=…' }` (one-use ticket); a wrong token gets
 *   `invalid_auth`, a non-`xapp-` token `not_allowed_token_type`, none `not_authed` — all HTTP 200 like Slack.
 * - The WebSocket (RFC 6455, implemented here on node:http: the client in @slack/socket-mode 3 is undici's
 *   WebSocket, and `ws` is only a transitive dependency of other packages, without types) sends
 *   `{ type: 'hello' }`, answers the client's pings with pongs (it pings every clientPingTimeout / 3 and
 *   drops the connection when pongs stop), completes close handshakes, and takes acks
 *   `{ envelope_id, payload }`.
 */

export type SocketEnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

/** What the client sent back for an envelope: its `payload` (`{}` for a bare `ack()`). */
export type SocketAck = Record<string, unknown> | undefined;

export type FakeSlackSocketOptions = {
  /** The app-level token apps.connections.open accepts. Default `xapp-test`. */
  appToken?: string;
  /** Reported in the hello message and the socket URL. Default `A0FACET`. */
  appId?: string;
  /**
   * Where to forward every other Web API method (e.g. `startFakeSlack().apiUrl`), for an App that shares one
   * `clientOptions.slackApiUrl` between its bot client and the socket client. Without it they get
   * `{ ok: false, error: 'unknown_method' }`.
   */
  webApiUrl?: string;
  /** How long send() waits for an ack by default. Default 3000 ms, Slack's own deadline. */
  ackTimeoutMs?: number;
};

export type SendOptions = {
  /** Default: the fake's ackTimeoutMs. */
  timeoutMs?: number;
  /** Default: true for slash_commands and interactive, false for events_api (as Slack sends them). */
  acceptsResponsePayload?: boolean;
  /** events_api only: retry_attempt / retry_reason on the envelope. Default 0 / ''. */
  retryAttempt?: number;
  retryReason?: string;
};

export type FakeSlackSocket = {
  /** Pass as `slackApiUrl` in the socket client's clientOptions. */
  apiUrl: string;
  /** WebSocket connections established so far (each one got a hello). */
  readonly connections: number;
  /** Successful apps.connections.open calls so far. */
  readonly opens: number;
  /** Client pings answered with a pong so far. */
  readonly pings: number;
  /** Whether a client is connected and not being disconnected. */
  readonly connected: boolean;
  /**
   * Sends an envelope with a fresh envelope_id to the connected client and resolves with the ack's payload.
   * Rejects when nothing is connected, the connection closes first, or no ack comes within the timeout.
   */
  send(type: SocketEnvelopeType, payload: Record<string, unknown>, options?: SendOptions): Promise<SocketAck>;
  /** Resolves once a client is connected (immediately if one is); rejects after timeoutMs (default 5000). */
  waitForConnection(timeoutMs?: number): Promise<void>;
  /**
   * Sends `{ type: 'disconnect', reason }` to the connected client, which closes the socket and (with
   * auto-reconnect, the default) opens a new one after clientPingTimeout ms. Resolves when the old socket
   * is closed; `waitForConnection()` then waits for the new one.
   */
  disconnect(reason?: 'refresh_requested' | 'warning' | 'link_disabled'): Promise<void>;
  /** Closes sockets with a close handshake, then the server. Stop the app first, or it will try to reconnect. */
  close(): Promise<void>;
};

const websocketGuid = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const maxFrameBytes = 16 * 1024 * 1024;
const closeHandshakeMs = 1000;

const Opcode = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;

type Connection = {
  socket: Duplex;
  state: 'open' | 'closing' | 'closed';
  closeFrameSent: boolean;
  /** Envelope ids sent on this connection and not acked yet. */
  pending: Set<string>;
  /** A fragmented message being reassembled. */
  fragments: Buffer[] | undefined;
  closed: Promise<void>;
};

type PendingAck = {
  resolve: (payload: SocketAck) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
};

type Waiter = { resolve: () => void; reject: (error: Error) => void; timer: NodeJS.Timeout };

export async function startFakeSlackSocket(options: FakeSlackSocketOptions = {}): Promise<FakeSlackSocket> {
  const appToken = options.appToken ?? 'xapp-test';
  const appId = options.appId ?? 'A0FACET';
  const ackTimeoutMs = options.ackTimeoutMs ?? 3000;

  const tickets = new Set<string>();
  const all = new Set<Connection>();
  const pendingAcks = new Map<string, PendingAck>();
  let waiters: Waiter[] = [];
  let current: Connection | undefined;
  let connections = 0;
  let opens = 0;
  let pings = 0;
  let closing = false;

  const server = createServer((request, response) => {
    handleApi(request, response).catch((error: unknown) => {
      sendJson(response, 500, { ok: false, error: `fake failed: ${String(error)}` });
    });
  });

  async function handleApi(request: IncomingMessage, response: ServerResponse) {
    const body = await readBody(request);
    const method = /^\/api\/([\w.]+)/.exec(request.url ?? '')?.[1];
    if (!method) return sendJson(response, 404, { ok: false, error: 'unknown_method' });
    if (method !== 'apps.connections.open') {
      if (!options.webApiUrl) return sendJson(response, 200, { ok: false, error: 'unknown_method' });
      return forward(options.webApiUrl, method, request, body, response);
    }
    const auth = request.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length) : '';
    if (!token) return sendJson(response, 200, { ok: false, error: 'not_authed' });
    if (!token.startsWith('xapp-'))
      return sendJson(response, 200, { ok: false, error: 'not_allowed_token_type' });
    if (token !== appToken) return sendJson(response, 200, { ok: false, error: 'invalid_auth' });
    const ticket = randomUUID();
    tickets.add(ticket);
    opens += 1;
    const { port } = server.address() as AddressInfo;
    return sendJson(response, 200, {
      ok: true,
      url: `ws://127.0.0.1:${port}/link/?ticket=${ticket}&app_id=${appId}`,
    });
  }

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const ticket = url.searchParams.get('ticket');
    const key = request.headers['sec-websocket-key'];
    const valid =
      !closing &&
      url.pathname === '/link/' &&
      ticket !== null &&
      tickets.delete(ticket) &&
      request.headers.upgrade?.toLowerCase() === 'websocket' &&
      request.headers['sec-websocket-version'] === '13' &&
      typeof key === 'string';
    if (!valid) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const accept = createHash('sha1').update(`${key}${websocketGuid}`).digest('base64');
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    accepted(socket, head);
  });

  function accepted(socket: Duplex, head: Buffer) {
    let markClosed = () => {};
    const connection: Connection = {
      socket,
      state: 'open',
      closeFrameSent: false,
      pending: new Set(),
      fragments: undefined,
      closed: new Promise<void>((resolve) => (markClosed = resolve)),
    };
    all.add(connection);
    socket.on('close', () => {
      connection.state = 'closed';
      all.delete(connection);
      if (current === connection) current = undefined;
      for (const id of connection.pending) {
        settle(
          id,
          undefined,
          new Error(`fake Slack socket: connection closed before envelope ${id} was acked`),
        );
      }
      markClosed();
    });
    const readFrames = frameReader((fin, opcode, payload) => onFrame(connection, fin, opcode, payload));
    socket.on('data', (chunk: Buffer) => {
      if (!readFrames(chunk)) void closeConnection(connection, 1002);
    });

    connections += 1;
    current = connection;
    writeText(connection, {
      type: 'hello',
      num_connections: all.size,
      debug_info: { host: 'fake-slack-socket', build_number: 1, approximate_connection_time: 18060 },
      connection_info: { app_id: appId },
    });
    for (const waiter of waiters) {
      clearTimeout(waiter.timer);
      waiter.resolve();
    }
    waiters = [];
    if (head.length > 0 && !readFrames(head)) void closeConnection(connection, 1002);
  }

  function onFrame(connection: Connection, fin: boolean, opcode: number, payload: Buffer) {
    switch (opcode) {
      case Opcode.ping:
        pings += 1;
        writeFrame(connection, Opcode.pong, payload);
        return;
      case Opcode.pong:
        return;
      case Opcode.close:
        if (!connection.closeFrameSent) writeFrame(connection, Opcode.close, payload.subarray(0, 2));
        connection.closeFrameSent = true;
        connection.state = 'closing';
        if (current === connection) current = undefined;
        connection.socket.end();
        return;
      case Opcode.text:
      case Opcode.binary:
        if (fin) return onMessage(opcode, payload);
        connection.fragments = [payload];
        return;
      case Opcode.continuation:
        connection.fragments?.push(payload);
        if (fin && connection.fragments) {
          const message = Buffer.concat(connection.fragments);
          connection.fragments = undefined;
          onMessage(Opcode.text, message);
        }
        return;
      default:
        void closeConnection(connection, 1002);
    }
  }

  /** Socket Mode clients only send acks: `{ envelope_id, payload? }`. Anything else is ignored, like Slack. */
  function onMessage(opcode: number, data: Buffer) {
    if (opcode !== Opcode.text) return;
    let message: unknown;
    try {
      message = JSON.parse(data.toString('utf8'));
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null || !('envelope_id' in message)) return;
    const { envelope_id: id } = message;
    if (typeof id !== 'string') return;
    const payload = 'payload' in message ? message.payload : undefined;
    settle(id, isRecord(payload) ? payload : undefined);
  }

  function settle(id: string, payload: SocketAck, error?: Error) {
    const pending = pendingAcks.get(id);
    if (!pending) return;
    pendingAcks.delete(id);
    for (const connection of all) connection.pending.delete(id);
    clearTimeout(pending.timer);
    if (error) pending.reject(error);
    else pending.resolve(payload);
  }

  function writeFrame(connection: Connection, opcode: number, payload: Buffer) {
    if (connection.state === 'closed' || connection.socket.destroyed) return;
    connection.socket.write(encodeFrame(opcode, payload));
  }

  function writeText(connection: Connection, message: unknown) {
    writeFrame(connection, Opcode.text, Buffer.from(JSON.stringify(message), 'utf8'));
  }

  /** Starts a close handshake from the server side; destroys the socket if the client doesn't finish it. */
  function closeConnection(connection: Connection, code: number): Promise<void> {
    if (connection.state === 'open') {
      connection.state = 'closing';
      if (current === connection) current = undefined;
      const body = Buffer.alloc(2);
      body.writeUInt16BE(code, 0);
      writeFrame(connection, Opcode.close, body);
      connection.closeFrameSent = true;
    }
    const timer = setTimeout(() => connection.socket.destroy(), closeHandshakeMs);
    return connection.closed.finally(() => clearTimeout(timer));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    get connections() {
      return connections;
    },
    get opens() {
      return opens;
    },
    get pings() {
      return pings;
    },
    get connected() {
      return current !== undefined;
    },

    send(type, payload, sendOptions = {}) {
      const connection = current;
      if (!connection) {
        return Promise.reject(new Error(`fake Slack socket: no connected client to send ${type} to`));
      }
      if (type === 'events_api') {
        // The client reads payload.event.type unguarded; without it, it throws inside its message handler.
        const event = payload.event;
        if (!isRecord(event) || typeof event.type !== 'string') {
          return Promise.reject(new Error('fake Slack socket: events_api payload needs event.type'));
        }
      }
      const envelopeId = randomUUID();
      const timeoutMs = sendOptions.timeoutMs ?? ackTimeoutMs;
      const acked = new Promise<SocketAck>((resolve, reject) => {
        const timer = setTimeout(() => {
          settle(
            envelopeId,
            undefined,
            new Error(`fake Slack socket: no ack for ${type} within ${timeoutMs} ms`),
          );
        }, timeoutMs);
        pendingAcks.set(envelopeId, { resolve, reject, timer });
      });
      connection.pending.add(envelopeId);
      writeText(connection, {
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: sendOptions.acceptsResponsePayload ?? type !== 'events_api',
        ...(type === 'events_api'
          ? { retry_attempt: sendOptions.retryAttempt ?? 0, retry_reason: sendOptions.retryReason ?? '' }
          : {}),
      });
      return acked;
    },

    waitForConnection(timeoutMs = 5000) {
      if (current) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const waiter: Waiter = {
          resolve,
          reject,
          timer: setTimeout(() => {
            waiters = waiters.filter((other) => other !== waiter);
            reject(new Error(`fake Slack socket: no client connected within ${timeoutMs} ms`));
          }, timeoutMs),
        };
        waiters.push(waiter);
      });
    },

    async disconnect(reason = 'refresh_requested') {
      const connection = current;
      if (!connection) throw new Error('fake Slack socket: no connected client to disconnect');
      current = undefined;
      writeText(connection, { type: 'disconnect', reason, debug_info: { host: 'fake-slack-socket' } });
      // The client answers with a close frame; give it time, then force the socket closed.
      const timer = setTimeout(() => connection.socket.destroy(), 5000);
      await connection.closed.finally(() => clearTimeout(timer));
    },

    async close() {
      closing = true;
      for (const waiter of waiters) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error('fake Slack socket closed'));
      }
      waiters = [];
      await Promise.all([...all].map((connection) => closeConnection(connection, 1001)));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Parses client frames (always masked, RFC 6455 §5.3) from a byte stream. Returns a feed function that
 * returns false on a protocol error.
 */
function frameReader(
  onFrame: (fin: boolean, opcode: number, payload: Buffer) => void,
): (chunk: Buffer) => boolean {
  let buffered: Buffer = Buffer.alloc(0);
  return (chunk) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    for (;;) {
      if (buffered.length < 2) return true;
      const first = buffered.readUInt8(0);
      const second = buffered.readUInt8(1);
      if ((second & 0x80) === 0) return false; // unmasked client frame
      if ((first & 0x70) !== 0) return false; // RSV bits: no extension was negotiated
      let length = second & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffered.length < 4) return true;
        length = buffered.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffered.length < 10) return true;
        const long = buffered.readBigUInt64BE(2);
        if (long > BigInt(maxFrameBytes)) return false;
        length = Number(long);
        offset = 10;
      }
      if (buffered.length < offset + 4 + length) return true;
      const mask = buffered.subarray(offset, offset + 4);
      const payload = Buffer.from(buffered.subarray(offset + 4, offset + 4 + length));
      for (let i = 0; i < payload.length; i += 1) {
        payload.writeUInt8(payload.readUInt8(i) ^ mask.readUInt8(i % 4), i);
      }
      buffered = buffered.subarray(offset + 4 + length);
      onFrame((first & 0x80) !== 0, first & 0x0f, payload);
    }
  };
}

/** A single unmasked (server-to-client) frame with FIN set. */
function encodeFrame(opcode: number, payload: Buffer): Buffer {
  let header: Buffer;
  if (payload.length < 126) {
    header = Buffer.alloc(2);
    header.writeUInt8(payload.length, 1);
  } else if (payload.length < 65536) {
    header = Buffer.alloc(4);
    header.writeUInt8(126, 1);
    header.writeUInt16BE(payload.length, 2);
  } else {
    header = Buffer.alloc(10);
    header.writeUInt8(127, 1);
    header.writeBigUInt64BE(BigInt(payload.length), 2);
  }
  header.writeUInt8(0x80 | opcode, 0);
  return Buffer.concat([header, payload]);
}

async function forward(
  baseUrl: string,
  method: string,
  request: IncomingMessage,
  body: string,
  response: ServerResponse,
) {
  const headers: Record<string, string> = {};
  for (const name of ['authorization', 'content-type']) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const upstream = await fetch(`${baseUrl}${method}`, {
    method: request.method ?? 'POST',
    headers,
    ...(request.method === 'GET' ? {} : { body }),
  });
  response.writeHead(upstream.status, {
    'content-type': upstream.headers.get('content-type') ?? 'application/json',
  });
  response.end(await upstream.text());
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sendJson(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
