/*
 * The fake Discord side of bench/discord.ts: the operations the bench needs (start designs, click Approve,
 * fire a burst of slash commands and time it, report errors), over a FakeDiscord that runs either in a
 * process of its own (bench/discord-fake-process.ts, the default: Discord's accept queue and HTTP parsing
 * never wait on the bot's event loop, nor the bot's work on the fake's) or inline, in the bench's process.
 *
 * Times are performance.timeOrigin + performance.now() (sub-millisecond, comparable across the two
 * processes); the fake's own stamps (`dispatchedAt`, a callback's `at`) are Date.now() milliseconds.
 */
import { forkChild } from './forked-child.ts';
import { MessageFlag } from '../test/fakes/fake-discord-limits.ts';
import {
  startFakeDiscord,
  type FakeDiscord,
  type FakeInteraction,
  type FakeMessage,
} from '../test/fakes/fake-discord.ts';

export type BenchKind = 'create' | 'credits' | 'help';
export type StartOptions = { token: string; memberCount: number };
export type FakeInfo = {
  apiUrl: string;
  applicationId: string;
  guildId: string;
  channelId: string;
  /** The guild's human members, in order. */
  memberIds: string[];
  /** The application's Ed25519 public key (hex), for HTTP interactions. */
  publicKey: string;
};
export type CreateItem = { userId: string; prompt: string };
export type CardRef = { channelId: string; messageId: string; userId: string };
/** The first accepted callback's type (null: none in time) and the ms from dispatch to it. */
export type Answer = { type: number | null; ms: number | null };
export type BurstItem = { kind: BenchKind; userId: string; prompt?: string | undefined };
export type CallbackSeen = {
  type: number;
  flags: number;
  accepted: boolean;
  status: number;
  code: number | null;
  /** The fake's Date.now() stamp. */
  at: number;
};
export type BurstResult = {
  id: string;
  kind: BenchKind;
  userId: string;
  /** When slashCommand() had written the INTERACTION_CREATE frame (epoch ms, sub-ms). */
  sentAt: number;
  /** Right after the fake answered the first accepted callback (epoch ms, sub-ms). */
  deferredAt: number | null;
  /** create: the @original carries the card's embed; credits/help: the private answer is filled in. */
  doneAt: number | null;
  /** The fake's Date.now() stamp of the dispatch. */
  dispatchedAt: number;
  callbacks: CallbackSeen[];
  followUps: number;
  /** HTTP interactions: ms from the signed POST's start to its whole response, and where it went. */
  httpMs: number | null;
  endpoint: string | null;
};
export type FakeReport = {
  calls: number;
  /** `status/code` → count, for every request the fake answered with an error. */
  errors: Record<string, number>;
  errorSamples: string[];
  problems: string[];
};

export type FakeOps = {
  /** `/design create` for each item at once; resolves with each first accepted callback. */
  create(items: CreateItem[]): Promise<Answer[]>;
  /** Clicks Approve on each card; null (nothing clicked) while some card has no Approve button yet. */
  approve(cards: CardRef[]): Promise<Answer[] | null>;
  /** Dispatches every item in one go; resolves once each has its first accepted callback (or 4 s passed). */
  fire(items: BurstItem[]): Promise<BurstResult[]>;
  /** Waits (up to timeoutMs) for the last burst's cards and private answers; the burst as it stands. */
  settle(timeoutMs: number): Promise<BurstResult[]>;
  report(): Promise<FakeReport>;
  /** HTTP interactions from now on: signed POSTs to these endpoints in turn (see FakeDiscord). */
  deliverTo(urls: string[]): Promise<void>;
  close(): Promise<void>;
};

export type FakeDriver = FakeOps & { info: FakeInfo; where: 'process' | 'inline' };

export const epochNow = () => performance.timeOrigin + performance.now();

const responseDeadlineMs = 3000;

/** A button's custom_id on a message, by its label; undefined if there is none (yet). */
/** A button's custom id, found at any depth (a Components V2 card holds its rows in a container). */
function buttonOn(message: FakeMessage, label: RegExp): string | undefined {
  type Part = { type?: number; label?: string; custom_id?: string; components?: Part[] };
  const walk = (parts: Part[]): Part[] => parts.flatMap((part) => [part, ...walk(part.components ?? [])]);
  return walk(message.components as Part[]).find(
    (part) => part.type === 2 && part.label !== undefined && label.test(part.label),
  )?.custom_id;
}

