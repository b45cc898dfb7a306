import { createHash } from 'node:crypto';
import { formatDimensions, formatMoment, safeHex } from '../../spec-sheet/spec-sheet-facts.ts';
import type { ProductFeatures } from '../../workflow/product-features.ts';
import type { DesignPageModel, PageImage, PageIteration } from './design-page-model.ts';
import { designPageStyle } from './design-page-style.ts';
import { html, SafeHtml } from './html.ts';
import { truncate } from '../../text.ts';

export type RenderedPage = { body: string; contentSecurityPolicy: string };

/**
 * The design page as one HTML document. `signature` is the page's link signature: image and spec sheet
 * URLs carry it so they are authorised by the same link. Pure: the same model gives the same page.
 */
export function renderDesignPage(model: DesignPageModel, signature: string): RenderedPage {
  const base = `/designs/${model.id}`;
  const query = `?k=${encodeURIComponent(signature)}`;
  const src = (image: PageImage) => `${base}/images/${image.file}${query}`;
  const features = model.features;
  // Swatch colours are classes in the page's own stylesheet: a strict CSP refuses inline style attributes.
  const colors = (features?.colors ?? []).flatMap((color) => {
    const hex = safeHex(color.hex);
    return hex ? [{ ...color, hex }] : [];
  });
  const style = designPageStyle + colors.map((color, i) => `.sw${i}{background:${color.hex}}`).join('\n');
  const styleHash = createHash('sha256').update(style).digest('base64');
  const title = firstLine(model.prompt);

  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <meta name="robots" content="noindex,nofollow" />
        <title>${title} · Facet design</title>
        ${styleElement(style)}
      </head>
      <body>
        <main>
          <header class="card">
            <h1>${title}</h1>
            <p><span class="${`state state-${model.state}`}">${stateLabel(model.state)}</span></p>
            <dl class="facts">
              <dt>Prompt</dt>
              <dd>${model.prompt}</dd>
              <dt>Requested by</dt>
              <dd><code>${model.requesterId}</code></dd>
              <dt>Approved by</dt>
              <dd>
                ${model.approval ? html`<code>${model.approval.by}</code>` : html`<span class="muted">not approved</span>`}
              </dd>
              <dt>Created</dt>
              <dd>${formatMoment(model.createdAt)}</dd>
              <dt>Design</dt>
              <dd><code>${model.id}</code></dd>
            </dl>
          </header>
          ${model.specSheet ? html`<p><a class="download" href="${`${base}/spec-sheet.pdf${query}`}" download>Spec sheet (PDF)</a></p>` : null}
          <section>
            <h2>Views</h2>
            <div class="views">
              ${model.views.map((view) => figure(view.image ? src(view.image) : null, `${capitalise(view.view)} view`))}
            </div>
          </section>
          <section>
            <h2>Iterations</h2>
            ${model.iterations.map((iteration) => iterationCard(iteration, src))}
          </section>
          <section>
            <h2>Features</h2>
            ${features ? featuresCard(features, colors) : html`<p class="card muted">No features were extracted.</p>`}
          </section>
          <section>
            <h2>Approval record</h2>
            <div class="card">
              <dl class="facts">
                <dt>Approved by</dt>
                <dd>${model.approval ? html`<code>${model.approval.by}</code>` : '—'}</dd>
                <dt>Approved at</dt>
                <dd>${model.approval ? formatMoment(model.approval.at) : '—'}</dd>
                <dt>Credits charged</dt>
                <dd>${String(model.charged)}</dd>
                ${
                  model.held > 0
                    ? html`<dt>Credits held</dt>
                        <dd>${String(model.held)}</dd>`
                    : null
                }
                <dt>Finished</dt>
                <dd>${model.finishedAt ? formatMoment(model.finishedAt) : '—'}</dd>
              </dl>
            </div>
          </section>
        </main>
      </body>
    </html> `;
  return {
    body: page.text,
    contentSecurityPolicy: [
      "default-src 'none'",
      "img-src 'self'",
      `style-src 'sha256-${styleHash}'`,
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
  };
}

function figure(url: string | null, caption: string): SafeHtml {
  return html`<figure>
    ${
      url
        ? html`<a href="${url}"><img src="${url}" width="1024" height="1024" alt="${caption}" /></a>`
        : html`<div class="missing">not generated</div>`
    }
    <figcaption>${caption}</figcaption>
  </figure>`;
}

function iterationCard(iteration: PageIteration, src: (image: PageImage) => string): SafeHtml {
  const change = iteration.change;
  const asked =
    change.kind === 'original'
      ? html`<p class="change"><strong>Original prompt</strong></p>`
      : change.kind === 'preset'
        ? html`<p class="change"><strong>Quick edit:</strong> ${change.label}</p>`
        : html`<p class="change"><strong>Feedback:</strong></p>
            <blockquote>${change.text}</blockquote>`;
  return html`<article class="card">
    <h3>Iteration ${String(iteration.number)}</h3>
    ${asked}
    <p class="muted">Asked by <code>${iteration.requestedBy}</code></p>
    ${
      iteration.before
        ? html`<div class="pair">
            ${figure(src(iteration.before), 'Before')}${figure(iteration.after ? src(iteration.after) : null, 'After')}
          </div>`
        : html`<div class="pair">${figure(iteration.after ? src(iteration.after) : null, 'Front view')}</div>`
    }
  </article> `;
}

function featuresCard(
  features: ProductFeatures,
  colors: readonly (ProductFeatures['colors'][number] & { hex: string })[],
): SafeHtml {
  return html`<div class="card">
    <p>${features.description}</p>
    <h3>Colours</h3>
    <ul class="swatches">
      ${colors.map(
        (color, i) =>
          html`<li>
            <span class="${`swatch sw${i}`}" role="img" aria-label="${color.hex}"></span>
            <div>
              <strong>${color.name}</strong> <code>${color.hex}</code>
              <div class="muted">${color.usage}</div>
            </div>
          </li>`,
      )}
    </ul>
    <h3>Materials</h3>
    ${list(features.materials)}
    <h3>Dimensions</h3>
    <p>${formatDimensions(features.dimensions) ?? 'not estimated'}</p>
    <h3>Key elements</h3>
    ${list(features.keyElements)}
  </div>`;
}

function list(items: readonly string[]): SafeHtml {
  return items.length === 0
    ? html`<p class="muted">none</p>`
    : html`<ul>
        ${items.map((item) => html`<li>${item}</li>`)}
      </ul>`;
}

function firstLine(prompt: string): string {
  return truncate(prompt.split('\n')[0]?.trim() ?? '', 80) || 'Untitled design';
}

/**
 * Our own stylesheet (colours are validated hex) as one element: not escaped and nothing around it,
 * since any change to its text would no longer match the hash the CSP allows.
 */
function styleElement(css: string): SafeHtml {
  if (css.includes('<')) throw new Error('the design page stylesheet may not contain "<"');
  return new SafeHtml(`<style>${css}</style>`);
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

const stateLabels: Record<DesignPageModel['state'], string> = {
  queued: 'Waiting in line',
  generating_front: 'Drawing the front view',
  awaiting_approval: 'Awaiting approval',
  generating_views: 'Drawing the other views',
  finalizing: 'Finishing',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
  expired: 'Expired',
  declined: 'Declined',
};

function stateLabel(state: DesignPageModel['state']): string {
  return stateLabels[state];
}
