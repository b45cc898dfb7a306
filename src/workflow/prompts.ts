import type { ProductFeatures } from './product-features.ts';
import type { RemainingView, ViewName } from './views.ts';

/** The one-click edits offered under every front view. Ids are stable: they travel in button ids. */
export const quickEditPresets = [
  {
    id: 'minimal',
    label: 'More minimal',
    instruction: 'Make the design more minimal: fewer parts, cleaner lines, no ornament.',
  },
  {
    id: 'color',
    label: 'Change the color',
    instruction: 'Change the main colour to a different, harmonious colour scheme; keep the shape.',
  },
  {
    id: 'premium',
    label: 'Premium materials',
    instruction: 'Use premium materials (brushed metal, fine leather, glass) with refined finishes.',
  },
  {
    id: 'playful',
    label: 'More playful',
    instruction: 'Make it more playful: friendlier rounded forms and a bolder accent colour.',
  },
  {
    id: 'rugged',
    label: 'More rugged',
    instruction: 'Make it rugged and durable: reinforced edges, grippy textures, protective details.',
  },
  {
    id: 'compact',
    label: 'More compact',
    instruction: 'Make it more compact and lighter-looking while keeping every function.',
  },
] as const;

export type QuickEditPreset = (typeof quickEditPresets)[number];
export type PresetId = QuickEditPreset['id'];

export function findPreset(id: string): QuickEditPreset | undefined {
  return quickEditPresets.find((preset) => preset.id === id);
}

/** A change request: a preset or the feedback typed into the modal. */
export type EditRequest = { preset: PresetId } | { feedback: string };

export const maxFeedbackLength = 1000;
export const maxPromptLength = 2000;

const studio =
  'Professional product design render, studio lighting, plain light-grey background, product centred and ' +
  'fully visible, no text, no logos, no people, photorealistic.';

const viewInstructions: Record<ViewName, string> = {
  front: 'Front view, straight on, at eye level.',
  back: 'Back view: the exact same product seen from directly behind.',
  side: 'Side view: the exact same product seen in profile from its right side.',
  top: 'Top view: the exact same product seen from directly above (plan view).',
  bottom: 'Bottom view: the exact same product seen from directly below.',
};

/** The first front view of a design. */
export function frontPrompt(description: string): string {
  return [`Design this product: ${description}.`, viewInstructions.front, studio].join('\n');
}

/** A new front view from the previous one (sent as the reference image) and the requested change. */
export function editedFrontPrompt(description: string, edit: EditRequest): string {
  const change = 'preset' in edit ? (findPreset(edit.preset)?.instruction ?? edit.preset) : edit.feedback;
  return [
    `Revise the product in the reference image (${description}).`,
    `Requested change: ${change}`,
    'Keep everything the change does not mention.',
    viewInstructions.front,
    studio,
  ].join('\n');
}

/** A variation: a new take on an earlier design's front view (sent as the reference image). */
export function variationPrompt(description: string): string {
  return [
    `Create a distinct variation of the product in the reference image (${description}).`,
    'Same product category and purpose; explore a different form and detailing.',
    viewInstructions.front,
    studio,
  ].join('\n');
}

/** One of the remaining views, consistent with the approved front view (the reference) and its features. */
export function viewPrompt(
  view: RemainingView,
  description: string,
  features: ProductFeatures | null,
): string {
  const lines = [`Product: ${description}.`, viewInstructions[view]];
  if (features) {
    const colours = features.colors.map((c) => `${c.name} ${c.hex} (${c.usage})`).join(', ');
    const { width, height, depth, unit } = features.dimensions;
    lines.push(
      `It must match the reference front view exactly: ${features.description}`,
      `Colours: ${colours}.`,
      `Materials: ${features.materials.join(', ') || 'as in the reference'}.`,
      `Key elements: ${features.keyElements.join(', ') || 'as in the reference'}.`,
      `Proportions: about ${width} x ${height} x ${depth} ${unit} (width x height x depth).`,
    );
  } else {
    lines.push('It must match the reference front view exactly: same shape, colours, materials and details.');
  }
  lines.push(studio);
  return lines.join('\n');
}
