import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * The server side of RFC 6455 on a node:http upgrade, for the fake Discord gateway (the `ws` package is only a
 * transitive dependency here, without types). Same approach as fake-slack-socket.ts: no extensions are
 * negotiated (so `ws` clients never compress), client frames must be masked, server frames are not,
 * fragmented messages are reassembled, pings are answered, and close handshakes are completed.
 */

export type WebSocketPeer = {
  /** Sends one text message (no-op once the connection is closing or closed). */
  sendText(text: string): void;
  /**
   * Starts a close handshake with `code`; resolves when the TCP socket is closed (destroyed after 1 s if the
   * client does not answer).
   */
  close(code: number, reason?: string): Promise<void>;
  /** Drops the TCP connection without a close frame (the client sees 1006 and usually resumes). */
  destroy(): void;
  readonly state: 'open' | 'closing' | 'closed';
  /** Resolves once the socket is closed, with the code of the client's close frame if it sent one. */
  readonly closed: Promise<number | undefined>;
};

export type WebSocketHandlers = {
  onText(text: string): void;
  /** Called once when the TCP socket closes; `code` is the client's close code, undefined without a close frame. */
  onClose(code: number | undefined): void;
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

/** Whether an upgrade request is a well-formed RFC 6455 handshake. */
export function isWebSocketUpgrade(request: IncomingMessage): boolean {
  return (
    request.headers.upgrade?.toLowerCase() === 'websocket' &&
    request.headers['sec-websocket-version'] === '13' &&
    typeof request.headers['sec-websocket-key'] === 'string'
  );
}

export function rejectUpgrade(socket: Duplex, status = '400 Bad Request'): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Completes the handshake (call isWebSocketUpgrade first) and returns the connection. */
export function acceptWebSocket(
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  handlers: WebSocketHandlers,
): WebSocketPeer {
  const key = String(request.headers['sec-websocket-key']);
  const accept = createHash('sha1').update(`${key}${websocketGuid}`).digest('base64');
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );

  let state: WebSocketPeer['state'] = 'open';
  let closeFrameSent = false;
  let clientCloseCode: number | undefined;
  let fragments: Buffer[] | undefined;
  let markClosed: (code: number | undefined) => void = () => {};
  const closed = new Promise<number | undefined>((resolve) => (markClosed = resolve));

  socket.on('error', () => socket.destroy());
  socket.on('close', () => {
    state = 'closed';
    handlers.onClose(clientCloseCode);
    markClosed(clientCloseCode);
  });

  function writeFrame(opcode: number, payload: Buffer) {
    if (state === 'closed' || socket.destroyed) return;
    socket.write(encodeFrame(opcode, payload));
  }

  function sendClose(code: number, reason = '') {
    if (closeFrameSent) return;
    const reasonBytes = Buffer.from(reason, 'utf8').subarray(0, 120);
    const body = Buffer.alloc(2 + reasonBytes.length);
    body.writeUInt16BE(code, 0);
    reasonBytes.copy(body, 2);
    writeFrame(Opcode.close, body);
    closeFrameSent = true;
  }

  function closeWith(code: number, reason?: string): Promise<void> {
    if (state === 'open') {
      state = 'closing';
      sendClose(code, reason);
    }
    if (state === 'closed') return Promise.resolve();
    const timer = setTimeout(() => socket.destroy(), closeHandshakeMs);
    return closed.then(() => clearTimeout(timer));
  }

  function onFrame(fin: boolean, opcode: number, payload: Buffer) {
    switch (opcode) {
      case Opcode.ping:
        writeFrame(Opcode.pong, payload);
        return;
      case Opcode.pong:
        return;
      case Opcode.close:
        clientCloseCode = payload.length >= 2 ? payload.readUInt16BE(0) : undefined;
        // Echo the code (RFC 6455 §5.5.1), then end: the client waits for the server to close TCP.
        if (!closeFrameSent) {
          writeFrame(Opcode.close, payload.subarray(0, 2));
          closeFrameSent = true;
        }
        state = 'closing';
        socket.end();
        return;
      case Opcode.text:
      case Opcode.binary:
        if (fin) {
          if (opcode === Opcode.text) handlers.onText(payload.toString('utf8'));
          return;
        }
        fragments = [payload];
        return;
      case Opcode.continuation:
        fragments?.push(payload);
        if (fin && fragments) {
          const message = Buffer.concat(fragments);
          fragments = undefined;
          handlers.onText(message.toString('utf8'));
        }
        return;
      default:
        void closeWith(1002);
    }
  }

  const readFrames = frameReader(onFrame);
  socket.on('data', (chunk: Buffer) => {
    if (!readFrames(chunk)) void closeWith(1002);
  });
  // Bytes that arrived with the upgrade request are fed after the caller has the returned peer.
  if (head.length > 0)
    queueMicrotask(() => {
      if (!readFrames(head)) void closeWith(1002);
    });

  return {
    sendText(text) {
      if (state !== 'open') return;
      writeFrame(Opcode.text, Buffer.from(text, 'utf8'));
    },
    close: closeWith,
    destroy() {
      socket.destroy();
    },
    get state() {
      return state;
    },
    closed,
  };
}

/** Parses masked client frames (RFC 6455 §5.3) from a byte stream; the feed function returns false on a protocol error. */
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
