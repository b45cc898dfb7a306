import type { PlatformComposition, PlatformDeps } from './platform-composition.ts';
import { ThreadedCardNotifier } from '../bots/chat/threaded-card-notifier.ts';
import { unlimited } from '../bots/rate-limit/rate-limiter.ts';
import { createDiscordBot, discordRest } from '../bots/discord/discord-bot.ts';
import { DiscordCardOutbound } from '../bots/discord/discord-card-outbound.ts';
import type { Config } from '../config.ts';
import { ChatPosts } from '../workflow/chat-posts.ts';
import { CoalescingNotifier, freshSnapshotsFrom } from '../workflow/coalescing-notifier.ts';
import { composeChatCore } from './chat-core.ts';

/** Discord's per-channel limit is about 5 message edits per 5 s: one card edit a second at most. */
const cardUpdateIntervalMs = 1_000;

/** Discord: a gateway bot; its attach resolves once the gateway session is ready. */
export function composeDiscord(
  config: NonNullable<Config['discord']>,
  deps: PlatformDeps,
): PlatformComposition {
  const logger = deps.logger.child({ platform: 'discord' });
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
    platform: 'discord',
    notifier: coalesced,
    receives: 'bot',
    description: 'gateway bot',
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
