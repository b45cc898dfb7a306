import type { DesignSnapshot, ViewSnapshot } from '../../../src/workflow/design-snapshot.ts';
import { viewNames, type ViewName } from '../../../src/workflow/views.ts';

export const t0 = new Date('2026-11-30T10:00:00Z');
export const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

export function view(name: ViewName, patch: Partial<ViewSnapshot> = {}): ViewSnapshot {
  return {
    view: name,
    state: 'pending',
    imageKey: null,
    attempts: 0,
    round: 1,
    error: null,
    startedAt: null,
    finishedAt: null,
    ...patch,
  };
}

/** A design as loadSnapshot returns it, awaiting approval of iteration 1 unless patched. */
export function snapshot(patch: Partial<DesignSnapshot> = {}): DesignSnapshot {
  return {
    id: '3f2a8c1e-0000-4000-8000-000000000001',
    workspaceId: 'w1',
    requesterId: 'U1',
    prompt: 'wireless headphones in matte black',
    kind: 'design',
    parentDesignId: null,
    inputImageKey: null,
    state: 'awaiting_approval',
    iteration: 1,
    round: 1,
    version: 3,
    basePrice: 3,
    editPrice: 1,
    candidates: 1,
    held: 3,
    charged: 0,
    holdExpiresAt: at(86_400),
    approvedBy: null,
    approvedAt: null,
    declined: null,
    pageLinksRevoked: false,
    approvalNotices: 'thread',
    approval: { approverGroup: null, requestersApprove: null },
    holdSeq: 1,
    failure: null,
    surface: {},
    iterations: [
      {
        iteration: 1,
        preset: null,
        feedback: null,
        imageKey: 'designs/d/front-1.png',
        features: null,
        requestedBy: 'U1',
        createdAt: t0,
        completedAt: at(20),
        candidates: [{ candidate: 1, imageKey: 'designs/d/front-1.png' }],
        picked: 1,
      },
    ],
    views: viewNames.map((name) =>
      name === 'front' ? view('front', { state: 'done', imageKey: 'designs/d/front-1.png' }) : view(name),
    ),
    revision: null,
    admittedAt: t0,
    queue: null,
    budgetNotice: null,
    typicalSeconds: null,
    createdAt: t0,
    updatedAt: at(20),
    finishedAt: null,
    ...patch,
  };
}
