import { OfflineImageModel } from '../../src/ai/offline/offline-image-model.ts';
import type { SpecSheet } from '../../src/spec-sheet/index.ts';
import { viewNames } from '../../src/workflow/views.ts';

/** The five views the offline renderer draws for `prompt`, the other four from the front as at approval. */
export async function offlineViews(prompt: string): Promise<SpecSheet['views']> {
  const model = new OfflineImageModel();
  const request = { designId: 'd-spec', prompt, productDescription: prompt };
  const front = await model.generate({ ...request, view: 'front', references: [] });
  const views: SpecSheet['views'] = { front: front.png };
  for (const view of viewNames.slice(1))
    views[view] = (
      await model.generate({ ...request, view, references: [{ png: front.png, role: 'approved_front' }] })
    ).png;
  return views;
}

export const kettlePrompt = 'A minimalist ceramic pour-over kettle with a walnut handle and matte sage glaze';

/** A finished design as the workflow would hand it over, with every feature present. */
export function kettleSheet(views: SpecSheet['views'], overrides: Partial<SpecSheet> = {}): SpecSheet {
  return {
    designId: 'dsg_01JEXAMPLE7Q2K',
    title: 'Ceramic pour-over kettle',
    prompt: kettlePrompt,
    views,
    features: {
      colors: [
        { hex: '#9CAF88', name: 'Sage', usage: 'Body glaze' },
        { hex: '#5C4033', name: 'Walnut', usage: 'Handle' },
        { hex: '#F5F5F0', name: 'Bone white', usage: 'Lid and spout interior' },
        { hex: '#2B2B2B', name: 'Charcoal', usage: 'Base ring' },
      ],
      dimensions: { width: 210, height: 180, depth: 140, unit: 'mm' },
      materials: ['Stoneware ceramic', 'Oiled walnut', 'Silicone gasket'],
      keyElements: [
        'Gooseneck spout for a controlled pour',
        'Walnut handle with a thumb rest',
        'Flat lid with a wooden knob',
        'Wide stable base',
      ],
      description:
        'A compact stoneware kettle for pour-over coffee with a long gooseneck spout, a matte sage glaze and a warm walnut handle.',
    },
    iterations: [
      { number: 1, change: { kind: 'original' }, requestedBy: 'Ada' },
      { number: 2, change: { kind: 'preset', label: 'More minimal' }, requestedBy: 'Ada' },
      {
        number: 3,
        change: {
          kind: 'feedback',
          text: 'Make the handle walnut and a little longer, keep the glaze matte',
        },
        requestedBy: 'Grace (manager)',
      },
    ],
    approval: { approvedBy: 'Grace Hopper', approvedAt: new Date('2026-12-04T20:41:00Z') },
    costCredits: 5,
    date: new Date('2026-12-04T20:44:00Z'),
    ...overrides,
  };
}

/** Everything a user or a model could put in that is hard to draw. */
export function hostileSheet(views: SpecSheet['views']): SpecSheet {
  const hostile =
    'Lamp 💡🔥 with 漢字 and 한국어, <script>alert("x")</script> & \'quotes\' “curly” ‘single’ — é ő ﬁ';
  return kettleSheet(views, {
    title: `${hostile} ${'very long title '.repeat(20)}`,
    prompt: `${hostile} ${'lorem ipsum dolor sit amet '.repeat(160)}`.slice(0, 4000),
    designId: '<id&"x">',
    iterations: Array.from({ length: 30 }, (_, index) => ({
      number: index + 1,
      change:
        index === 0
          ? ({ kind: 'original' } as const)
          : index % 3 === 0
            ? ({ kind: 'preset', label: 'Premium materials 🎉' } as const)
            : ({ kind: 'feedback', text: `${hostile} ${'x'.repeat(300)}` } as const),
      requestedBy: '👩‍👩‍👧 <b>Eve</b>',
    })),
    features: {
      colors: Array.from({ length: 8 }, (_, index) => ({
        hex:
          index === 7 ? 'not-a-colour' : `#${(index * 0x1f2f3f).toString(16).padStart(6, '0').slice(0, 6)}`,
        name: `${hostile} colour ${index}`,
        usage: 'usage '.repeat(20),
      })),
      dimensions: { width: 1234.567, height: 0.25, depth: 99.99, unit: 'cm' },
      materials: Array.from({ length: 10 }, () => `Material ${hostile}`),
      keyElements: Array.from({ length: 12 }, (_, index) => `Element ${index} ${hostile} ${'y'.repeat(200)}`),
      description: `${hostile} ${'description '.repeat(90)}`.slice(0, 1000),
    },
    approval: { approvedBy: hostile, approvedAt: new Date('2026-12-04T20:41:00Z') },
    costCredits: 33,
  });
}
