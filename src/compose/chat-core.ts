import type { Clock } from '../clock.ts';
import type { CreditLedger } from '../credits/ledger.ts';
import type { RateLimiter } from '../bots/rate-limit/rate-limiter.ts';
import type { ChatCore } from '../bots/chat/chat-bot.ts';
import type { FacetDatabase } from '../storage/database.ts';
import { ChatPosts } from '../workflow/chat-posts.ts';
import type { DesignService } from '../workflow/design-service.ts';
import type { DesignSnapshot } from '../workflow/design-snapshot.ts';
import { WorkspaceCredits } from '../workflow/workspace-credits.ts';
import { WorkspaceDesigns } from '../workflow/workspace-designs.ts';
import { WorkspaceDirectory } from '../workflow/workspace-directory.ts';

/** The core's named functions the chat layer calls, the same for every platform. */
export function composeChatCore(deps: {
  db: FacetDatabase;
  service: DesignService;
  ledger: CreditLedger;
  limiter: RateLimiter;
  clock: Clock;
  redeliver: (design: DesignSnapshot) => Promise<void>;
}): ChatCore {
  return {
    service: deps.service,
    workspaces: new WorkspaceDirectory(deps.db),
    credits: new WorkspaceCredits(deps.ledger),
    designs: new WorkspaceDesigns(deps.db),
    posts: new ChatPosts(deps.db),
    redeliver: deps.redeliver,
    limiter: deps.limiter,
    clock: deps.clock,
  };
}
