import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { DesignLinks } from '../../workflow/design-links.ts';
import type { DesignSnapshot } from '../../workflow/design-snapshot.ts';
import { ImageNotFoundError, type ImageStore } from '../../workflow/ports/image-store.ts';
import type { HttpRoute } from '../health-server.ts';
import { renderDesignPage } from './design-page-html.ts';
import { designPageModel, pageImages } from './design-page-model.ts';
import { designSpecSheetPdf } from './design-spec-sheet.ts';

export type DesignPageDeps = {
  links: DesignLinks;
  images: ImageStore;
  loadDesign: (designId: string) => Promise<DesignSnapshot | undefined>;
  logger?: Logger;
};

const prefix = '/designs/';
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const pathPattern = /^\/designs\/([^/]+)(?:\/(spec-sheet\.pdf|images\/(.+)))?$/;
const querySchema = z.object({ k: z.string().regex(/^[A-Za-z0-9_-]{43}$/) });

/**
 * GET /designs/<id>?k=<signature>: the design page; /designs/<id>/images/<file>?k=… its images, read
 * from the image store (so they outlive presigned URLs); /designs/<id>/spec-sheet.pdf?k=… its spec sheet.
 * Anything not authorised by the design's current link is the same plain 404, whatever the reason.
 */
export function designPageRoute(deps: DesignPageDeps): HttpRoute {
  return async (request, response) => {
    const url = parseUrl(request.url);
    if (!url?.pathname.startsWith(prefix)) return false;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendNotFound(response, 405, { allow: 'GET, HEAD' });
      return true;
    }
    const match = pathPattern.exec(url.pathname);
    const designId = match?.[1];
    const query = querySchema.safeParse({ k: url.searchParams.getAll('k').at(0) });
    const oneKey = url.searchParams.getAll('k').length === 1;
    if (!match || designId === undefined || !uuid.test(designId) || !query.success || !oneKey) {
      sendNotFound(response);
      return true;
    }
    const signature = query.data.k;
    // Signature first: an unsigned request learns nothing about which designs exist.
    if (!(await deps.links.verify(designId, signature))) {
      sendNotFound(response);
      return true;
    }
    const design = await deps.loadDesign(designId);
    if (!design) {
      sendNotFound(response);
      return true;
    }
    const head = request.method === 'HEAD';
    if (match[2] === undefined) sendPage(response, design, signature, head);
    else if (match[2] === 'spec-sheet.pdf') await sendSpecSheet(deps, response, design, head);
    else await sendImage(deps, response, design, match[3] ?? '', head);
    return true;
  };
}

function sendPage(response: ServerResponse, design: DesignSnapshot, signature: string, head: boolean): void {
  const page = renderDesignPage(designPageModel(design), signature);
  const body = Buffer.from(page.body, 'utf8');
  response.writeHead(200, {
    ...commonHeaders,
    'content-type': 'text/html; charset=utf-8',
    'content-length': body.length,
    'content-security-policy': page.contentSecurityPolicy,
    // The state changes while a design is in progress; the link itself may be revoked at any time.
    'cache-control': 'private, no-cache',
  });
  response.end(head ? undefined : body);
}

async function sendImage(
  deps: DesignPageDeps,
  response: ServerResponse,
  design: DesignSnapshot,
  file: string,
  head: boolean,
): Promise<void> {
  // Only images the page shows: the signature authorises this design's page, not its whole folder.
  const image = pageImages(designPageModel(design)).find((candidate) => candidate.file === file);
  const png = image ? await readOrUndefined(deps.images, image.key) : undefined;
  if (!png) return sendNotFound(response);
  response.writeHead(200, {
    ...commonHeaders,
    'content-type': 'image/png',
    'content-length': png.length,
    'content-security-policy': "default-src 'none'",
    // A key's bytes never change (a redraw gets a new key); an hour bounds how long a revoked link's
    // images stay in the viewer's own cache.
    'cache-control': 'private, max-age=3600',
  });
  response.end(head ? undefined : png);
}

async function sendSpecSheet(
  deps: DesignPageDeps,
  response: ServerResponse,
  design: DesignSnapshot,
  head: boolean,
): Promise<void> {
  if (design.state !== 'completed') return sendNotFound(response);
  let pdf: Buffer;
  try {
    pdf = await designSpecSheetPdf(deps.images, design);
  } catch (error) {
    deps.logger?.error(
      { err: error, designId: design.id },
      'rendering the spec sheet for the design page failed',
    );
    return sendPlain(response, 500, 'The spec sheet could not be made. Try again later.');
  }
  response.writeHead(200, {
    ...commonHeaders,
    'content-type': 'application/pdf',
    'content-length': pdf.length,
    'content-disposition': `attachment; filename="facet-design-${design.id.slice(0, 8)}.pdf"`,
    'content-security-policy': "default-src 'none'",
    'cache-control': 'private, max-age=3600',
  });
  response.end(head ? undefined : pdf);
}

async function readOrUndefined(images: ImageStore, key: string): Promise<Buffer | undefined> {
  try {
    return await images.get(key);
  } catch (error) {
    if (error instanceof ImageNotFoundError) return undefined;
    throw error;
  }
}

/** The link carries its secret in the query: never leak it to other sites, never let others frame it. */
const commonHeaders = {
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'x-robots-tag': 'noindex, nofollow',
} as const;

const notFoundPage =
  '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
  '<meta name="viewport" content="width=device-width,initial-scale=1"><title>Not found</title></head>' +
  '<body><h1>Not found</h1><p>This page does not exist.</p></body></html>';

function sendNotFound(response: ServerResponse, status = 404, headers: Record<string, string> = {}): void {
  const body = status === 404 ? notFoundPage : 'method not allowed';
  response.writeHead(status, {
    ...commonHeaders,
    'content-type': status === 404 ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'content-security-policy': "default-src 'none'",
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(body);
}

function sendPlain(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, {
    ...commonHeaders,
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  response.end(body);
}

function parseUrl(target: string | undefined): URL | undefined {
  const text = target ?? '/';
  return URL.canParse(text, 'http://localhost') ? new URL(text, 'http://localhost') : undefined;
}
