/**
 * The options of a `/design` command, as readDiscordCommand reads them: discord.js's resolver in
 * gateway mode, PayloadCommandOptions over the raw payload in HTTP mode.
 */
/** An attachment option's file as Discord resolved it: where its CDN serves it, and its size in bytes. */
export type DiscordAttachment = { url: string; size: number };

export type DiscordCommandOptions = {
  getSubcommand(required: false): string | null;
  getString(name: string, required: true): string;
  getString(name: string): string | null;
  getInteger(name: string, required: true): number;
  getInteger(name: string): number | null;
  getNumber(name: string): number | null;
  getBoolean(name: string): boolean | null;
  getUser(name: string, required: true): { id: string; bot: boolean };
  getRole(name: string): { id: string } | null;
  getAttachment(name: string): DiscordAttachment | null;
};
