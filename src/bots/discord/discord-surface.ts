import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../storage/schema.ts';
import { recordCardLocation } from '../card-location.ts';

/** Where a design's card lives in Discord, kept in designs.surface so any process can update it. */
const discordSurfaceSchema = z.object({
  guildId: z.string().min(1),
  channelId: z.string().min(1),
  /** The card message; unset until the first reply has been sent. */
  messageId: z.string().min(1).optional(),
});

export type DiscordSurface = z.infer<typeof discordSurfaceSchema>;

export function readDiscordSurface(surface: Record<string, unknown>): DiscordSurface | undefined {
  const parsed = discordSurfaceSchema.safeParse(surface.discord);
  return parsed.success ? parsed.data : undefined;
}

export function recordCardMessage(
  db: Kysely<Database>,
  designId: string,
  messageId: string,
): Promise<boolean> {
  return recordCardLocation(db, designId, { platform: 'discord', field: 'messageId', value: messageId });
}
