import { describe, expect, it } from 'vitest';
import { chooseAdmissions, estimateWaitSeconds } from '../../../src/workflow/admission/choose-admissions.ts';

const waiting = (...requesters: string[]) =>
  requesters.map((requesterId, i) => ({ id: `d${i}`, requesterId }));

describe('chooseAdmissions', () => {
  it('fills free workspace slots oldest first', () => {
    expect(
      chooseAdmissions(waiting('a', 'b', 'c'), new Map([['x', 1]]), { perWorkspace: 3, perUser: 5 }),
    ).toEqual(['d0', 'd1']);
  });

  it('passes over a person at their own cap instead of holding up the line', () => {
    const generating = new Map([['a', 2]]);
    expect(
      chooseAdmissions(waiting('a', 'a', 'b', 'c'), generating, { perWorkspace: 10, perUser: 2 }),
    ).toEqual(['d2', 'd3']);
  });

  it('counts what it admits against both caps', () => {
    expect(chooseAdmissions(waiting('a', 'a', 'a', 'b'), new Map(), { perWorkspace: 3, perUser: 2 })).toEqual(
      ['d0', 'd1', 'd3'],
    );
  });

  it('admits nothing when the workspace is full, everything when there is no cap', () => {
    expect(chooseAdmissions(waiting('a'), new Map([['b', 4]]), { perWorkspace: 4, perUser: 4 })).toEqual([]);
    const none = { perWorkspace: Infinity, perUser: Infinity };
    expect(chooseAdmissions(waiting('a', 'a', 'a'), new Map([['a', 100]]), none)).toHaveLength(3);
  });
});

describe('estimateWaitSeconds', () => {
  it('grows with the line and shrinks with the slots moving it', () => {
    expect(estimateWaitSeconds(0, 4, 30)).toBe(30);
    expect(estimateWaitSeconds(3, 4, 30)).toBe(30);
    expect(estimateWaitSeconds(4, 4, 30)).toBe(60);
    expect(estimateWaitSeconds(9, 1, 20)).toBe(200);
    // Nothing generating (a slot is about to free): still the time of one round, never zero.
    expect(estimateWaitSeconds(0, 0, 0.2)).toBe(1);
  });
});
