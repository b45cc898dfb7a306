import { needsApprover, requestersMayApprove } from '../../workflow/actor.ts';
import type { DesignSnapshot } from '../../workflow/design-snapshot.ts';
import { findPreset, quickEditPresets } from '../../workflow/prompts.ts';
import { remainingViews, type RemainingView } from '../../workflow/views.ts';
import { encodeCardAction } from './card-action-id.ts';
import { creditCount } from './credit-count.ts';
import { truncate } from '../../text.ts';

export type CardTone = 'working' | 'waiting' | 'done' | 'failed' | 'ended';

export type CardButton = {
  /** The encoded CardAction: the platform's action or custom id. */
  id: string;
  label: string;
  style?: 'primary' | 'danger';
  /** A confirmation the platform shows before the click counts (Slack confirm dialog). */
  confirm?: { title: string; text: string; confirm: string; deny: string };
};

/** One front-view candidate of the iteration awaiting approval, shown beside the others with its Pick button. */
export type CardCandidate = {
  /** 1-based, as on its Pick button. */
  number: number;
  /** The image-store key. */
  key: string;
  alt: string;
  picked: boolean;
};

/** A link the card offers after its buttons ("Open design page"): opens a URL, does nothing in Facet. */
export type CardLink = { label: string; url: string };

/**
 * The signed URL of a design's page, when the process showing the card knows where the web role is and
 * holds its link secret (see DesignLinks); null where it does not. Pure: a card stays a function of its
 * inputs.
 */
export type DesignPageLinker = (designId: string) => string | null;

/**
 * A moment the reader's own client shows and keeps current where it can: `since` when something
 * started (Discord: "12 seconds ago", moving by itself; Slack: the time in the reader's time zone),
 * `deadline` a date and time to act by, in the reader's time zone.
 */
export type CardMoment = { at: Date; show: 'since' | 'deadline' };

/**
 * A piece of card text: plain user or bot text, a person or a group (Slack user group, Discord role) the
 * platform renders as a mention, a moment. A card is edited in place, so its mentions never ping.
 */
export type CardText = string | { mention: string } | { group: string } | CardMoment;

/**
 * Everything a platform shows of a design, platform-neutral. Platforms escape `prompt` themselves (each
 * platform has its own markup); every other string here is ours.
 */
export type DesignCard = {
  designId: string;
  /** The prompt as a title: clipped (grapheme-safe) to a line or two. */
  title: string;
  /** The whole prompt, for the card's details when the title had to be clipped; else null. */
  fullPrompt: string | null;
  prompt: string;
  requesterId: string;
  tone: CardTone;
  /** One line saying where the design is, e.g. "Generating the front view (12 s)". */
  status: CardText[];
  /** Short facts under the status: iteration, credits, approver. */
  facts: CardText[][];
  /** The front view currently shown, by image-store key. */
  image: { key: string; alt: string } | null;
  /**
   * Several front-view candidates awaiting a pick, shown together (the picked one is also `image`); empty
   * or left out when the design draws one. Optional: cards built by hand have none.
   */
  candidates?: CardCandidate[];
  /** Rows of buttons; empty when nothing can be done. */
  actions: CardButton[][];
  /** "Open design page", when the platform was given a linker (optional: cards built by hand have none). */
  link?: CardLink | null;
  /**
   * The sketch or photo the design was started from, by image-store key, with the words that say so;
   * set only for such a design. Platforms show it small where they can (Slack: a context image).
   */
  sourceImage?: CardSourceImage;
};

export type CardSourceImage = { key: string; label: string; alt: string };

/** The card's note on a design started from an image. */
export function sourceImageOf(design: Pick<DesignSnapshot, 'inputImageKey'>): CardSourceImage | undefined {
  if (design.inputImageKey === null) return undefined;
  return {
    key: design.inputImageKey,
    label: 'From your sketch',
    alt: 'The sketch or photo this design was started from',
  };
}

