import type { BurstGateOptions } from '../../../src/bots/chat/burst-gate.ts';
import type { ChatWorkQueue } from '../../../src/bots/chat/work/chat-work.ts';
import type { RateLimiter } from '../../../src/bots/rate-limit/rate-limiter.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import type { Notifier } from '../../../src/workflow/ports/notifier.ts';
import { LocalImageStore } from '../../../src/storage/images/local-image-store.ts';
import { ChatPosts } from '../../../src/workflow/chat-posts.ts';
import { CardTokens } from '../../../src/workflow/card-tokens.ts';
import { ThreadedCardNotifier } from '../../../src/bots/chat/threaded-card-notifier.ts';
import { composeChatCore } from '../../../src/compose/chat-core.ts';
import {
  createDiscordBot,
  discordRest,
  registerDiscordCommands,
  type DiscordBot,
} from '../../../src/bots/discord/discord-bot.ts';
import { DiscordCardOutbound } from '../../../src/bots/discord/discord-card-outbound.ts';
import {
  discordInteractionsPath,
  discordInteractionsRoute,
} from '../../../src/bots/discord/discord-interactions-route.ts';
import { discordPublicKey } from '../../../src/bots/discord/discord-signature.ts';
import { discordImageHostsFor } from '../../../src/bots/discord/discord-platform.ts';
import { startHealthServer, type HttpServerHandle } from '../../../src/http/health-server.ts';
import { DiscordCardRouter } from '../../../src/bots/discord/discord-card-router.ts';
import { DiscordTokenSeal } from '../../../src/bots/discord/discord-token-seal.ts';
import { DiscordWebhookCardOutbound } from '../../../src/bots/discord/discord-webhook-card-outbound.ts';
import { CoalescingNotifier, freshSnapshotsFrom } from '../../../src/workflow/coalescing-notifier.ts';
import { startFakeDiscord, type FakeDiscord, type FakeMessage } from '../../fakes/fake-discord.ts';
import { buttonsOf } from './discord-v2-read.ts';
import { createHarness, silentLogger, type Harness } from '../../workflow/workflow-harness.ts';

/** The server of `userInstalls` kits where the bot is not (ada and bob use Facet there as a user install). */
export const elsewhereGuildId = '1000000000000000002';

export const members = {
  ada: '2000000000000000001',
  bob: '2000000000000000002',
  mia: '2000000000000000003',
  lee: '2000000000000000004',
} as const;

const token = 'discord-test-token.kit';

/** How interactions reach Facet: the gateway (discord.js client), or signed POSTs to /discord/interactions. */
export type DiscordTransport = 'gateway' | 'http';

export type DiscordKit = {
  h: Harness;
  fake: FakeDiscord;
  transport: DiscordTransport;
  /** Seconds to each acknowledgement the bot timed (its observeAck). */
  acks: number[];
  /** The gateway bot (gateway transport only). */
  bot(): DiscordBot;
  /** HTTP transport: the web server's interactions endpoint URL. */
  endpoint(): string;
  /**
   * Another web process as `facet start --role web` runs it (its own server, route and chat layer; the same
   * database): its interactions endpoint URL. Closed with the kit.
   */
  startWebProcess(): Promise<string>;
  /** Stops the bot and starts a new one on the same database, as a restart would. */
  restart(): Promise<void>;
  /** The card message of a design, once posted, in its latest state. */
  card(designId: string): Promise<FakeMessage>;
  /** A button on a message by its label. */
  button(message: FakeMessage, label: RegExp): string;
  /** Waits until the design's card shows a button with this label; returns the card and the button's id. */
  waitForButton(designId: string, label: RegExp): Promise<{ card: FakeMessage; id: string }>;
  designOf(userId: string): Promise<string>;
  workspaceId(): Promise<string>;
  /** The card notifier a freshly started process would build: nothing in memory. */
  restartedNotifier(): Notifier;
  close(): Promise<void>;
};

/**
 * The real discord.js bot against a fake Discord (gateway + REST on 127.0.0.1), the real workflow behind
 * it. Members: ada and bob (plain), mia (Manage Server), lee (role "leads"). With `transport: 'http'` the
 * fake delivers every interaction as a signed POST to the real web server's /discord/interactions instead.
 */
