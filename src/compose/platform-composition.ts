import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { CreditLedger } from '../credits/ledger.ts';
import type { HttpRoute } from '../http/health-server.ts';
import type { Platform } from '../platform.ts';
import type { RateLimiter } from '../bots/rate-limit/rate-limiter.ts';
import type { FacetDatabase } from '../storage/database.ts';
import type { DesignService } from '../workflow/design-service.ts';
import type { ImageStore } from '../workflow/ports/image-store.ts';
import type { Notifier } from '../workflow/ports/notifier.ts';
import type { BudgetCaps } from '../workflow/budgets/ai-budgets.ts';
import type { DesignPageLinker } from '../bots/card/design-card.ts';
import type { DesignLinks } from '../workflow/design-links.ts';
import type { ChatWorkHandler, ChatWorkQueue } from '../bots/chat/work/chat-work.ts';

/** What every platform is built from. */
export type PlatformDeps = {
  db: FacetDatabase;
  images: ImageStore;
  clock: Clock;
  logger: Logger;
  /** Seconds from a request's arrival to the platform having our first answer. */
  observeAck?: ((seconds: number) => void) | undefined;
  /** Commands, clicks and forms per person per minute; none when left out. */
  limiter?: RateLimiter | undefined;
  /** The most a workspace's admins may grant in 24 hours; no ceiling when left out. */
  adminGrantsPerDay?: number | undefined;
  /** The "Open design page" link of a design's card; no link when left out. */
  designPageLink?: DesignPageLinker | undefined;
  /** The design pages' public links, for a platform that previews shared ones (Slack unfurls). */
  designLinks?: { baseUrl: string; links: DesignLinks } | undefined;
  /** The operator's caps on estimated AI spend, for what `/design usage` shows; none when left out. */
  budgets?: BudgetCaps | undefined;
  /** Where requests answered before their work wait for it; the receiving process works on them when left out. */
  chatWork?: ChatWorkQueue | undefined;
};

/** A chat platform as the composition root runs it, whichever it is. */
export type PlatformComposition = {
  platform: Platform;
  /** Shows design changes on the platform; given to the workflow. */
  notifier: Notifier;
  /** The role its requests reach: HTTP requests the `web` role, a connection Facet opens the `bot` role. */
  receives: 'web' | 'bot';
  /** How it runs, for the start log, e.g. "Socket Mode, one workspace". */
  description: string;
  /** Starts receiving once the workflow exists; HTTP requests then arrive through `route`. */
  attach(
    service: DesignService,
    ledger: CreditLedger,
  ): Promise<{ route?: HttpRoute | undefined; stop: () => Promise<void> }>;
  /** Resolves once every card update in flight has reached the platform (shutdown). */
  flush(): Promise<void>;
  /** Works on the platform's requests from the chat work queue (a worker role's part); none if it adds none. */
  work?(service: DesignService, ledger: CreditLedger): ChatWorkHandler;
};
