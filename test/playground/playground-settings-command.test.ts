import { describe, expect, it } from 'vitest';
import { parsePlaygroundSettings } from '../../src/bots/playground/playground-settings-command.ts';

describe('the playground’s typed settings', () => {
  it('turns the leads approver group on and off, and says whether requesters approve their own', () => {
    expect(parsePlaygroundSettings('/design settings approvers @leads')).toEqual({
      kind: 'settings',
      change: { approverGroup: 'leads' },
    });
    expect(parsePlaygroundSettings('/design settings Approvers NONE')).toEqual({
      kind: 'settings',
      change: { approverGroup: null },
    });
    expect(parsePlaygroundSettings('/design settings requesters-approve no')).toEqual({
      kind: 'settings',
      change: { requestersApprove: false },
    });
    expect(parsePlaygroundSettings('/design settings requesters-approve default')).toEqual({
      kind: 'settings',
      change: { requestersApprove: null },
    });
  });

  it('switches replies in a card’s thread on and off', () => {
    expect(parsePlaygroundSettings('/design settings thread-replies on')).toEqual({
      kind: 'settings',
      change: { threadReplies: true },
    });
    expect(parsePlaygroundSettings('/design settings Thread-Replies OFF')).toEqual({
      kind: 'settings',
      change: { threadReplies: false },
    });
    expect(parsePlaygroundSettings('/design settings thread-replies maybe')).toBeUndefined();
  });

  it('leaves everything else to the shared parser', () => {
    for (const typed of [
      '/design settings',
      '/design settings approvers @everyone',
      '/design settings requesters-approve maybe',
      '/design a settings panel',
    ])
      expect(parsePlaygroundSettings(typed)).toBeUndefined();
  });
});
