import { z } from 'zod';
import { quickEditPresets, type PresetId } from '../../workflow/prompts.ts';
import { remainingViews, type RemainingView } from '../../workflow/views.ts';

/**
 * What a button does, encoded into its platform id (Slack action_id, Discord custom_id). Ids carry ids
 * only, never state: a button keeps working after a restart, and the state it acts on is read fresh
 * from the database. The iteration is part of the id so an old card's button is recognised as old.
 */
export type CardAction =
  | { kind: 'approve'; designId: string; iteration: number }
  /** Picks one of the iteration's front-view candidates (1-based). */
  | { kind: 'pick'; designId: string; iteration: number; candidate: number }
  /** Opens the form that asks an approver why; the form's submission declines. */
  | { kind: 'decline'; designId: string; iteration: number }
  | { kind: 'edit'; designId: string; iteration: number; preset: PresetId }
  | { kind: 'request_changes'; designId: string; iteration: number }
  | { kind: 'cancel'; designId: string }
  | { kind: 'retry'; designId: string }
  | { kind: 'variation'; designId: string }
  | { kind: 'edit_view'; designId: string; view: RemainingView };

const prefix = 'facet1';
// Discord's custom_id limit; Slack allows 255.
export const maxActionIdLength = 100;

export function encodeCardAction(action: CardAction): string {
  const parts = [prefix, action.kind, action.designId];
  switch (action.kind) {
    case 'approve':
    case 'decline':
    case 'request_changes':
      parts.push(String(action.iteration));
      break;
    case 'edit':
      parts.push(String(action.iteration), action.preset);
      break;
    case 'pick':
      parts.push(String(action.iteration), String(action.candidate));
      break;
    case 'edit_view':
      parts.push(action.view);
      break;
    default:
      break;
  }
  return parts.join(':');
}

const designId = z.uuid();
// Canonical digits only, so every id has exactly one spelling.
const iteration = z
  .string()
  .regex(/^[1-9]\d{0,8}$/)
  .transform(Number);
const candidate = z
  .string()
  .regex(/^[1-4]$/)
  .transform(Number);
const presetIds = quickEditPresets.map((preset) => preset.id) as [PresetId, ...PresetId[]];

const actionSchema = z.union([
  z.tuple([z.literal('approve'), designId, iteration]),
  z.tuple([z.literal('decline'), designId, iteration]),
  z.tuple([z.literal('edit'), designId, iteration, z.enum(presetIds)]),
  z.tuple([z.literal('pick'), designId, iteration, candidate]),
  z.tuple([z.literal('request_changes'), designId, iteration]),
  z.tuple([z.literal('cancel'), designId]),
  z.tuple([z.literal('retry'), designId]),
  z.tuple([z.literal('variation'), designId]),
  z.tuple([z.literal('edit_view'), designId, z.enum(remainingViews)]),
]);

/** Undefined for anything that is not one of our ids: an unknown button is refused, not guessed at. */
export function parseCardAction(id: string): CardAction | undefined {
  if (id.length > maxActionIdLength) return undefined;
  const [head, ...rest] = id.split(':');
  if (head !== prefix) return undefined;
  const parsed = actionSchema.safeParse(rest);
  if (!parsed.success) return undefined;
  const value = parsed.data;
  switch (value[0]) {
    case 'approve':
    case 'decline':
    case 'request_changes':
      return { kind: value[0], designId: value[1], iteration: value[2] };
    case 'edit':
      return { kind: 'edit', designId: value[1], iteration: value[2], preset: value[3] };
    case 'pick':
      return { kind: 'pick', designId: value[1], iteration: value[2], candidate: value[3] };
    case 'edit_view':
      return { kind: 'edit_view', designId: value[1], view: value[2] };
    default:
      return { kind: value[0], designId: value[1] };
  }
}

/**
 * The request key of a Variation click: a double click (or Slack/Discord redelivering it) within ten
 * seconds starts one variation; a deliberate second one later starts another.
 */
export function variationKey(parentId: string, userId: string, now = Date.now()): string {
  return `variation:${parentId}:${userId}:${Math.floor(now / 10_000)}`;
}
