import type { Logger } from 'pino';
import type { CreditLedger } from '../credits/ledger.ts';
import { unlimited } from '../bots/rate-limit/rate-limiter.ts';
import type { ChatCore } from '../bots/chat/chat-bot.ts';
import type { CardMessage, CardOutbound } from '../bots/chat/card-outbound.ts';
import { ThreadedCardNotifier } from '../bots/chat/threaded-card-notifier.ts';
import { ChatPosts } from '../workflow/chat-posts.ts';
import { CoalescingNotifier, freshSnapshotsFrom } from '../workflow/coalescing-notifier.ts';
import type { DesignService } from '../workflow/design-service.ts';
import type { DesignSnapshot } from '../workflow/design-snapshot.ts';
import { WorkspaceCredits } from '../workflow/workspace-credits.ts';
import { WorkspaceDesigns } from '../workflow/workspace-designs.ts';
import { ApprovalQueue } from '../workflow/approval-queue.ts';
import { WorkspaceDirectory } from '../workflow/workspace-directory.ts';
import { WorkspaceUsage } from '../workflow/workspace-usage.ts';
import { AiBudgets } from '../workflow/budgets/ai-budgets.ts';
import type { PlatformDeps } from './platform-composition.ts';

/** The core's named functions the chat layer calls, the same for every platform. */
export function composeChatCore(
  deps: Pick<PlatformDeps, 'db' | 'clock' | 'limiter' | 'adminGrantsPerDay' | 'budgets' | 'designPageLink'>,
  workflow: { service: DesignService; ledger: CreditLedger },
  redeliver: (design: DesignSnapshot) => Promise<void>,
): ChatCore {
  return {
    service: workflow.service,
    workspaces: new WorkspaceDirectory(deps.db),
    credits: new WorkspaceCredits(workflow.ledger, {
      clock: deps.clock,
      adminGrantsPerDay: deps.adminGrantsPerDay ?? Infinity,
    }),
    designs: new WorkspaceDesigns(deps.db),
    queue: new ApprovalQueue(deps.db),
    usage: new WorkspaceUsage({
      db: deps.db,
      clock: deps.clock,
      budgets: new AiBudgets({ db: deps.db, clock: deps.clock, caps: deps.budgets ?? {} }),
    }),
    posts: new ChatPosts(deps.db),
    redeliver,
    limiter: deps.limiter ?? unlimited,
    clock: deps.clock,
    pageLink: deps.designPageLink,
  };
}

/**
 * A platform's cards: the threaded-card notifier over its outbound, at most one edit per design every
 * `intervalMs` (the platform's edit rate). Other processes update the same cards, so each delivery
 * re-reads the design (see CoalescingNotifier).
 */
export function composeCardNotifier<Where extends CardMessage>(
  outbound: CardOutbound<Where>,
  deps: Pick<PlatformDeps, 'db' | 'designPageLink'>,
  options: { intervalMs: number; logger: Logger },
): CoalescingNotifier {
  const cards = new ThreadedCardNotifier({
    outbound,
    posts: new ChatPosts(deps.db),
    pageLink: deps.designPageLink,
  });
  return new CoalescingNotifier(cards, { ...options, fresh: freshSnapshotsFrom(deps.db) });
}
