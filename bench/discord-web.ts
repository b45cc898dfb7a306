/*
 * The web processes of `npm run bench:discord -- --http` (bench/discord-http-run.ts): each one is
 * bench/discord-web-process.ts, wired as `facet start --role web` wires Discord in HTTP mode
 * (composeDiscord with DISCORD_PUBLIC_KEY: the /discord/interactions route on the health server; BullMQ
 * to enqueue, no worker), on the same Postgres and Redis as the others.
 */
import { forkChild } from './forked-child.ts';

export type DiscordWebSettings = {
  databaseUrl: string;
  poolSize: number;
  redisUrl: string;
  prefix: string;
  queueName: string;
  geminiUrl: string;
  openaiUrl: string;
  images: { dir: string; publicUrl: string; secret: string };
  token: string;
  applicationId: string;
  apiUrl: string;
  publicKey: string;
  logLevel: string;
};

export type LoopFigures = { p50: number; p99: number; max: number };
/** The burst as one web process saw it: its loop's delay, and when each request arrived and was answered. */
export type BurstFigures = LoopFigures & {
  /** Each request's arrival (its handler running) and its answer written, epoch ms (timeOrigin + now). */
  served: { arrivedAt: number; answeredAt: number }[];
};

export type DiscordWebRequest =
  | { id: number; op: 'start'; arg: DiscordWebSettings }
  | { id: number; op: 'burst-start' | 'burst-stop' | 'whole' | 'cpu' | 'flush' | 'close'; arg: null };

export type DiscordWeb = {
  /** The process's interactions endpoint URL. */
  url: string;
  /** Starts measuring the event loop's delay for the burst. */
  burstStart(): Promise<void>;
  /** The event loop's delay since burstStart, and each interaction's time from arrival to answer, ms. */
  burstStop(): Promise<BurstFigures>;
  /** The event loop's delay since the process started serving, ms. */
  whole(): Promise<LoopFigures>;
  /** CPU the process has used so far, ms. */
  cpuMs(): Promise<number>;
  /** Waits until the card updates this process started have reached the fake Discord. */
  flush(): Promise<void>;
  close(): Promise<void>;
};

export async function forkDiscordWeb(settings: DiscordWebSettings, label: string): Promise<DiscordWeb> {
  const child = forkChild<DiscordWebRequest['op']>(
    new URL('./discord-web-process.ts', import.meta.url),
    label,
  );
  const url = await child.call<string>('start', settings);
  return {
    url,
    burstStart: () => child.call('burst-start', null),
    burstStop: () => child.call('burst-stop', null),
    whole: () => child.call('whole', null),
    cpuMs: () => child.call('cpu', null),
    flush: () => child.call('flush', null),
    close: () => child.close(),
  };
}