function designPageLink(design: DesignSnapshot, pageLink: DesignPageLinker | undefined): CardLink | null {
  if (design.pageLinksRevoked) return null;
  const url = pageLink?.(design.id) ?? null;
  return url === null ? null : { label: 'Open design page', url };
}

/** A prompt of up to 2,000 characters would make a title of 25 lines: the card keeps it to about two. */
export const titleLength = 120;

const viewLabels: Record<RemainingView, string> = {
  back: 'back',
  side: 'side',
  top: 'top',
  bottom: 'bottom',
};

/** "; usually ready in about 30 s", once Facet has seen enough of this phase to say. */
function usually(typicalSeconds: number | null): string {
  if (typicalSeconds === null) return '';
  return `; usually ready in about ${waitText(typicalSeconds)}`;
}

/**
 * The card is a pure function of the snapshot: times are moments the platforms render (and keep
 * current) in the reader's client, so a card needs no refresh to show progress.
 */
export function buildDesignCard(design: DesignSnapshot, pageLink?: DesignPageLinker): DesignCard {
  const current = design.iterations.find((it) => it.iteration === design.iteration);
  const shown = [...design.iterations].reverse().find((it) => it.imageKey !== null);
  const title = truncate(design.prompt, titleLength);
  const card: DesignCard = {
    designId: design.id,
    title,
    fullPrompt: title === design.prompt ? null : design.prompt,
    prompt: design.prompt,
    requesterId: design.requesterId,
    tone: 'working',
    status: [],
    facts: [],
    image: shown?.imageKey ? { key: shown.imageKey, alt: `Front view, iteration ${shown.iteration}` } : null,
    actions: [],
    link: designPageLink(design, pageLink),
  };
  const iterationFact = [`Iteration ${design.iteration}`];
  // An edit's iteration says what was asked for, and by whom: the team sees how the design got here.
  const asked = current && current.iteration > 1 ? editFact(current) : null;
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
      card.facts = [[`${reservedFact(design)}, returned if you cancel`]];
      card.actions = [[cancelButton(design.id)]];
      break;
    }
    case 'generating_front': {
      // A first iteration that waited in line started when it was admitted, not when it was asked for.
      const since =
        (design.iteration === 1 ? design.admittedAt : null) ?? current?.createdAt ?? design.updatedAt;
      card.status = [
        design.iteration === 1
          ? 'Generating the front view, started '
          : `Revising the front view for iteration ${design.iteration}, started `,
        { at: since, show: 'since' } satisfies CardMoment,
        usually(design.typicalSeconds),
      ].filter((part) => part !== '');
      card.facts = [asked ?? iterationFact, [reservedFact(design)]];
      card.actions = [[cancelButton(design.id)]];
      break;
    }
    case 'awaiting_approval': {
      card.tone = 'waiting';
      card.status = [`Iteration ${design.iteration} is ready: approve it, or ask for changes`];
      if (current && design.candidates > 1) showCandidates(card, design, current);
      const expires: CardText[] = design.holdExpiresAt
        ? [', returned if not approved by ', { at: design.holdExpiresAt, show: 'deadline' }]
        : [];
      const approvers = approversFact(design.approval);
      card.facts = [
        asked ?? iterationFact,
        [reservedFact(design), ...expires],
        ...(approvers ? [approvers] : []),
      ];
      const roundPrice = design.editPrice * design.candidates;
      card.actions = [
        ...(current && design.candidates > 1 ? [pickButtons(design, current)] : []),
        [
          approveButton(design.id, design.iteration, design.held),
          {
            id: encodeCardAction({
              kind: 'request_changes',
              designId: design.id,
              iteration: design.iteration,
            }),
            label: `Request changes (+${creditCount(roundPrice)})`,
          },
          // Where someone other than the requester approves, they may also turn it down (with a reason).
          ...(approvers ? [declineButton(design.id, design.iteration)] : []),
          cancelButton(design.id),
        ],
        quickEditPresets.map((preset) => ({
          id: encodeCardAction({
            kind: 'edit',
            designId: design.id,
            iteration: design.iteration,
            preset: preset.id,
          }),
          label: roundPrice > 0 ? `${preset.label} (+${creditCount(roundPrice)})` : preset.label,
        })),
      ];
      break;
    }
    case 'generating_views':
    case 'finalizing': {
      const done = design.views.filter((v) => v.view !== 'front' && v.state === 'done').length;
      // A later round regenerates one view of a finished design: say which, not "3 of 4 done".
      const edited =
        design.round > 1
          ? design.views.find((v) => v.view !== 'front' && v.round === design.round)
          : undefined;
      card.status =
        design.state === 'finalizing'
          ? ['All views are done; putting the design together']
          : edited
            ? [
                `Editing the ${edited.view} view (edit ${design.round}), started `,
                { at: edited.startedAt ?? design.updatedAt, show: 'since' } satisfies CardMoment,
              ]
            : [
                `Generating the other views: ${done} of ${remainingViews.length} done, started `,
                { at: design.approvedAt ?? design.updatedAt, show: 'since' } satisfies CardMoment,
                usually(design.typicalSeconds),
              ].filter((part) => part !== '');
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
      // A safety block would only be blocked again: no Retry, a way forward instead.
      const blocked = design.failure?.kind === 'blocked';
      card.status = [
        blocked
          ? 'The image model refused this request (its safety filters). Trying again would be refused too: start a new design with a different description.'
          : (design.failure?.message ?? 'The design could not be generated.'),
      ];
      card.facts = [
        iterationFact,
        [
          design.charged > 0
            ? `${creditCount(design.charged)} charged earlier`
            : 'Nothing was charged; the reserved credits are back',
        ],
      ];
      card.actions = [
        blocked
          ? [cancelButton(design.id)]
          : [
              {
                id: encodeCardAction({ kind: 'retry', designId: design.id }),
                label: 'Retry',
                style: 'primary',
              },
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
    case 'declined': {
      card.tone = 'ended';
      const declined = design.declined;
      card.status = declined
        ? [
            `Declined by `,
            { mention: declined.by },
            `: “${truncate(declined.reason.replace(/\s+/g, ' '), 300)}”`,
          ]
        : ['Declined'];
      card.facts = [iterationFact, ['Nothing was charged; the reserved credits are back']];
      break;
    }
  }
  if (design.budgetNotice) card.facts.push([budgetFact(design.budgetNotice)]);
  const source = sourceImageOf(design);
  if (source) card.sourceImage = source;
  return card;
}

/**
 * "6 credits reserved", or with several candidates "4 candidates · 6 credits reserved": what a round
 * draws and holds is on the card before anything is generated.
 */
function reservedFact(design: DesignSnapshot): string {
  const reserved = `${creditCount(design.held)} reserved`;
  return design.candidates > 1 ? `${design.candidates} candidates · ${reserved}` : reserved;
}

/**
 * The iteration's candidates side by side: the card shows the picked one as its front view (approve and
 * the edits act on it), and says which to pick while none is.
 */
function showCandidates(
  card: DesignCard,
  design: DesignSnapshot,
  current: DesignSnapshot['iterations'][number],
): void {
  card.candidates = current.candidates.map(({ candidate, imageKey }) => ({
    number: candidate,
    key: imageKey,
    alt: `Front view, iteration ${current.iteration}, candidate ${candidate}`,
    picked: candidate === current.picked,
  }));
  const picked = card.candidates.find((candidate) => candidate.picked);
  card.image = picked ? { key: picked.key, alt: picked.alt } : null;
  card.status = picked
    ? [
        `Iteration ${design.iteration} is ready: candidate ${picked.number} of ${card.candidates.length} picked; approve it, or ask for changes`,
      ]
    : [
        `Iteration ${design.iteration} is ready: pick one of the ${card.candidates.length} candidates, then approve it or ask for changes`,
      ];
}

/** "Pick 1" … "Pick N" for the iteration's candidates; the picked one says so. */
function pickButtons(design: DesignSnapshot, current: DesignSnapshot['iterations'][number]): CardButton[] {
  return current.candidates.map(({ candidate }) => ({
    id: encodeCardAction({ kind: 'pick', designId: design.id, iteration: design.iteration, candidate }),
    label: candidate === current.picked ? `Picked ${candidate}` : `Pick ${candidate}`,
    ...(candidate === current.picked ? { style: 'primary' as const } : {}),
  }));
}

/** Told once per level and month, on the card of the design that crossed it: the team and its admins see it. */
function budgetFact(notice: NonNullable<DesignSnapshot['budgetNotice']>): string {
  const month = new Date(`${notice.month}-01T00:00:00Z`).toLocaleString('en', {
    month: 'long',
    timeZone: 'UTC',
  });
  const used = `$${notice.spentUsd.toFixed(2)} of $${notice.capUsd.toFixed(2)}`;
  return notice.level === 100
    ? `This workspace has used its AI budget for ${month} (${used}): new designs wait until next month unless an admin raises it in /design settings.`
    : `This workspace has used ${notice.level}% of its AI budget for ${month} (${used}). Admins can change it in /design settings.`;
}

/**
 * Who may approve, where it is not simply the requester: "Approved by a member of @leads or an admin".
 * Null where the requester approves their own design and there is no group (nothing to say).
 */
function approversFact(policy: DesignSnapshot['approval']): CardText[] | null {
  const group = policy.approverGroup;
  if (group === null)
    return needsApprover(policy) ? ['Approved by a workspace admin, not the requester'] : null;
  return requestersMayApprove(policy)
    ? ['Approved by the requester, a member of ', { group }, ' or an admin']
    : ['Approved by a member of ', { group }, ' or an admin, not the requester'];
}

/** "Iteration 3: “thinner band”, asked by @ada" (a preset by its label). */
function editFact(iteration: DesignSnapshot['iterations'][number]): CardText[] {
  const preset = iteration.preset === null ? undefined : findPreset(iteration.preset);
  const what = preset
    ? preset.label
    : iteration.feedback !== null
      ? `“${truncate(iteration.feedback.replace(/\s+/g, ' '), 80)}”`
      : 'changes';
  return [`Iteration ${iteration.iteration}: ${what}, asked by `, { mention: iteration.requestedBy }];
}

function waitText(seconds: number): string {
  if (seconds < 60) return `${Math.max(5, Math.ceil(seconds / 5) * 5)} s`;
  const minutes = Math.round(seconds / 60);
  return `${minutes} min`;
}

/**
 * Approve this iteration, with what it costs and a confirmation: the same button wherever a design waits
 * (its card, a list of what waits for someone).
 */
export function approveButton(designId: string, iteration: number, held: number): CardButton {
  return {
    id: encodeCardAction({ kind: 'approve', designId, iteration }),
    // What approving costs is on the button itself: not every platform can confirm a click.
    label: held > 0 ? `Approve (${creditCount(held)})` : 'Approve',
    style: 'primary',
    confirm: {
      title: 'Approve this front view?',
      text: `The back, side, top and bottom views are generated from it. ${creditCount(held)} will be charged once they are done; nothing if they fail.`,
      confirm: 'Approve',
      deny: 'Not yet',
    },
  };
}

/** Decline this iteration: opens the form that asks why. */
export function declineButton(designId: string, iteration: number): CardButton {
  return {
    id: encodeCardAction({ kind: 'decline', designId, iteration }),
    label: 'Decline',
    style: 'danger',
  };
}

function cancelButton(designId: string): CardButton {
  return { id: encodeCardAction({ kind: 'cancel', designId }), label: 'Cancel', style: 'danger' };
}
