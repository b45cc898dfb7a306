import type { DesignState } from '../../storage/schema.ts';

export type { DesignState };

/** Where a design can still move by itself or by a click; the rest only move on retry or edit_view. */
export const activeStates = [
  'generating_front',
  'awaiting_approval',
  'generating_views',
  'finalizing',
] as const;

export const finishedStates = ['completed', 'failed', 'cancelled', 'expired'] as const;

export const machineStates = [...activeStates, ...finishedStates] as const;
export type MachineState = (typeof machineStates)[number];

export type FailedPhase = 'front' | 'views' | 'finalize';
