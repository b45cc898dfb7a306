import { z } from 'zod';
import type { ChatOrigin } from '../chat/chat-request.ts';

/**
 * Where a card lives that only the interaction webhook may touch (a user install, a DM): the same record
 * as a bot card (designs.surface.discord), marked `via: webhook`, so a bot card's code never sees it.
 * `guildId` is the server it was used in, or `@me` in a DM: the card's link works either way.
 */
const webhookCardPlaceSchema = z.object({
  via: z.literal('webhook'),
  guildId: z.string().min(1),
  channelId: z.string().min(1),
  /** The card message; unset until the first reply has been sent. */
  messageId: z.string().min(1).optional(),
});

export type WebhookCardPlace = z.infer<typeof webhookCardPlaceSchema>;

export function readWebhookCardPlace(surface: Record<string, unknown>): WebhookCardPlace | undefined {
  const parsed = webhookCardPlaceSchema.safeParse(surface.discord);
  return parsed.success ? parsed.data : undefined;
}

/** What a new design in a personal workspace records of where its card goes. */
export function webhookCardPlace(origin: ChatOrigin): Record<string, string> {
  const guild =
    'personalCardGuild' in origin && typeof origin.personalCardGuild === 'string'
      ? origin.personalCardGuild
      : '@me';
  return { via: 'webhook', guildId: guild, channelId: origin.channelId };
}
