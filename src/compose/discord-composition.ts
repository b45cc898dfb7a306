import type { Logger } from 'pino';
import { ThreadedCardNotifier } from '../bots/chat/threaded-card-notifier.ts';
import { unlimited, type RateLimiter } from '../bots/rate-limit/rate-limiter.ts';
import { createDiscordBot, discordRest } from '../bots/discord/discord-bot.ts';
import { DiscordCardOutbound } from '../bots/discord/discord-card-outbound.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { CreditLedger } from '../credits/ledger.ts';
import type { FacetDatabase } from '../storage/database.ts';
import { ChatPosts } from '../workflow/chat-posts.ts';
import { CoalescingNotifier, freshSnapshotsFrom } from '../workflow/coalescing-notifier.ts';
import { composeChatCore } from './chat-core.ts';
import type { DesignService } from '../workflow/design-service.ts';
import type { ImageStore } from '../workflow/ports/image-store.ts';
import type { Notifier } from '../workflow/ports/notifier.ts';

/** Discord's per-channel limit is about 5 message edits per 5 s: one card edit a second at most. */
const cardUpdateIntervalMs = 1_000;

export type DiscordComposition = {
  notifier: Notifier;
  /** Resolves once every card update in flight has reached the platform (shutdown). */
  flush(): Promise<void>;
  /** Logs the bot in once the workflow exists; resolves when the gateway session is ready. */
  attach(service: DesignService, ledger: CreditLedger): Promise<{ stop: () => Promise<void> }>;
};

export function composeDiscord(
  config: NonNullable<Config['discord']>,
  deps: {
    db: FacetDatabase;
    images: ImageStore;
    clock: Clock;
    logger: Logger;
    /** Seconds from an interaction's arrival to Discord accepting our first response. */
    observeAck?: (seconds: number) => void;
    /** Commands and clicks per person per minute. */
    limiter?: RateLimiter | undefined;
  },
): DiscordComposition {
  const logger = deps.logger.child({ surface: 'discord' });
  const rest = discordRest(config.token, config.apiUrl);
  const outbound = new DiscordCardOutbound({ rest, images: deps.images });
  const cards = new ThreadedCardNotifier({ outbound, posts: new ChatPosts(deps.db), clock: deps.clock });
  // Other processes update the same cards: each delivery re-reads the design (see CoalescingNotifier).
  const coalesced = new CoalescingNotifier(cards, {
    intervalMs: cardUpdateIntervalMs,
    logger,
    fresh: freshSnapshotsFrom(deps.db),
  });
  return {
    notifier: coalesced,
    flush: () => coalesced.flush(),
    async attach(service, ledger) {
      const bot = createDiscordBot({
        token: config.token,
        apiUrl: config.apiUrl,
        core: composeChatCore({
          db: deps.db,
          service,
          ledger,
          limiter: deps.limiter ?? unlimited,
          clock: deps.clock,
          redeliver: (design) => coalesced.redeliver(design),
        }),
        cards: outbound,
        observeAck: deps.observeAck,
        logger,
      });
      await bot.start();
      return { stop: () => bot.stop() };
    },
  };
}
