import type { Logger } from 'pino';
import { PlaygroundApi } from '../bots/playground/playground-api.ts';
import { unlimited, type RateLimiter } from '../bots/rate-limit/rate-limiter.ts';
import { PlaygroundHub } from '../bots/playground/playground-hub.ts';
import { playgroundRoute } from '../bots/playground/playground-routes.ts';
import type { Clock } from '../clock.ts';
import type { CreditLedger } from '../credits/ledger.ts';
import type { HttpRoute } from '../http/health-server.ts';
import type { FacetDatabase } from '../storage/database.ts';
import type { DesignService } from '../workflow/design-service.ts';
import type { ImageStore } from '../workflow/ports/image-store.ts';
import type { Notifier } from '../workflow/ports/notifier.ts';
import { composeChatCore } from './chat-core.ts';

export type PlaygroundComposition = {
  notifier: Notifier;
  attach(service: DesignService, ledger: CreditLedger): HttpRoute;
  close(): void;
};

/** The local playground: a page at / that drives the workflow like a chat surface. */
export function composePlayground(deps: {
  db: FacetDatabase;
  images: ImageStore;
  clock: Clock;
  logger: Logger;
  /** Commands and clicks per person per minute. */
  limiter?: RateLimiter | undefined;
}): PlaygroundComposition {
  const hub = new PlaygroundHub({ images: deps.images, clock: deps.clock });
  const logger = deps.logger.child({ surface: 'playground' });
  return {
    notifier: hub,
    attach: (service, ledger) =>
      playgroundRoute({
        api: new PlaygroundApi({
          core: composeChatCore({
            db: deps.db,
            service,
            ledger,
            limiter: deps.limiter ?? unlimited,
            clock: deps.clock,
            // The page shows every change of this process by itself.
            redeliver: (design) => hub.notify(design),
          }),
          hub,
          logger,
        }),
        hub,
        logger,
      }),
    close: () => hub.close(),
  };
}
