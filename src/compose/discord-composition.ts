import type { PlatformComposition, PlatformDeps } from './platform-composition.ts';
import { createDiscordBot, discordRest } from '../bots/discord/discord-bot.ts';
import { DiscordCardOutbound } from '../bots/discord/discord-card-outbound.ts';
import {
  discordInteractionsPath,
  discordInteractionsRoute,
} from '../bots/discord/discord-interactions-route.ts';
import { discordImageHostsFor } from '../bots/discord/discord-platform.ts';
import { discordInteractionWork } from '../bots/discord/discord-interaction-work.ts';
import { discordPublicKey } from '../bots/discord/discord-signature.ts';
import { DiscordCardRouter } from '../bots/discord/discord-card-router.ts';
import { DiscordTokenSeal } from '../bots/discord/discord-token-seal.ts';
import { DiscordWebhookCardOutbound } from '../bots/discord/discord-webhook-card-outbound.ts';
import { CardTokens } from '../workflow/card-tokens.ts';
import type { Config } from '../config.ts';
import { composeCardNotifier, composeChatCore } from './chat-core.ts';

/** Discord's per-channel limit is about 5 message edits per 5 s: one card edit a second at most. */
const cardUpdateIntervalMs = 1_000;

/**
 * Discord in one of its two modes. With DISCORD_PUBLIC_KEY, HTTP interactions: Discord POSTs each
 * interaction to the web role's /discord/interactions (the Developer Portal's Interactions Endpoint URL,
 * which also stops gateway delivery), and no gateway connection is opened. Without it, a gateway bot
 * whose attach resolves once the gateway session is ready.
 */
export function composeDiscord(
  config: NonNullable<Config['discord']>,
  deps: PlatformDeps,
): PlatformComposition {
  const logger = deps.logger.child({ platform: 'discord' });
  const rest = discordRest(config.token, config.apiUrl);
  const outbound = new DiscordCardOutbound({ rest, images: deps.images });
  const publicKey = config.publicKey === undefined ? undefined : discordPublicKey(config.publicKey);
  const core = (
    service: Parameters<PlatformComposition['attach']>[0],
    ledger: Parameters<PlatformComposition['attach']>[1],
  ) => composeChatCore(deps, { service, ledger }, (design) => coalesced.redeliver(design));
  // Cards made where the bot is not (user installs, DMs) go through interaction webhooks instead.
  const webhookCards = new DiscordWebhookCardOutbound({
    tokens: new CardTokens(deps.db),
    rest,
    images: deps.images,
    applicationId: config.applicationId,
    seal: new DiscordTokenSeal(config.token),
    clock: deps.clock,
  });
  const cards = new DiscordCardRouter(outbound, webhookCards);
  const coalesced = composeCardNotifier(cards, deps, { intervalMs: cardUpdateIntervalMs, logger });
  return {
    platform: 'discord',
    notifier: coalesced,
    receives: publicKey ? 'web' : 'bot',
    description: publicKey ? `HTTP interactions at ${discordInteractionsPath}` : 'gateway bot',
    flush: () => coalesced.flush(),
    // Interactions the web role deferred (HTTP mode): worked on wherever the chat work queue runs. The
    // gateway bot works on its own: handing off cost its burst more than it saved (docs/performance.md).
    work: publicKey
      ? (service, ledger) =>
          discordInteractionWork({
            rest,
            core: core(service, ledger),
            cards: outbound,
            imageHosts: discordImageHostsFor(config.apiUrl),
            webhookCards,
            logger,
          }).handle
      : undefined,
    async attach(service, ledger) {
      if (publicKey) {
        const route = discordInteractionsRoute({
          publicKey,
          rest,
          core: core(service, ledger),
          cards: outbound,
          imageHosts: discordImageHostsFor(config.apiUrl),
          webhookCards,
          observeAck: deps.observeAck,
          chatWork: deps.chatWork,
          logger,
        });
        return { route, stop: () => Promise.resolve() };
      }
      const bot = createDiscordBot({
        token: config.token,
        apiUrl: config.apiUrl,
        core: core(service, ledger),
        cards: outbound,
        webhookCards,
        observeAck: deps.observeAck,
        messageContent: config.messageContent,
        logger,
      });
      await bot.start();
      return { stop: () => bot.stop() };
    },
  };
}
