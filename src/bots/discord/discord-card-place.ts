import { z } from 'zod';

/** Where a design's card lives in Discord (designs.surface.discord), so any process can update it. */
const discordCardPlaceSchema = z.object({
  guildId: z.string().min(1),
  channelId: z.string().min(1),
  /** The card message; unset until the first reply has been sent. */
  messageId: z.string().min(1).optional(),
});

export type DiscordCardPlace = z.infer<typeof discordCardPlaceSchema>;

export function readDiscordCardPlace(surface: Record<string, unknown>): DiscordCardPlace | undefined {
  const parsed = discordCardPlaceSchema.safeParse(surface.discord);
  return parsed.success ? parsed.data : undefined;
}
