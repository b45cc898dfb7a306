import { describe, expect, it } from 'vitest';
import { buildDesignThread } from '../../../src/bots/card/design-thread.ts';
import { renderSlackThreadStatus } from '../../../src/bots/slack/slack-thread-blocks.ts';
import { at, snapshot, view } from './snapshot-fixture.ts';

const approved = { approvedBy: 'U2', approvedAt: at(30) };

describe('design thread', () => {
  it('has no status before approval, and shows fronts only where the card cannot', () => {
    const waiting = snapshot();
    expect(buildDesignThread(waiting, { frontsInThread: false })).toEqual({
      status: null,
      images: [],
    });
    const thread = buildDesignThread(waiting, { frontsInThread: true });
    expect(thread.status).toBeNull();
    expect(thread.images).toEqual([
      {
        postKey: 'image:designs/d/front-1.png',
        imageKey: 'designs/d/front-1.png',
        title: 'Front view, iteration 1',
      },
    ]);
  });

  it('lists each view with its state and time, and images in the order they finished', () => {
    const design = snapshot({
      ...approved,
      state: 'generating_views',
      views: [
        view('front', { state: 'done', imageKey: 'designs/d/front-1.png' }),
        view('back', {
          state: 'done',
          imageKey: 'designs/d/r1/back.png',
          startedAt: at(31),
          finishedAt: at(50),
        }),
        view('side', { state: 'generating', startedAt: at(31) }),
        view('top', {
          state: 'done',
          imageKey: 'designs/d/r1/top.png',
          startedAt: at(31),
          finishedAt: at(44),
        }),
        view('bottom', { state: 'failed', error: 'the model refused', attempts: 1 }),
      ],
    });
    const thread = buildDesignThread(design, { frontsInThread: false });
    expect(thread.status?.postKey).toBe('status:r1');
    expect(thread.status?.title).toBe('Generating the back, side, top and bottom views: 2 of 4 done');
    expect(thread.status?.lines.map((l) => l.text)).toEqual([
      'Back: done in 19 s',
      'Side: generating',
      'Top: done in 13 s',
      'Bottom: failed (the model refused)',
    ]);
    expect(thread.images.map((i) => i.title)).toEqual(['Front view (approved)', 'Top view', 'Back view']);
  });

  const completedRound = (revision: { contactSheetKey: string | null; specSheetKey: string | null }) => {
    const done = (name: 'back' | 'side' | 'top' | 'bottom', s: number) =>
      view(name, {
        state: 'done',
        imageKey: `designs/d/r1/${name}.png`,
        startedAt: at(31),
        finishedAt: at(s),
      });
    return snapshot({
      ...approved,
      state: 'completed',
      held: 0,
      charged: 3,
      views: [
        view('front', { state: 'done', imageKey: 'designs/d/front-1.png' }),
        done('back', 40),
        done('side', 41),
        done('top', 42),
        done('bottom', 43),
      ],
      revision: { number: 1, imageKeys: {}, ...revision },
    });
  };

  it('ends with the contact sheet and the spec sheet of the current round, once each', () => {
    const design = completedRound({
      contactSheetKey: 'designs/d/r1/contact-sheet.png',
      specSheetKey: 'designs/d/r1/spec-sheet.png',
    });
    const thread = buildDesignThread(design, { frontsInThread: false });
    expect(thread.images).toHaveLength(7);
    expect(thread.images.slice(-2)).toEqual([
      {
        postKey: 'image:designs/d/r1/contact-sheet.png',
        imageKey: 'designs/d/r1/contact-sheet.png',
        title: 'Contact sheet: all five views with colours, materials and dimensions',
      },
      {
        postKey: 'image:designs/d/r1/spec-sheet.png',
        imageKey: 'designs/d/r1/spec-sheet.png',
        title: 'Spec sheet (PDF on the design page)',
      },
    ]);
    expect(thread.status?.footer).toBe('Done: every view, the contact sheet and the spec sheet are below.');
  });

  it('names in its closing line only the sheets there are, and says when they are still to come', () => {
    const footer = (revision: Parameters<typeof completedRound>[0]) =>
      buildDesignThread(completedRound(revision), { frontsInThread: false }).status?.footer;
    expect(footer({ contactSheetKey: null, specSheetKey: null })).toBe(
      'Done; the contact sheet and the spec sheet follow.',
    );
    expect(footer({ contactSheetKey: null, specSheetKey: 'designs/d/r1/spec-sheet.png' })).toBe(
      'Done: every view and the spec sheet are below.',
    );
  });

  it('ends a round completed without a spec sheet with the contact sheet and a closing line', () => {
    // A spec sheet that could not be made, or a round completed before spec sheets were posted.
    const design = completedRound({ contactSheetKey: 'designs/d/r1/contact-sheet.png', specSheetKey: null });
    const thread = buildDesignThread(design, { frontsInThread: false });
    expect(thread.images).toHaveLength(6);
    expect(thread.images.at(-1)?.imageKey).toBe('designs/d/r1/contact-sheet.png');
    expect(thread.status?.footer).toBe('Done: every view and the contact sheet are below.');
    // Finished, the title says so on every platform: no "Generating …: 4 of 4 done" left behind.
    expect(thread.status?.title).toBe('Complete: all five views are ready');
    const rendered = renderSlackThreadStatus(thread.status!);
    expect(rendered.text).toMatch(/^Complete: all five views are ready\n/);
    expect(rendered.text).not.toContain('Generating');
    expect(JSON.stringify(rendered.blocks)).toContain(':white_check_mark: Back: done in 9 s');
  });

  it('names the regenerated view in a later round and posts only its new image', () => {
    const design = snapshot({
      ...approved,
      state: 'generating_views',
      round: 2,
      views: [
        view('front', { state: 'done', imageKey: 'designs/d/front-1.png' }),
        view('back', { state: 'done', imageKey: 'designs/d/r1/back.png' }),
        view('side', { state: 'generating', round: 2, startedAt: at(100) }),
        view('top', { state: 'done', imageKey: 'designs/d/r1/top.png' }),
        view('bottom', { state: 'done', imageKey: 'designs/d/r1/bottom.png' }),
      ],
      revision: {
        number: 1,
        imageKeys: {},
        contactSheetKey: 'designs/d/r1/contact-sheet.png',
        specSheetKey: 'designs/d/r1/spec-sheet.png',
      },
    });
    const thread = buildDesignThread(design, { frontsInThread: false });
    expect(thread.status?.postKey).toBe('status:r2');
    expect(thread.status?.title).toBe('Revision 2: regenerating the side view');
    const finished = buildDesignThread({ ...design, state: 'completed' }, { frontsInThread: false });
    expect(finished.status?.title).toBe('Revision 2 complete: the new side view is ready');
    // The old round's sheets are not this round's: they are not offered again.
    expect(thread.images.map((i) => i.imageKey)).not.toContain('designs/d/r1/contact-sheet.png');
    expect(thread.images.map((i) => i.imageKey)).not.toContain('designs/d/r1/spec-sheet.png');
  });

  it('keeps the status of a design whose views failed, and none for one that failed at the front', () => {
    const failure = { kind: 'permanent', message: 'A view could not be generated.', phase: 'views' as const };
    const failed = buildDesignThread(snapshot({ ...approved, state: 'failed', failure }), {
      frontsInThread: false,
    });
    expect(failed.status?.footer).toBe('A view could not be generated.');
    expect(failed.status?.title).toBe('Stopped: 0 of 4 views done');
    const early = snapshot({ state: 'failed', failure: { ...failure, phase: 'front' } });
    expect(buildDesignThread(early, { frontsInThread: false }).status).toBeNull();
  });

  it('closes the status of a design cancelled during its views: nothing left shows as on its way', () => {
    const design = snapshot({
      ...approved,
      state: 'cancelled',
      views: [
        view('front', { state: 'done', imageKey: 'designs/d/front-1.png' }),
        view('back', { state: 'done', imageKey: 'k/back', startedAt: at(31), finishedAt: at(40) }),
        view('side', { state: 'generating', startedAt: at(31) }),
        view('top', { state: 'pending' }),
        view('bottom', { state: 'generating', startedAt: at(32) }),
      ],
    });
    const thread = buildDesignThread(design, { frontsInThread: false });
    expect(thread.status?.lines.map((line) => line.text)).toEqual([
      'Back: done in 9 s',
      'Side: stopped',
      'Top: stopped',
      'Bottom: stopped',
    ]);
    expect(thread.status?.footer).toMatch(/^Cancelled: no more views will be made/);
    expect(thread.status?.title).toBe('Stopped: 1 of 4 views done');
    // A design cancelled before approval has no thread status at all.
    expect(buildDesignThread(snapshot({ state: 'cancelled' }), { frontsInThread: false }).status).toBeNull();
  });
});
