import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDesignCard } from '../../src/bots/card/design-card.ts';
import { runCli } from '../../src/cli/facet.ts';
import { imageKeys } from '../../src/workflow/design-jobs/image-keys.ts';
import { ImageNotFoundError } from '../../src/workflow/ports/image-store.ts';
import { designPageLinker, designPageUrl } from '../../src/workflow/design-links.ts';
import { designPageFixture, type DesignPageFixture } from './design-page-fixture.ts';

const imageSources = (page: string) =>
  Array.from(page.matchAll(/<img src="([^"]+)"/g), (match) => (match[1] ?? '').replaceAll('&amp;', '&'));

/** The design page over HTTP, against a workflow that ran whole designs on the model fakes. */
describe('design page', () => {
  let f: DesignPageFixture;
  let completedUrl: string;
  let page: string;
  let notFoundBody: string;
  /** The page with its markup's layout whitespace collapsed, so assertions read like the HTML. */
  let flat: string;

  beforeAll(async () => {
    f = await designPageFixture('design_page');
    completedUrl = await f.pageUrl(f.completed.id);
    const response = await fetch(completedUrl);
    expect(response.status).toBe(200);
    page = await response.text();
    flat = page.replace(/\s+/g, ' ').replace(/> </g, '><');
    notFoundBody = await (await fetch(`${f.server.url}/designs/nothing`)).text();
  }, 90_000);
  afterAll(async () => {
    await f.close();
  });

  it('answers with strict headers: CSP without scripts, no referrer (the link holds its secret)', async () => {
    const response = await fetch(completedUrl, { method: 'HEAD' });
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('script-src');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
  });

  it('shows the five views, the iterations before and after, the features and the approval record', () => {
    for (const view of ['Front', 'Back', 'Side', 'Top', 'Bottom'])
      expect(flat).toContain(`alt="${view} view" /></a><figcaption>${view} view</figcaption>`);
    expect(flat).not.toContain('not generated');
    for (const n of [1, 2, 3]) expect(flat).toContain(`<h3>Iteration ${n}</h3>`);
    expect(flat).toContain('<strong>Original prompt</strong>');
    expect(flat).toContain('<strong>Quick edit:</strong> More minimal');
    expect(flat.match(/figcaption>Before</g)).toHaveLength(2);
    expect(flat.match(/figcaption>After</g)).toHaveLength(2);
    expect(flat).toContain('<strong>matte black</strong><code>#1a1a1a</code>');
    expect(flat).toContain('.sw0{background:#1a1a1a}');
    expect(flat).toContain('<li>aluminium</li>');
    expect(flat).toContain('<li>padded headband</li>');
    expect(flat).toMatch(/<h3>Dimensions<\/h3><p>W \d/);
    expect(flat).toContain('<code>U-requester</code>');
    expect(flat).toContain('<dt>Approved by</dt><dd><code>U-approver</code></dd>');
    expect(flat).toContain(`<dt>Credits charged</dt><dd>${f.completed.charged}</dd>`);
    expect(f.completed.charged).toBeGreaterThan(0);
    expect(flat).toContain('>Spec sheet (PDF)</a>');
  });

  it('escapes the hostile prompt and feedback: the page has no script and no injected element', () => {
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toContain('<img src=x');
    expect(page).not.toContain('<b>bold</b>');
    expect(page).toContain(
      '&lt;script&gt;alert(&quot;prompt&quot;)&lt;/script&gt; a kettle &amp; &lt;img src=x',
    );
    expect(page).toContain('&#39;single&#39; &#96;tick&#96;');
    expect(page).toContain('&lt;/blockquote&gt;&lt;script&gt;alert(&quot;feedback&quot;)');
  });

  it('serves every image of the page through Facet, as PNG, with the page signature', async () => {
    const sources = imageSources(page);
    // Five views and the fronts of iterations 1 and 2: the approved third front is the front view.
    expect(new Set(sources).size).toBe(7);
    for (const source of new Set(sources)) {
      expect(source).toMatch(new RegExp(`^/designs/${f.completed.id}/images/[^?]+\\.png\\?k=`));
      const response = await fetch(new URL(source, f.server.url));
      expect(response.status, source).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/png');
      const bytes = Buffer.from(await response.arrayBuffer());
      expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    }
  });

  it('serves only the images the page shows, not the rest of the design folder', async () => {
    const signature = new URL(completedUrl).searchParams.get('k')!;
    const base = `${f.server.url}/designs/${f.completed.id}/images`;
    for (const file of [
      'r1/contact-sheet.png',
      '..%2F..%2Fx.png',
      'r1%2F..%2Ffront-1.png',
      'spec-sheet.pdf',
      'front-9.png',
    ]) {
      const response = await fetch(`${base}/${file}?k=${signature}`);
      expect(response.status, file).toBe(404);
    }
  });

  it('downloads the spec sheet as a one-page PDF, drawn on the first download and kept', async () => {
    const key = imageKeys.specSheetPdf(f.completed.id, f.completed.round);
    // The sheet job made only the PNG: most designs' PDFs are never asked for.
    await expect(f.h.images.get(key)).rejects.toBeInstanceOf(ImageNotFoundError);
    const href = /href="([^"]+)" download>Spec sheet \(PDF\)/.exec(page)?.[1]?.replaceAll('&amp;', '&');
    expect(href).toBeDefined();
    const response = await fetch(new URL(href!, f.server.url));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="facet-design-/);
    const pdf = Buffer.from(await response.arrayBuffer());
    const document = await PDFDocument.load(pdf);
    expect(document.getPageCount()).toBe(1);
    expect(document.getTitle()).toMatch(/ - spec sheet$/);
    const stored = await f.h.images.get(key);
    expect(stored.equals(pdf)).toBe(true);
    // Served from the store from then on: marked there, the next download is the marked one (drawn
    // again, it would be the same bytes as the first: its dates are the design's).
    const marked = Buffer.concat([pdf, Buffer.from('%kept\n')]);
    await f.h.images.put(key, marked);
    const again = Buffer.from(await (await fetch(new URL(href!, f.server.url))).arrayBuffer());
    expect(again.equals(marked)).toBe(true);
  });

  it('offers no spec sheet for a design that is not completed', async () => {
    const url = await f.pageUrl(f.awaiting.id);
    const awaitingPage = await (await fetch(url)).text();
    expect(awaitingPage).toContain('Awaiting approval');
    expect(awaitingPage).not.toContain('Spec sheet (PDF)');
    const pdf = await fetch(url.replace('?k=', '/spec-sheet.pdf?k='));
    expect(pdf.status).toBe(404);
  });

  it('answers a forged signature, another design’s signature or an unknown design with the same bare 404', async () => {
    const signature = new URL(completedUrl).searchParams.get('k')!;
    const otherSignature = new URL(await f.pageUrl(f.awaiting.id)).searchParams.get('k')!;
    const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
    const id = f.completed.id;
    const refused = [
      designPageUrl(f.server.url, id, flipped),
      designPageUrl(f.server.url, id, otherSignature),
      designPageUrl(f.server.url, id, 'short'),
      `${f.server.url}/designs/${id}`,
      `${completedUrl}&k=${signature}`,
      designPageUrl(f.server.url, '00000000-0000-4000-8000-000000000000', signature),
      `${f.server.url}/designs/${id}/spec-sheet.pdf?k=${otherSignature}`,
      `${f.server.url}/designs/${id}/images/front-1.png?k=${flipped}`,
    ];
    for (const url of refused) {
      const response = await fetch(url);
      expect(response.status, url).toBe(404);
      const body = await response.text();
      expect(body).toBe(notFoundBody);
      expect(body).not.toContain(id);
      expect(body).not.toContain('kettle');
    }
  });

  it('links cards to the page without a database read: the linker gives the page URL a design starts with', async () => {
    const linker = designPageLinker(f.server.url, f.links);
    expect(linker(f.awaiting.id)).toBe(await f.pageUrl(f.awaiting.id));
    expect((await fetch(linker(f.awaiting.id))).status).toBe(200);
  });

  it('revokes every link of a design with `facet links revoke`: page, images and spec sheet answer 404', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'facet-links-'));
    const out: string[] = [];
    const env = { DATABASE_URL: f.h.test.url, FACET_DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
    try {
      const io = { out: (line: string) => out.push(line), err: (line: string) => out.push(line) };
      expect(await runCli(['links', 'revoke', f.completed.id], io, env)).toBe(0);
      expect(out.join('\n')).toContain('Revoked');
      expect(await runCli(['links', 'revoke', '00000000-0000-4000-8000-000000000000'], io, env)).toBe(1);
      expect(await runCli(['links', 'revoke', 'not-a-uuid'], io, env)).toBe(2);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
    const image = imageSources(page)[0]!;
    for (const url of [
      completedUrl,
      new URL(image, f.server.url).href,
      completedUrl.replace('?k=', '/spec-sheet.pdf?k='),
    ]) {
      const response = await fetch(url);
      expect(response.status, url).toBe(404);
      expect(await response.text()).toBe(notFoundBody);
    }
    expect(await f.links.signatureFor(f.completed.id)).toBeUndefined();
    // Its card stops offering the dead link; the other design's card keeps its own.
    const linker = designPageLinker(f.server.url, f.links);
    const revoked = await f.h.workflow.service.snapshot(f.completed.id);
    expect(revoked?.pageLinksRevoked).toBe(true);
    // Its version moved on, so the reconciler shows the card again (without the link).
    expect(revoked!.version).toBe(f.completed.version + 1);
    expect(buildDesignCard(revoked!, linker).link).toBeNull();
    const kept = await f.h.workflow.service.snapshot(f.awaiting.id);
    expect(buildDesignCard(kept!, linker).link?.url).toBe(await f.pageUrl(f.awaiting.id));
    // The other design's link is untouched.
    expect((await fetch(await f.pageUrl(f.awaiting.id))).status).toBe(200);
  });
});
