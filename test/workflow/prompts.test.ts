import { describe, expect, it } from 'vitest';
import {
  editedFrontPrompt,
  findPreset,
  frontPrompt,
  quickEditPresets,
  variationPrompt,
  viewPrompt,
} from '../../src/workflow/prompts.ts';
import type { ProductFeatures } from '../../src/workflow/product-features.ts';
import { remainingViews } from '../../src/workflow/views.ts';

const features: ProductFeatures = {
  colors: [{ hex: '#111111', name: 'matte black', usage: 'body' }],
  dimensions: { width: 18, height: 20, depth: 8, unit: 'cm' },
  materials: ['matte plastic', 'aluminium'],
  keyElements: ['padded headband', 'oval ear cups'],
  description: 'Over-ear wireless headphones with a slim headband.',
};

describe('prompts', () => {
  it('offers six quick edits with distinct, short ids and labels', () => {
    expect(quickEditPresets).toHaveLength(6);
    expect(new Set(quickEditPresets.map((p) => p.id)).size).toBe(6);
    for (const preset of quickEditPresets) {
      expect(preset.id).toMatch(/^[a-z]{1,16}$/);
      expect(preset.label.length).toBeLessThanOrEqual(30);
      expect(findPreset(preset.id)).toBe(preset);
    }
    expect(findPreset('nope')).toBeUndefined();
  });

  it('asks for the front view with the description', () => {
    const prompt = frontPrompt('wireless headphones in matte black');
    expect(prompt).toContain('wireless headphones in matte black');
    expect(prompt).toContain('Front view');
  });

  it('puts the preset instruction or the typed feedback into an edit', () => {
    expect(editedFrontPrompt('a lamp', { preset: 'premium' })).toContain(findPreset('premium')!.instruction);
    expect(editedFrontPrompt('a lamp', { feedback: 'make the shade green' })).toContain(
      'make the shade green',
    );
    expect(variationPrompt('a lamp')).toContain('variation');
  });

  it('describes each remaining view and carries the extracted features into it', () => {
    const prompts = remainingViews.map((view) => viewPrompt(view, 'headphones', features));
    expect(new Set(prompts).size).toBe(4);
    for (const [i, view] of remainingViews.entries()) {
      expect(prompts[i]!.toLowerCase()).toContain(`${view} view`);
      expect(prompts[i]).toContain('#111111');
      expect(prompts[i]).toContain('padded headband');
      expect(prompts[i]).toContain('18 x 20 x 8 cm');
    }
    expect(viewPrompt('back', 'headphones', null)).toContain('match the reference front view');
  });
});
