import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { HttpRoute } from '../../http/health-server.ts';
import {
  actionRequestSchema,
  commandRequestSchema,
  feedbackRequestSchema,
  replyRequestSchema,
  homeRequestSchema,
  type PlaygroundAnswer,
  type PlaygroundApi,
} from './playground-api.ts';
import type { PlaygroundHub } from './playground-hub.ts';
import { streamedImageSource } from '../chat/streamed-image-source.ts';

const maxBodyBytes = 32 * 1024;

const pageFiles: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/playground': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/playground/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/playground/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
  '/favicon.svg': { file: 'favicon.svg', type: 'image/svg+xml' },
  // Browsers ask for it when a page names no icon (an image opened on its own, say).
  '/favicon.ico': { file: 'favicon.svg', type: 'image/svg+xml' },
};

class BadRequest extends Error {}

/**
 * The playground page, its JSON API and its event stream on Facet's own HTTP server. The playground has
 * no login, so it answers only requests addressed to this machine by name (see `addressedToUs`).
 */
export function playgroundRoute(deps: {
  api: PlaygroundApi;
  hub: PlaygroundHub;
  logger: Logger;
  /** PUBLIC_URL: its host is accepted besides the loopback names. */
  publicUrl?: string | undefined;
}): HttpRoute {
  const pageDir = new URL('./page/', import.meta.url);
  const publicHost = deps.publicUrl === undefined ? undefined : new URL(deps.publicUrl).host.toLowerCase();

  const send = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    response.end(JSON.stringify(body));
  };

  const post = async <T extends z.ZodType>(
    request: IncomingMessage,
    response: ServerResponse,
    schema: T,
    handle: (body: z.infer<T>) => Promise<PlaygroundAnswer>,
  ) => {
    // Another website's form or fetch cannot send JSON here without a preflight we never answer, and a
    // page of another origin (or a DNS-rebound name) is refused outright.
    if (!(request.headers['content-type'] ?? '').startsWith('application/json') || !sameOrigin(request))
      return send(response, 403, { reply: 'The playground only takes requests from its own page.' });
    const parsed = schema.safeParse(await readJson(request));
    if (!parsed.success)
      return send(response, 400, { reply: 'That request was not understood; nothing was changed.' });
    send(response, 200, await handle(parsed.data));
  };

  /**
   * A design with an uploaded image: the body is the image itself (application/octet-stream, which no
   * other site's form can send without a preflight), the command in the query. The body is read only up
   * to the image limit; a larger one is answered and its connection closed.
   */
  const postImage = async (request: IncomingMessage, response: ServerResponse) => {
    if (
      !(request.headers['content-type'] ?? '').startsWith('application/octet-stream') ||
      !sameOrigin(request)
    )
      return send(response, 403, { reply: 'The playground only takes requests from its own page.' });
    const query = new URLSearchParams((request.url ?? '').split('?')[1] ?? '');
    const parsed = commandRequestSchema.safeParse({
      userId: query.get('userId'),
      text: query.get('text'),
      requestId: query.get('requestId'),
    });
    if (!parsed.success)
      return send(response, 400, { reply: 'That request was not understood; nothing was changed.' });
    const length = Number(request.headers['content-length'] ?? Number.NaN);
    const answer = await deps.api.commandWithImage(
      parsed.data,
      streamedImageSource(request, Number.isFinite(length) ? length : undefined),
    );
    // What was not read (an image over the limit, or one never needed) is not waited for.
    if (!request.complete) {
      response.setHeader('connection', 'close');
      response.once('finish', () => request.destroy());
    }
    send(response, 200, answer);
  };

  return async (request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const page = pageFiles[path];
    if (!page && !path.startsWith('/playground/api/')) return false;
    if (!addressedToUs(request, publicHost)) {
      response.writeHead(421, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      response.end(
        'The playground answers only at http://127.0.0.1, http://localhost or http://[::1] (with the port), or at PUBLIC_URL.\n',
      );
      return true;
    }
    if (request.method === 'GET' && page) {
      const body = await readFile(new URL(page.file, pageDir));
      response.writeHead(200, { 'content-type': page.type, 'cache-control': 'no-store' });
      response.end(body);
      return true;
    }
    try {
      switch (`${request.method ?? ''} ${path}`) {
        case 'GET /playground/api/events':
          deps.hub.subscribe(response);
          return true;
        case 'GET /playground/api/users':
          send(response, 200, await deps.api.users());
          return true;
        case 'GET /playground/api/designs':
          send(response, 200, await deps.api.designs());
          return true;
        case 'GET /playground/api/home': {
          const query = new URLSearchParams((request.url ?? '').split('?')[1] ?? '');
          const parsed = homeRequestSchema.safeParse({ user: query.get('user') });
          if (!parsed.success) throw new BadRequest('That request was not understood; nothing was changed.');
          send(response, 200, await deps.api.home(parsed.data.user));
          return true;
        }
        case 'POST /playground/api/command':
          await post(request, response, commandRequestSchema, (body) => deps.api.command(body));
          return true;
        case 'POST /playground/api/command-with-image':
          await postImage(request, response);
          return true;
        case 'POST /playground/api/action':
          await post(request, response, actionRequestSchema, (body) => deps.api.action(body));
          return true;
        case 'POST /playground/api/feedback':
          await post(request, response, feedbackRequestSchema, (body) => deps.api.feedback(body));
          return true;
        case 'POST /playground/api/reply':
          await post(request, response, replyRequestSchema, (body) => deps.api.reply(body));
          return true;
        default:
          send(response, 404, { reply: 'No such playground endpoint.' });
          return true;
      }
    } catch (error) {
      if (error instanceof BadRequest) {
        send(response, 400, { reply: error.message });
        return true;
      }
      const reference = randomUUID().slice(0, 8);
      deps.logger.error({ err: error, reference, path }, 'a playground request failed');
      send(response, 500, {
        reply: `Something went wrong on our side (reference ${reference}); nothing was charged.`,
      });
      return true;
    }
  };
}

/**
 * DNS rebinding: a web page at evil.example can make its name resolve to 127.0.0.1 and then call this
 * server as same-origin, with Host and Origin both evil.example. Its Host still names evil.example, so
 * only the loopback names on this server's own port, and PUBLIC_URL's host, are accepted.
 */
function addressedToUs(request: IncomingMessage, publicHost: string | undefined): boolean {
  const host = (request.headers.host ?? '').toLowerCase();
  if (publicHost !== undefined && host === publicHost) return true;
  const match = /^(127\.0\.0\.1|localhost|\[::1\]):(\d+)$/.exec(host);
  return match !== null && Number(match[2]) === request.socket.localPort;
}

function sameOrigin(request: IncomingMessage): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) throw new BadRequest('That request is too large; nothing was changed.');
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new BadRequest('That request was not JSON; nothing was changed.');
  }
}
