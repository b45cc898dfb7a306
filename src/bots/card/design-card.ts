import type { DesignSnapshot } from '../../workflow/design-snapshot.ts';
import { quickEditPresets } from '../../workflow/prompts.ts';
import { remainingViews, type RemainingView } from '../../workflow/views.ts';
import { encodeCardAction } from './card-action-id.ts';
import { creditCount } from './credit-count.ts';

export type CardTone = 'working' | 'waiting' | 'done' | 'failed' | 'ended';

export type CardButton = {
  /** The encoded CardAction: the platform's action or custom id. */
  id: string;
  label: string;
  style?: 'primary' | 'danger';
  /** A confirmation the platform shows before the click counts (Slack confirm dialog). */
  confirm?: { title: string; text: string; confirm: string; deny: string };
};

/** A piece of card text: plain user or bot text, or a person the platform renders as a mention. */
export type CardText = string | { mention: string };

/**
 * Everything a platform shows of a design, platform-neutral. Platforms escape `prompt` themselves (each
 * platform has its own markup); every other string here is ours.
 */
export type DesignCard = {
  designId: string;
  prompt: string;
  requesterId: string;
  tone: CardTone;
  /** One line saying where the design is, e.g. "Generating the front view (12 s)". */
  status: CardText[];
  /** Short facts under the status: iteration, credits, approver. */
  facts: CardText[][];
  /** The front view currently shown, by image-store key. */
  image: { key: string; alt: string } | null;
  /** Rows of buttons; empty when nothing can be done. */
  actions: CardButton[][];
};

const viewLabels: Record<RemainingView, string> = {
  back: 'back',
  side: 'side',
  top: 'top',
  bottom: 'bottom',
};

function seconds(from: Date, now: Date): string {
  return `${Math.max(0, Math.round((now.getTime() - from.getTime()) / 1000))} s`;
}

/** The card is a pure function of the snapshot (and the clock, for elapsed times). */
export function buildDesignCard(design: DesignSnapshot, now: Date): DesignCard {
  const current = design.iterations.find((it) => it.iteration === design.iteration);
  const shown = [...design.iterations].reverse().find((it) => it.imageKey !== null);
  const card: DesignCard = {
    designId: design.id,
    prompt: design.prompt,
    requesterId: design.requesterId,
    tone: 'working',
    status: [],
    facts: [],
    image: shown?.imageKey ? { key: shown.imageKey, alt: `Front view, iteration ${shown.iteration}` } : null,
    actions: [],
  };
  const iterationFact = [`Iteration ${design.iteration}`];
  const approvedBy: CardText[] = design.approvedBy ? ['Approved by ', { mention: design.approvedBy }] : [];

  switch (design.state) {
    case 'queued': {
      const place = design.queue;
      const where = !place
        ? 'Waiting in line'
        : place.ahead === 0
          ? 'Next in line'
          : `Waiting in line: ${place.ahead} ahead`;
      card.status = [place ? `${where}, starts in about ${waitText(place.etaSeconds)}` : where];
      card.facts = [[`${creditCount(design.held)} reserved, returned if you cancel`]];
      card.actions = [[cancelButton(design.id)]];
      break;
    }
    case 'generating_front': {
      // A first iteration that waited in line started when it was admitted, not when it was asked for.
      const since =
        (design.iteration === 1 ? design.admittedAt : null) ?? current?.createdAt ?? design.updatedAt;
      card.status = [
        design.iteration === 1
          ? `Generating the front view (${seconds(since, now)})`
          : `Revising the front view for iteration ${design.iteration} (${seconds(since, now)})`,
      ];
      card.facts = [iterationFact, [`${creditCount(design.held)} reserved`]];
      card.actions = [[cancelButton(design.id)]];
      break;
    }
    case 'awaiting_approval': {
      card.tone = 'waiting';
      card.status = [`Iteration ${design.iteration} is ready: approve it, or ask for changes`];
      const expires = design.holdExpiresAt
        ? [
            `, returned if not approved by ${design.holdExpiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
          ]
        : [];
      card.facts = [iterationFact, [`${creditCount(design.held)} reserved`, ...expires]];
      card.actions = [
        [
          {
            id: encodeCardAction({ kind: 'approve', designId: design.id, iteration: design.iteration }),
            label: 'Approve',
            style: 'primary',
            confirm: {
              title: 'Approve this front view?',
              text: `The back, side, top and bottom views are generated from it. ${creditCount(design.held)} will be charged once they are done; nothing if they fail.`,
              confirm: 'Approve',
              deny: 'Not yet',
            },
          },
          {
            id: encodeCardAction({
              kind: 'request_changes',
              designId: design.id,
              iteration: design.iteration,
            }),
            label: `Request changes (+${creditCount(design.editPrice)})`,
          },
          cancelButton(design.id),
        ],
        quickEditPresets.map((preset) => ({
          id: encodeCardAction({
            kind: 'edit',
            designId: design.id,
            iteration: design.iteration,
            preset: preset.id,
          }),
          label: preset.label,
        })),
      ];
      break;
    }
    case 'generating_views':
    case 'finalizing': {
      const done = design.views.filter((v) => v.view !== 'front' && v.state === 'done').length;
      card.status =
        design.state === 'finalizing'
          ? ['All views are done; putting the design together']
          : [`Generating the other views: ${done} of ${remainingViews.length} done`];
      card.facts = [iterationFact, approvedBy, [`${creditCount(design.held)} reserved`]].filter(
        (f) => f.length > 0,
      );
      break;
    }
    case 'completed': {
      card.tone = 'done';
      card.status = ['Done: all five views are in the thread'];
      card.facts = [iterationFact, approvedBy, [`${creditCount(design.charged)} charged`]].filter(
        (f) => f.length > 0,
      );
      card.actions = [
        [
          { id: encodeCardAction({ kind: 'variation', designId: design.id }), label: 'Variation' },
          ...remainingViews.map((view) => ({
            id: encodeCardAction({ kind: 'edit_view', designId: design.id, view }),
            label: `Edit ${viewLabels[view]} view`,
          })),
        ],
      ];
      break;
    }
    case 'failed': {
      card.tone = 'failed';
      card.status = [design.failure?.message ?? 'The design could not be generated.'];
      card.facts = [
        iterationFact,
        [
          design.charged > 0
            ? `${creditCount(design.charged)} charged earlier`
            : 'Nothing was charged; the reserved credits are back',
        ],
      ];
      card.actions = [
        [
          { id: encodeCardAction({ kind: 'retry', designId: design.id }), label: 'Retry', style: 'primary' },
          cancelButton(design.id),
        ],
      ];
      break;
    }
    case 'cancelled':
      card.tone = 'ended';
      card.status = ['Cancelled'];
      card.facts = [['Nothing was charged; the reserved credits are back']];
      break;
    case 'expired':
      card.tone = 'ended';
      card.status = ['Expired: nobody approved it in time'];
      card.facts = [['Nothing was charged; the reserved credits are back']];
      break;
  }
  return card;
}

function waitText(seconds: number): string {
  if (seconds < 60) return `${Math.max(5, Math.ceil(seconds / 5) * 5)} s`;
  const minutes = Math.round(seconds / 60);
  return `${minutes} min`;
}

function cancelButton(designId: string): CardButton {
  return { id: encodeCardAction({ kind: 'cancel', designId }), label: 'Cancel', style: 'danger' };
}