/** Starts a fake Discord with one guild of `memberCount` members and returns the bench's operations on it. */
export async function startFakeOps(options: StartOptions): Promise<{ info: FakeInfo; ops: FakeOps }> {
  const memberIds = Array.from({ length: options.memberCount }, (_, i) =>
    String(2_000_000_000_000_000_000n + BigInt(i + 1)),
  );
  const fake: FakeDiscord = await startFakeDiscord({
    token: options.token,
    guilds: [
      {
        id: '1000000000000000001',
        name: 'Design Studio',
        members: memberIds.map((id, i) => ({ id, username: `member${i + 1}` })),
      },
    ],
  });
  const info: FakeInfo = {
    apiUrl: fake.apiUrl,
    applicationId: fake.applicationId,
    guildId: fake.guild.id,
    channelId: fake.channelId,
    memberIds,
    publicKey: fake.publicKey,
  };

  const answer = (interaction: FakeInteraction, sentAt: number): Promise<Answer> =>
    interaction.response().then(
      (callback) => ({ type: callback.type, ms: epochNow() - sentAt }),
      () => ({ type: null, ms: null }),
    );

  type Tracked = {
    kind: BenchKind;
    userId: string;
    interaction: FakeInteraction;
    sentAt: number;
    deferredAt: number | null;
    doneAt: number | null;
  };
  let burst: Tracked[] = [];
  // The fake re-runs waitFor checks right after answering each request: the stamps are taken there.
  const observe = () => {
    const now = epochNow();
    let deferred = 0;
    let done = 0;
    for (const t of burst) {
      if (t.deferredAt === null && t.interaction.callbacks.some((c) => c.accepted)) t.deferredAt = now;
      if (t.deferredAt !== null) deferred += 1;
      if (t.doneAt === null) {
        const original = t.interaction.original();
        const shown =
          original !== undefined &&
          !original.deleted &&
          (original.flags & MessageFlag.loading) === 0 &&
          (t.kind === 'create'
            ? (original.flags & MessageFlag.componentsV2) !== 0 && original.components.length > 0
            : original.content !== '');
        if (shown) t.doneAt = now;
      }
      if (t.doneAt !== null) done += 1;
    }
    return { deferred, done };
  };
  const results = (): BurstResult[] =>
    burst.map((t) => ({
      id: t.interaction.id,
      kind: t.kind,
      userId: t.userId,
      sentAt: t.sentAt,
      deferredAt: t.deferredAt,
      doneAt: t.doneAt,
      dispatchedAt: t.interaction.dispatchedAt,
      callbacks: t.interaction.callbacks.map((c) => ({
        type: c.type,
        flags: typeof c.data?.flags === 'number' ? c.data.flags : 0,
        accepted: c.accepted,
        status: c.status,
        code: c.error?.code ?? null,
        at: c.at,
      })),
      followUps: t.interaction.followUps().length,
      httpMs: t.interaction.http()?.ms ?? null,
      endpoint: t.interaction.http()?.url ?? null,
    }));

  const ops: FakeOps = {
    async create(items) {
      const sent = items.map(({ userId, prompt }) => {
        const interaction = fake.slashCommand('design', {
          subcommand: 'create',
          options: { prompt },
          userId,
        });
        return { interaction, sentAt: epochNow() };
      });
      return Promise.all(sent.map(({ interaction, sentAt }) => answer(interaction, sentAt)));
    },
    async approve(cards) {
      const found = cards.flatMap((ref) => {
        const card = fake.message(ref.channelId, ref.messageId);
        const id = card ? buttonOn(card, /^Approve\b/) : undefined;
        return card && id ? [{ card, id, userId: ref.userId }] : [];
      });
      if (found.length !== cards.length) return null;
      const sent = found.map(({ card, id, userId }) => ({
        interaction: fake.clickButton(card, id, { userId }),
        sentAt: epochNow(),
      }));
      return Promise.all(sent.map(({ interaction, sentAt }) => answer(interaction, sentAt)));
    },
    async fire(items) {
      burst = items.map(({ kind, userId, prompt }) => {
        const interaction =
          kind === 'create'
            ? fake.slashCommand('design', { subcommand: 'create', options: { prompt: prompt ?? '' }, userId })
            : fake.slashCommand('design', { subcommand: kind, userId });
        return { kind, userId, interaction, sentAt: epochNow(), deferredAt: null, doneAt: null };
      });
      await fake
        .waitFor(
          () => observe().deferred === burst.length || undefined,
          responseDeadlineMs + 1000,
          'every deferral',
        )
        .catch(() => undefined);
      return results();
    },
    async settle(timeoutMs) {
      await fake
        .waitFor(() => observe().done === burst.length || undefined, timeoutMs, 'every card and answer')
        .catch(() => undefined);
      return results();
    },
    report() {
      const failed = fake.calls.filter((c) => c.status >= 400);
      const errors: Record<string, number> = {};
      for (const c of failed) {
        const key = `${c.status}/${c.error?.code ?? '-'}`;
        errors[key] = (errors[key] ?? 0) + 1;
      }
      return Promise.resolve({
        calls: fake.calls.length,
        errors,
        errorSamples: failed
          .slice(0, 5)
          .map((c) => `${c.method} ${c.path} ${c.status} ${JSON.stringify(c.error)}`),
        problems: [...fake.problems],
      });
    },
    deliverTo(urls) {
      fake.deliverInteractionsTo(urls);
      return Promise.resolve();
    },
    close: () => fake.close(),
  };
  return { info, ops };
}

/** Parent → child over IPC: one operation; `start` first. */
export type FakeRequest =
  | { id: number; op: 'start'; arg: StartOptions }
  | { id: number; op: 'create'; arg: CreateItem[] }
  | { id: number; op: 'approve'; arg: CardRef[] }
  | { id: number; op: 'fire'; arg: BurstItem[] }
  | { id: number; op: 'settle'; arg: number }
  | { id: number; op: 'deliverTo'; arg: string[] }
  | { id: number; op: 'report' | 'close'; arg: null };

/** The fake in this process. */
export async function inlineFake(options: StartOptions): Promise<FakeDriver> {
  const { info, ops } = await startFakeOps(options);
  return { ...ops, info, where: 'inline' };
}

/** The fake in a process of its own (bench/discord-fake-process.ts), driven over IPC. */
export async function forkedFake(options: StartOptions): Promise<FakeDriver> {
  const child = forkChild<FakeRequest['op']>(
    new URL('./discord-fake-process.ts', import.meta.url),
    'fake Discord',
    process.env.BENCH_FAKE_NICE ? { nice: Number(process.env.BENCH_FAKE_NICE) } : {},
  );
  const info = await child.call<FakeInfo>('start', options);
  return {
    info,
    where: 'process',
    create: (items) => child.call('create', items),
    approve: (cards) => child.call('approve', cards),
    fire: (items) => child.call('fire', items),
    settle: (timeoutMs) => child.call('settle', timeoutMs),
    report: () => child.call('report', null),
    deliverTo: (urls) => child.call('deliverTo', urls),
    close: () => child.close(),
  };
}
