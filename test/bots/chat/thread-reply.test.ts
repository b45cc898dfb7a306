import { describe, expect, it } from 'vitest';
import { decideThreadReply } from '../../../src/bots/chat/thread-reply.ts';
import { maxFeedbackLength } from '../../../src/workflow/prompts.ts';

describe('decideThreadReply', () => {
  const allowed = { allowed: true, iteration: 2 };

  it('takes a reply by someone allowed while the front view waits as Request changes, trimmed', () => {
    expect(decideThreadReply({ ...allowed, state: 'awaiting_approval', text: '  rounder  ' })).toEqual({
      kind: 'request_changes',
      feedback: 'rounder',
    });
  });

  it('asks someone allowed to wait while the iteration is drawn or queued', () => {
    for (const state of ['queued', 'generating_front'] as const) {
      const decision = decideThreadReply({ ...allowed, state, text: 'rounder' });
      expect(decision.kind).toBe('wait');
      expect(decision.kind === 'wait' && decision.text).toMatch(/Iteration 2 .*wait for this iteration/);
    }
  });

  it('ignores anyone not allowed, in every state', () => {
    for (const state of ['queued', 'generating_front', 'awaiting_approval', 'completed'] as const)
      expect(decideThreadReply({ allowed: false, iteration: 1, state, text: 'rounder' })).toEqual({
        kind: 'ignore',
      });
  });

  it('ignores replies once the front view is no longer waiting (approved, finished, stopped)', () => {
    for (const state of [
      'generating_views',
      'finalizing',
      'completed',
      'failed',
      'cancelled',
      'expired',
      'declined',
    ] as const)
      expect(decideThreadReply({ ...allowed, state, text: 'lovely' })).toEqual({ kind: 'ignore' });
  });

  it('refuses empty and over-long text with the form’s words', () => {
    expect(decideThreadReply({ ...allowed, state: 'awaiting_approval', text: ' \n ' })).toEqual({
      kind: 'refuse',
      text: 'Say what should change.',
    });
    const long = 'a'.repeat(maxFeedbackLength + 1);
    expect(decideThreadReply({ ...allowed, state: 'awaiting_approval', text: long })).toEqual({
      kind: 'refuse',
      text: `Keep it to ${maxFeedbackLength} characters or fewer (this is ${maxFeedbackLength + 1}).`,
    });
    expect(
      decideThreadReply({ ...allowed, state: 'awaiting_approval', text: 'a'.repeat(maxFeedbackLength) }).kind,
    ).toBe('request_changes');
  });
});