export async function startDiscordKit(
  label: string,
  /**
   * `transport`: interactions over the gateway or as signed HTTP requests; `messageContent`: the bot
   * reads replies in cards' threads (DISCORD_MESSAGE_CONTENT); `userInstalls`: also a server without the
   * bot (`elsewhereGuildId`), and `/design` registered globally.
   */
  options: {
    limiter?: RateLimiter;
    transport?: DiscordTransport;
    messageContent?: boolean;
    userInstalls?: boolean;
    /** HTTP transport: where deferred interactions wait for their work (else the route works on them). */
    chatWork?: ChatWorkQueue;
    /** Gateway: how work waits for a burst's deferrals. */
    burst?: BurstGateOptions;
  } = {},
): Promise<DiscordKit> {
  const transport = options.transport ?? 'gateway';
  const fake = await startFakeDiscord({
    token,
    guilds: [
      {
        id: '1000000000000000001',
        name: 'Design Studio',
        // The owner is an admin wherever Discord says who someone is: the manager, not a plain member.
        ownerId: members.mia,
        roles: [
          { id: '3000000000000000001', name: 'managers', permissions: ['MANAGE_GUILD'] },
          { id: '3000000000000000002', name: 'leads' },
        ],
        members: [
          { id: members.ada, username: 'ada' },
          { id: members.bob, username: 'bob' },
          { id: members.mia, username: 'mia', roles: ['managers'] },
          { id: members.lee, username: 'lee', roles: ['leads'] },
        ],
      },
      ...(options.userInstalls
        ? [
            {
              id: elsewhereGuildId,
              name: 'Elsewhere',
              botAbsent: true,
              channels: [{ name: 'general' }],
              members: [
                { id: members.ada, username: 'ada' },
                { id: members.bob, username: 'bob' },
              ],
            },
          ]
        : []),
    ],
  });
  const rest = discordRest(token, fake.apiUrl);
  const imageDir = await mkdtemp(path.join(tmpdir(), 'facet-discord-images-'));
  // Discord gets images as attachments from our store: its URL is never handed out.
  const images = new LocalImageStore({
    dir: imageDir,
    publicUrl: 'http://127.0.0.1:9',
    secret: 'image-secret',
  });
  const outbound = new DiscordCardOutbound({ rest, images });
  let coalesced!: CoalescingNotifier;
  let webhookCards!: DiscordWebhookCardOutbound;
  const h = await createHarness(label, {
    images,
    notifier: (db) => {
      webhookCards = new DiscordWebhookCardOutbound({
        tokens: new CardTokens(db),
        rest,
        images,
        applicationId: fake.applicationId,
        seal: new DiscordTokenSeal(token),
        clock: () => new Date(),
      });
      const cards = new ThreadedCardNotifier({
        outbound: new DiscordCardRouter(outbound, webhookCards),
        posts: new ChatPosts(db),
      });
      coalesced = new CoalescingNotifier(cards, {
        intervalMs: 20,
        logger: silentLogger,
        redeliveryMs: 100,
        fresh: freshSnapshotsFrom(db),
      });
      return coalesced;
    },
  });
  await registerDiscordCommands({
    token,
    applicationId: fake.applicationId,
    guildId: fake.guild.id,
    apiUrl: fake.apiUrl,
  });
  const core = () =>
    composeChatCore(
      { db: h.test.db, clock: () => new Date(), limiter: options.limiter },
      { service: h.workflow.service, ledger: h.ledger },
      (design) => coalesced.redeliver(design),
    );
  if (options.userInstalls)
    await registerDiscordCommands({ token, applicationId: fake.applicationId, apiUrl: fake.apiUrl });
  const makeBot = () =>
    createDiscordBot({
      token,
      apiUrl: fake.apiUrl,
      core: core(),
      cards: outbound,
      webhookCards,
      observeAck: (seconds) => acks.push(seconds),
      messageContent: options.messageContent,
      burst: options.burst,
      logger: silentLogger,
    });
  const acks: number[] = [];
  /** HTTP transport: the web role's server with the interactions route, as a process runs it. */
  const startWeb = async (): Promise<HttpServerHandle> => {
    const route = discordInteractionsRoute({
      publicKey: discordPublicKey(fake.publicKey),
      rest,
      core: core(),
      cards: outbound,
      imageHosts: discordImageHostsFor(fake.apiUrl),
      webhookCards,
      observeAck: (seconds) => acks.push(seconds),
      chatWork: options.chatWork,
      logger: silentLogger,
    });
    return startHealthServer(h.test.db, '127.0.0.1', 0, () => [route]);
  };
  const extraWebs: HttpServerHandle[] = [];
  let bot: DiscordBot | undefined;
  let web: HttpServerHandle | undefined;
  if (transport === 'gateway') {
    bot = makeBot();
    await bot.start();
  } else {
    web = await startWeb();
    fake.deliverInteractionsTo([`${web.url}${discordInteractionsPath}`]);
  }

  const surfaceOf = async (designId: string) =>
    (await h.workflow.service.snapshot(designId))?.surface.discord as
      { channelId: string; messageId?: string } | undefined;

  async function card(designId: string): Promise<FakeMessage> {
    let message: FakeMessage | undefined;
    await expect
      .poll(
        async () => {
          const surface = await surfaceOf(designId);
          message = surface?.messageId ? fake.message(surface.channelId, surface.messageId) : undefined;
          return message;
        },
        { timeout: 10_000 },
      )
      .toBeDefined();
    return message!;
  }
  function button(message: FakeMessage, label: RegExp): string {
    // The card is Components V2: its buttons sit in rows inside a container.
    const buttons = buttonsOf(message);
    const found = buttons.find((b) => b.label !== undefined && label.test(b.label));
    if (!found?.custom_id)
      throw new Error(`no button ${String(label)} among ${buttons.map((b) => b.label).join(', ')}`);
    return found.custom_id;
  }

  return {
    h,
    fake,
    transport,
    acks,
    bot: () => {
      if (!bot) throw new Error('the HTTP transport has no gateway bot');
      return bot;
    },
    endpoint: () => {
      if (!web) throw new Error('the gateway transport has no interactions endpoint');
      return `${web.url}${discordInteractionsPath}`;
    },
    async restart() {
      if (bot) {
        await bot.stop();
        bot = makeBot();
        await bot.start();
      }
      if (web) {
        await web.close();
        web = await startWeb();
        fake.deliverInteractionsTo([`${web.url}${discordInteractionsPath}`]);
      }
    },
    async startWebProcess() {
      const extra = await startWeb();
      extraWebs.push(extra);
      return `${extra.url}${discordInteractionsPath}`;
    },
    card,
    button,
    async waitForButton(designId, label) {
      let found: { card: FakeMessage; id: string } | undefined;
      await expect
        .poll(
          async () => {
            const message = await card(designId);
            try {
              found = { card: message, id: button(message, label) };
            } catch {
              found = undefined;
            }
            return found;
          },
          { timeout: 10_000 },
        )
        .toBeDefined();
      return found!;
    },
    async designOf(userId) {
      let id: string | undefined;
      await expect
        .poll(
          async () =>
            (id = (
              await h.test.db
                .selectFrom('designs')
                .select('id')
                .where('requester_id', '=', userId)
                .orderBy('created_at', 'desc')
                .executeTakeFirst()
            )?.id),
          { timeout: 10_000 },
        )
        .toBeDefined();
      return id!;
    },
    async workspaceId() {
      const row = await h.test.db
        .selectFrom('workspaces')
        .select('id')
        .where('platform', '=', 'discord')
        .where('external_id', '=', fake.guild.id)
        .executeTakeFirstOrThrow();
      return row.id;
    },
    restartedNotifier: () =>
      new ThreadedCardNotifier({
        outbound: new DiscordCardOutbound({ rest: discordRest(token, fake.apiUrl), images }),
        posts: new ChatPosts(h.test.db),
      }),
    async close() {
      await bot?.stop();
      await web?.close();
      for (const extra of extraWebs) await extra.close();
      await h.close();
      await fake.close();
      await rm(imageDir, { recursive: true, force: true });
    },
  };
}
