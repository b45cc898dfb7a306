import type { DesignState } from '../../storage/schema.ts';

export type { DesignState };

/** Where a design can still move by itself or by a click; the rest only move on retry or edit_view. */
export const activeStates = [
  'queued',
  'generating_front',
  'awaiting_approval',
  'generating_views',
  'finalizing',
] as const;

/** The states that use the image model, so count against the workspace's and the user's caps. */
export const generatingStates = ['generating_front', 'generating_views', 'finalizing'] as const;

export const finishedStates = ['completed', 'failed', 'cancelled', 'expired', 'declined'] as const;

export const machineStates = [...activeStates, ...finishedStates] as const;
export type MachineState = (typeof machineStates)[number];

export type FailedPhase = 'front' | 'views' | 'finalize';
