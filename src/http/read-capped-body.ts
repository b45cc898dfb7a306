import type { IncomingMessage } from 'node:http';

/**
 * A request's body, read up to `limitBytes`: past it, reading stops (the rest is drained, not kept), so a
 * huge or endless body costs no memory before the caller refuses it.
 */
export function readCappedBody(request: IncomingMessage, limitBytes: number): Promise<Buffer | 'too_large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        request.removeAllListeners('data');
        request.resume();
        resolve('too_large');
        return;
      }
      chunks.push(chunk);
    });
    request.once('end', () => resolve(Buffer.concat(chunks)));
    request.once('error', reject);
  });
}
