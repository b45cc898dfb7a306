import { describe, expect, it } from 'vitest';
import { renderSlackUnfurl, unfurlPromptLength } from '../../../src/bots/slack/slack-unfurl-blocks.ts';
import { designPageImageUrl, readDesignPageLink } from '../../../src/bots/slack/slack-unfurl-links.ts';
import { snapshot, t0 } from '../card/snapshot-fixture.ts';

const base = 'https://facet.example.com';
const id = '3f2a8c1e-0000-4000-8000-000000000001';
const k = 'A'.repeat(42) + 'b';
const page = `${base}/designs/${id}?k=${k}`;

describe('renderSlackUnfurl', () => {
  it('shows the prompt linking to the page, the requester, the state and iteration, and the front view', () => {
    const design = snapshot({
      id,
      iteration: 2,
      iterations: [
        { ...snapshot().iterations[0]!, imageKey: `designs/${id}/front-1.png` },
        {
          iteration: 2,
          preset: null,
          feedback: 'rounder ear cups',
          imageKey: `designs/${id}/front-2.png`,
          features: null,
          requestedBy: 'U2',
          createdAt: t0,
          completedAt: t0,
          candidates: [{ candidate: 1, imageKey: `designs/${id}/front-2.png` }],
          picked: 1,
        },
      ],
    });
    const image = `${base}/designs/${id}/images/front-2.png?k=${k}`;
    expect(renderSlackUnfurl(design, { page, image })).toEqual({
      blocks: [
        {
          type: 'section',
          block_id: 'facet_unfurl_prompt',
          text: {
            type: 'mrkdwn',
            text: `*<${page}|wireless headphones in matte black>*\nRequested by <@U1>`,
          },
        },
        {
          type: 'context',
          block_id: 'facet_unfurl_state',
          elements: [{ type: 'mrkdwn', text: 'Waiting for approval · Iteration 2' }],
        },
        {
          type: 'image',
          block_id: 'facet_unfurl_front',
          image_url: image,
          alt_text: 'Front view, iteration 2',
        },
      ],
    });
  });

  it('escapes the prompt, clips a long one, and shows no image before there is a front view', () => {
    const design = snapshot({
      prompt: `<!channel> a kettle & cup ${'x'.repeat(400)}`,
      state: 'generating_front',
      iterations: [{ ...snapshot().iterations[0]!, imageKey: null }],
    });
    const { blocks } = renderSlackUnfurl(design, { page, image: null });
    const text = (blocks[0]!.text as { text: string }).text;
    expect(text).toContain('&lt;!channel&gt; a kettle &amp; cup');
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('…>*');
    expect(text.length).toBeLessThan(page.length + unfurlPromptLength + 40);
    expect(blocks.map((block) => block.type)).toEqual(['section', 'context']);
    expect(JSON.stringify(blocks[1])).toContain('Generating the front view · Iteration 1');
  });
});

describe('readDesignPageLink', () => {
  it('reads the design and signature of a page link under the base URL', () => {
    expect(readDesignPageLink(base, page)).toEqual({ designId: id, signature: k });
    expect(readDesignPageLink(`${base}/facet/`, `${base}/facet/designs/${id}?k=${k}`)).toEqual({
      designId: id,
      signature: k,
    });
  });

  it('refuses other hosts, schemes, paths, and links without exactly one well-formed key', () => {
    for (const url of [
      `https://evil.example.com/designs/${id}?k=${k}`,
      `http://facet.example.com/designs/${id}?k=${k}`,
      `${base}/designs/${id}/spec-sheet.pdf?k=${k}`,
      `${base}/designs/not-a-uuid?k=${k}`,
      `${base}/designs/${id}`,
      `${base}/designs/${id}?k=short`,
      `${base}/designs/${id}?k=${k}&k=${k}`,
      'not a url',
    ])
      expect(readDesignPageLink(base, url), url).toBeUndefined();
  });

  it('makes the front view URL from the same link, for keys inside the design folder only', () => {
    const link = { designId: id, signature: k };
    expect(designPageImageUrl(base, link, `designs/${id}/front-1.png`)).toBe(
      `${base}/designs/${id}/images/front-1.png?k=${k}`,
    );
    expect(designPageImageUrl(base, link, 'designs/other/front-1.png')).toBeNull();
  });
});
