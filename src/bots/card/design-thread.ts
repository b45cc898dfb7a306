import type { DesignSnapshot, ViewSnapshot } from '../../workflow/design-snapshot.ts';
import { remainingViews, type ViewName } from '../../workflow/views.ts';

export type ViewProgressLine = {
  view: ViewName;
  state: ViewSnapshot['state'];
  /** e.g. "Back: done in 14 s", "Side: generating" (the card says since when, in the reader's client). */
  text: string;
};

/** The one status message of a round, edited as each view finishes. */
export type ThreadStatus = {
  /** Stable per round: the platform posts it once and edits it after. */
  postKey: string;
  title: string;
  lines: ViewProgressLine[];
  footer: string | null;
};

/** An image the thread should hold; `postKey` identifies it across changes (posted once). */
export type ThreadImage = { postKey: string; imageKey: string; title: string };

export type DesignThread = { status: ThreadStatus | null; images: ThreadImage[] };

const viewTitles: Record<ViewName, string> = {
  front: 'Front',
  back: 'Back',
  side: 'Side',
  top: 'Top',
  bottom: 'Bottom',
};

const afterApproval = new Set<DesignSnapshot['state']>(['generating_views', 'finalizing', 'completed']);

function seconds(ms: number): string {
  return `${Math.max(0, Math.round(ms / 1000))} s`;
}

function progressText(view: ViewSnapshot, stopped: boolean): string {
  const title = viewTitles[view.view];
  // A design that failed or was cancelled makes nothing more: no view is still on its way.
  if (stopped && (view.state === 'pending' || view.state === 'generating')) return `${title}: stopped`;
  switch (view.state) {
    case 'pending':
      return `${title}: waiting`;
    case 'generating':
      // No elapsed seconds: a count that only moves when the message is edited reads as frozen.
      return `${title}: generating`;
    case 'done':
      return view.startedAt && view.finishedAt
        ? `${title}: done in ${seconds(view.finishedAt.getTime() - view.startedAt.getTime())}`
        : `${title}: done`;
    case 'failed':
      return `${title}: failed${view.error ? ` (${view.error})` : ''}`;
  }
}

function wasApproved(design: DesignSnapshot): boolean {
  if (design.approvedAt === null) return false;
  return (
    afterApproval.has(design.state) ||
    // Cancel is only possible before finalizing, so an approved, cancelled design stopped in its views.
    design.state === 'cancelled' ||
    (design.state === 'failed' && design.failure?.phase !== 'front')
  );
}

/**
 * The status message's first line. It says what the round is doing now: after the round ends it must not
 * still read "Generating …: 4 of 4 done", as if something were on its way.
 */
function statusTitle(design: DesignSnapshot, done: number, total: number, regenerated: string): string {
  const revision = design.round === 1 ? null : `Revision ${design.round}`;
  const view = `${regenerated} view`;
  switch (design.state) {
    case 'completed':
      return revision
        ? `${revision} complete: the new ${view} is ready`
        : 'Complete: all five views are ready';
    case 'finalizing':
      return revision
        ? `${revision}: the new ${view} is done`
        : `Back, side, top and bottom views: ${done} of ${total} done`;
    case 'failed':
    case 'cancelled':
      return revision
        ? `${revision} stopped: the ${view} was not regenerated`
        : `Stopped: ${done} of ${total} views done`;
    default:
      return revision
        ? `${revision}: regenerating the ${view}`
        : `Generating the back, side, top and bottom views: ${done} of ${total} done`;
  }
}

/** The closing line of a completed round, naming what is below (or follows) and nothing that is not. */
function completedFooter(sheet: string | null, specSheet: string | null): string {
  if (sheet && specSheet) return 'Done: every view, the contact sheet and the spec sheet are below.';
  if (sheet) return 'Done: every view and the contact sheet are below.';
  if (specSheet) return 'Done: every view and the spec sheet are below.';
  return 'Done; the contact sheet and the spec sheet follow.';
}

/**
 * What a design's thread shows, as a pure function of the snapshot: after approval, a status message per
 * round and the images in the order they finished (the approved front first; the contact sheet, then the
 * spec sheet, last).
 * `frontsInThread` is for platforms that cannot show the front view on the card itself: each iteration's
 * front view then goes into the thread as soon as it exists.
 */
export function buildDesignThread(
  design: DesignSnapshot,
  options: { frontsInThread: boolean },
): DesignThread {
  const images: ThreadImage[] = [];
  const seen = new Set<string>();
  const add = (imageKey: string | null, title: string) => {
    if (!imageKey || seen.has(imageKey)) return;
    seen.add(imageKey);
    images.push({ postKey: `image:${imageKey}`, imageKey, title });
  };
  if (options.frontsInThread) {
    for (const it of design.iterations) {
      // Several candidates: each goes in, numbered as its Pick button on the card.
      if (it.candidates.length > 1)
        for (const { candidate, imageKey } of it.candidates)
          add(imageKey, `Front view, iteration ${it.iteration}, candidate ${candidate}`);
      else add(it.imageKey, `Front view, iteration ${it.iteration}`);
    }
  }
  if (!wasApproved(design)) return { status: null, images };

  const front = design.views.find((v) => v.view === 'front');
  add(front?.imageKey ?? null, 'Front view (approved)');
  const others = design.views.filter((v) => v.view !== 'front');
  const finished = others
    .filter((v) => v.state === 'done' && v.imageKey)
    .sort((a, b) => (a.finishedAt?.getTime() ?? 0) - (b.finishedAt?.getTime() ?? 0));
  // A view regenerated in a later round says so: "Back view, edit 2".
  for (const view of finished)
    add(
      view.imageKey,
      view.round > 1 ? `${viewTitles[view.view]} view, edit ${view.round}` : `${viewTitles[view.view]} view`,
    );
  const revision = design.revision?.number === design.round ? design.revision : null;
  const sheet = revision?.contactSheetKey ?? null;
  const specSheet = revision?.specSheetKey ?? null;
  add(sheet, 'Contact sheet: all five views with colours, materials and dimensions');
  // The round's sheets are attached together; a spec sheet that could not be made is simply not there.
  add(specSheet, 'Spec sheet (PDF on the design page)');

  const stopped = design.state === 'failed' || design.state === 'cancelled';
  const lines = remainingViews.flatMap((name) => {
    const view = others.find((v) => v.view === name);
    return view ? [{ view: name, state: view.state, text: progressText(view, stopped) }] : [];
  });
  const done = lines.filter((line) => line.state === 'done').length;
  const regenerated = others
    .filter((v) => v.round === design.round)
    .map((v) => viewTitles[v.view].toLowerCase());
  const title = statusTitle(design, done, lines.length, regenerated.join(' and '));
  let footer: string | null = null;
  if (design.state === 'finalizing') footer = 'All views are done; putting the sheets together.';
  if (design.state === 'completed') footer = completedFooter(sheet, specSheet);
  if (design.state === 'failed') footer = design.failure?.message ?? 'A view could not be generated.';
  if (design.state === 'cancelled')
    footer = 'Cancelled: no more views will be made, and nothing was charged for this round.';
  return {
    status: { postKey: `status:r${design.round}`, title, lines, footer },
    images,
  };
}
