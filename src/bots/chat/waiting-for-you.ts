import type { Clock } from '../../clock.ts';
import { truncate } from '../../text.ts';
import type { Actor } from '../../workflow/actor.ts';
import type { ApprovalQueue, AwaitingApproval } from '../../workflow/approval-queue.ts';
import type { CreditBalance, WorkspaceCredits } from '../../workflow/workspace-credits.ts';
import type { DesignHistoryEntry, WorkspaceDesigns } from '../../workflow/workspace-designs.ts';
import type { WorkspaceInfo } from '../../workflow/workspace-directory.ts';
import { approveButton, declineButton, type CardButton } from '../card/design-card.ts';
import { creditCount } from '../card/credit-count.ts';
import { settingsAnswer, stateLabels } from './chat-answers.ts';
import type { ChatPlatform } from './chat-platform.ts';
import { chatLines, type ChatText } from './chat-text.ts';

/** A design waiting for the reader's approval, with the buttons they may press on it. */
export type WaitingEntry = AwaitingApproval & { buttons: CardButton[] };

/** One of the reader's own designs: where it is and what it holds or cost, in words. */
export type YourDesign = {
  designId: string;
  prompt: string;
  state: string;
  credits: string;
  iteration: number;
  createdAt: Date;
  /** Its card, where the platform can link to one. */
  url: string | undefined;
};

/**
 * Everything "what waits for me" shows one person (Slack's Home tab, the playground's panel). Only the
 * reader's own: designs they may approve now, their designs, their credits, and for admins the settings.
 */
export type ChatHome = {
  waiting: WaitingEntry[];
  /** More designs wait than are listed (the oldest are). */
  moreWaiting: boolean;
  designs: YourDesign[];
  credits: CreditBalance;
  /** The workspace's settings in words, for admins; null for everyone else. */
  settings: ChatText | null;
};

/** How many designs a Home lists in each section: well inside Slack's 100 blocks per view. */
export const homeListLength = 10;

/**
 * How many designs `/design pending` lists: one row of buttons each, and Discord shows five rows. The
 * oldest come first, so approving them brings the next ones up.
 */
export const pendingListLength = 5;

export type WaitingForYouDeps = {
  queue: ApprovalQueue;
  designs: WorkspaceDesigns;
  credits: WorkspaceCredits;
  platform: ChatPlatform;
  clock: Clock;
};

/** Reads what waits for one person and says it in the chat layer's words, the same on every platform. */
export class WaitingForYou {
  constructor(private readonly deps: WaitingForYouDeps) {}

  async waiting(
    workspace: WorkspaceInfo,
    actor: Actor,
    limit: number,
  ): Promise<{ entries: WaitingEntry[]; more: boolean }> {
    const view = await this.deps.queue.waitingFor({ workspaceId: workspace.id, actor, limit });
    return {
      entries: view.designs.map((design) => ({
        ...design,
        buttons: [
          approveButton(design.designId, design.iteration, design.held),
          ...(design.mayDecline ? [declineButton(design.designId, design.iteration)] : []),
        ],
      })),
      more: view.more,
    };
  }

  async home(workspace: WorkspaceInfo, actor: Actor): Promise<ChatHome> {
    const account = { workspaceId: workspace.id, userId: actor.userId };
    const [waiting, recent, credits] = await Promise.all([
      this.waiting(workspace, actor, homeListLength),
      this.deps.designs.recent({ ...account, requesterId: actor.userId, limit: homeListLength }),
      this.deps.credits.balance(account),
    ]);
    // A link that cannot be made (the platform unreachable) leaves that design unlinked, nothing more.
    const links = await Promise.all(
      recent.map((entry) => this.deps.platform.cardLink(entry.surface).catch(() => undefined)),
    );
    return {
      waiting: waiting.entries,
      moreWaiting: waiting.more,
      designs: recent.map((entry, index) => yourDesign(entry, links[index])),
      credits,
      settings: actor.isAdmin ? settingsAnswer(this.deps.platform.words, workspace, false) : null,
    };
  }

  /** `/design pending`: the list, privately, with each design's buttons on a row of its own. */
  async pendingAnswer(
    workspace: WorkspaceInfo,
    actor: Actor,
  ): Promise<{ text: ChatText; actions: CardButton[][] }> {
    const { entries, more } = await this.waiting(workspace, actor, pendingListLength);
    if (entries.length === 0) return { text: ['Nothing is waiting for your approval.'], actions: [] };
    const now = this.deps.clock();
    return {
      text: chatLines([
        [{ strong: 'Waiting for your approval' }, ' (oldest first)'],
        ...entries.map((entry, index): ChatText => [
          `${index + 1}. `,
          { userText: truncate(entry.prompt.replace(/\s+/g, ' '), pendingPromptLength) },
          ' by ',
          { mention: entry.requesterId },
          `: ${waitingFacts(entry, now)}`,
        ]),
        ...(more
          ? [['More are waiting: these are the oldest. Approve or decline them to see the next.']]
          : []),
      ]),
      // Numbered like the lines, so a button says which design it is for.
      actions: entries.map((entry, index) =>
        entry.buttons.map((button) => ({ ...button, label: numbered(button.label, index + 1) })),
      ),
    };
  }
}

/** How much of each prompt a pending list shows: five of them stay well inside one message. */
const pendingPromptLength = 120;

/** "iteration 2, 3 credits reserved, waiting 5 min". */
export function waitingFacts(entry: AwaitingApproval, now: Date): string {
  return `iteration ${entry.iteration}, ${creditCount(entry.held)} reserved, waiting ${waitedFor(entry.waitingSince, now)}`;
}

/** "Approve (3 credits)" for design 2 reads "Approve #2 (3 credits)". */
function numbered(label: string, n: number): string {
  const space = label.indexOf(' (');
  return space < 0 ? `${label} #${n}` : `${label.slice(0, space)} #${n}${label.slice(space)}`;
}

/** A rough duration: "under a minute", "5 min", "3 h", "2 days". */
export function waitedFor(since: Date, now: Date): string {
  const minutes = Math.floor(Math.max(0, now.getTime() - since.getTime()) / 60_000);
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} days`;
}

function yourDesign(entry: DesignHistoryEntry, url: string | undefined): YourDesign {
  return {
    designId: entry.id,
    prompt: entry.prompt,
    state: stateLabels[entry.state],
    credits:
      entry.held > 0
        ? `${creditCount(entry.held)} reserved`
        : entry.charged > 0
          ? `${creditCount(entry.charged)} charged`
          : 'nothing charged',
    iteration: entry.iteration,
    createdAt: entry.createdAt,
    url,
  };
}
