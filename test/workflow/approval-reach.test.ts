import { describe, expect, it } from 'vitest';
import { approvalReach, mayAct, type Actor, type ApprovalPolicy } from '../../src/workflow/actor.ts';

/** The list of what waits for someone picks designs by approvalReach: it must agree with the button's check. */
describe('approvalReach', () => {
  const policies: ApprovalPolicy[] = [
    { approverGroup: null, requestersApprove: null },
    { approverGroup: null, requestersApprove: false },
    { approverGroup: 'G', requestersApprove: null },
    { approverGroup: 'G', requestersApprove: true },
    { approverGroup: 'G', requestersApprove: false },
  ];
  const actors: Actor[] = [
    { userId: 'u', isAdmin: false, groups: [] },
    { userId: 'u', isAdmin: false, groups: ['G'] },
    { userId: 'u', isAdmin: true, groups: [] },
  ];

  it('reaches exactly the designs mayAct lets the actor approve, theirs and others’', () => {
    for (const policy of policies)
      for (const actor of actors)
        expect(approvalReach(actor, policy), JSON.stringify({ policy, actor })).toEqual({
          own: mayAct('approve', actor, 'u', policy),
          others: mayAct('approve', actor, 'someone', policy),
        });
  });
});
