import { z } from 'zod';

/** Where a design's card lives in Slack (designs.surface.slack), so any process can update it. */
export const slackCardPlaceSchema = z.object({
  teamId: z.string().min(1),
  channelId: z.string().min(1),
  /** The card message; unset until it has been posted. */
  ts: z.string().min(1).optional(),
});

export type SlackCardPlace = z.infer<typeof slackCardPlaceSchema>;

export function readSlackCardPlace(surface: Record<string, unknown>): SlackCardPlace | undefined {
  const parsed = slackCardPlaceSchema.safeParse(surface.slack);
  return parsed.success ? parsed.data : undefined;
}
