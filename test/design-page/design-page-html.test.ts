import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { renderDesignPage } from '../../src/http/design-page/design-page-html.ts';
import { designPageModel, pageImages } from '../../src/http/design-page/design-page-model.ts';
import { escapeHtml } from '../../src/http/design-page/html.ts';
import { snapshot, t0 } from '../bots/card/snapshot-fixture.ts';

const id = '3f2a8c1e-0000-4000-8000-000000000001';
const signature = 'A'.repeat(43);
const hostile = '"><script>alert(1)</script><style>body{display:none}</style>';

const design = snapshot({
  id,
  requesterId: `U<${hostile}`,
  iterations: [
    {
      iteration: 1,
      preset: null,
      feedback: null,
      imageKey: `designs/${id}/front-1.png`,
      features: {
        colors: [{ hex: '#AbCdEf', name: hostile, usage: hostile }],
        dimensions: { width: 10, height: 20, depth: 5, unit: 'cm' },
        materials: [hostile],
        keyElements: [hostile],
        description: hostile,
      },
      requestedBy: hostile,
      createdAt: t0,
      completedAt: t0,
      candidates: [{ candidate: 1, imageKey: `designs/${id}/front-1.png` }],
      picked: 1,
    },
  ],
  // A key outside the design's folder is never linked (nor served).
  views: snapshot().views.map((view) =>
    view.view === 'front'
      ? { ...view, imageKey: `designs/${id}/front-1.png` }
      : { ...view, imageKey: 'designs/other/r1/back.png' },
  ),
});

/** The page as a pure function of the snapshot: everything from users and models is escaped. */
describe('design page HTML', () => {
  const page = renderDesignPage(designPageModel(design), signature);

  it('escapes every user and model string, leaving one style element (ours) and no script', () => {
    expect(page.body).not.toContain('<script');
    expect(page.body.match(/<style>/g)).toHaveLength(1);
    expect(page.body).toContain(escapeHtml(hostile));
    expect(escapeHtml(hostile)).not.toMatch(/[<>"]/);
  });

  it('allows exactly its own stylesheet in the CSP, swatch colours included', () => {
    const css = /<style>([^<]*)<\/style>/.exec(page.body)?.[1] ?? '';
    expect(css).toContain('.sw0{background:#abcdef}');
    const hash = createHash('sha256').update(css).digest('base64');
    expect(page.contentSecurityPolicy).toContain(`style-src 'sha256-${hash}'`);
    expect(page.contentSecurityPolicy).toContain("default-src 'none'");
  });

  it('links only images in the design folder; the rest show as not generated', () => {
    expect(pageImages(designPageModel(design)).map((image) => image.file)).toEqual([
      'front-1.png',
      'front-1.png',
    ]);
    expect(page.body).not.toContain('other');
    expect(page.body.match(/not generated/g)).toHaveLength(4);
    expect(page.body).toContain(`src="/designs/${id}/images/front-1.png?k=${signature}"`);
  });

  it('offers the spec sheet only once the design is completed', () => {
    expect(page.body).not.toContain('spec-sheet.pdf');
    const done = renderDesignPage(designPageModel({ ...design, state: 'completed' }), signature);
    expect(done.body).toContain(`href="/designs/${id}/spec-sheet.pdf?k=${signature}"`);
  });
});
