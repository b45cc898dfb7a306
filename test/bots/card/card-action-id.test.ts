import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeCardAction,
  maxActionIdLength,
  parseCardAction,
  type CardAction,
} from '../../../src/bots/card/card-action-id.ts';
import { quickEditPresets } from '../../../src/workflow/prompts.ts';
import { remainingViews } from '../../../src/workflow/views.ts';

const designId = fc.uuid({ version: 4 });
const iteration = fc.integer({ min: 1, max: 10_000 });
const action: fc.Arbitrary<CardAction> = fc.oneof(
  fc.record({ kind: fc.constant('approve' as const), designId, iteration }),
  fc.record({
    kind: fc.constant('edit' as const),
    designId,
    iteration,
    preset: fc.constantFrom(...quickEditPresets.map((p) => p.id)),
  }),
  fc.record({ kind: fc.constant('request_changes' as const), designId, iteration }),
  fc.record({
    kind: fc.constant('pick' as const),
    designId,
    iteration,
    candidate: fc.integer({ min: 1, max: 4 }),
  }),
  fc.record({ kind: fc.constantFrom('cancel' as const, 'retry' as const, 'variation' as const), designId }),
  fc.record({ kind: fc.constant('edit_view' as const), designId, view: fc.constantFrom(...remainingViews) }),
);

describe('card action ids', () => {
  it('round-trips every action within Discord and Slack id limits', () => {
    fc.assert(
      fc.property(action, (a) => {
        const id = encodeCardAction(a);
        expect(id.length).toBeLessThanOrEqual(maxActionIdLength);
        expect(parseCardAction(id)).toEqual(a);
      }),
    );
  });

  it('refuses anything that is not exactly one of ours', () => {
    const id = encodeCardAction({
      kind: 'approve',
      designId: '6f1c2a8e-0d5b-4c1e-9a3f-1b2c3d4e5f60',
      iteration: 2,
    });
    for (const bad of [
      '',
      'approve',
      id.replace('facet1', 'facet0'),
      `${id}:extra`,
      id.replace(':2', ':0'),
      id.replace(':2', ':-1'),
      id.replace(':2', ':two'),
      id.replace(':2', ':02'),
      'facet1:approve:not-a-uuid:1',
      'facet1:edit:6f1c2a8e-0d5b-4c1e-9a3f-1b2c3d4e5f60:1:glitter',
      'facet1:edit_view:6f1c2a8e-0d5b-4c1e-9a3f-1b2c3d4e5f60:front',
      'facet1:pick:6f1c2a8e-0d5b-4c1e-9a3f-1b2c3d4e5f60:1:5',
      'facet1:pick:6f1c2a8e-0d5b-4c1e-9a3f-1b2c3d4e5f60:1:0',
      'facet1:pick:6f1c2a8e-0d5b-4c1e-9a3f-1b2c3d4e5f60:1',
      'facet1:launch_missiles:6f1c2a8e-0d5b-4c1e-9a3f-1b2c3d4e5f60',
      `facet1:approve:6f1c2a8e-0d5b-4c1e-9a3f-1b2c3d4e5f60:${'9'.repeat(200)}`,
    ]) {
      expect(parseCardAction(bad), bad).toBeUndefined();
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const parsed = parseCardAction(text);
        if (parsed) expect(encodeCardAction(parsed)).toBe(text);
      }),
    );
  });
});
