import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../../helpers/test-database.ts';
import type { DesignSnapshot } from '../../../src/workflow/design-snapshot.ts';
import type { Notifier } from '../../../src/workflow/ports/notifier.ts';
import { MemoryRateLimiter, type RateLimiter } from '../../../src/bots/rate-limit/rate-limiter.ts';
import { buildDesignCard } from '../../../src/bots/card/design-card.ts';
import { oversizedPng, solidImage, textFile } from '../../helpers/input-images.ts';

/**
 * The people of the suite: the one who asks for designs, a plain member of the same workspace, and a
 * member of the group that approves once the workspace names one (useApprovers).
 */
export type ContractUser = 'requester' | 'other' | 'approver';

/** Something a person sent: its private answer, once the platform shows one. */
export type Sent = { answer(): Promise<string> };

/** A change form a click opened, or the private refusal given instead. */
export type Opened = { form: { submit(feedback: string): Promise<Sent> } } | { refusal: string };

/** A file as a person attaches it: what it is called and claims to be, and its bytes. */
export type ContractImage = { name: string; mimetype: string; bytes: Buffer };

/**
 * One platform driven as its users drive it: commands, clicks and forms go in through the platform's
 * real entry point (Bolt over HTTP, discord.js over the gateway, the playground's HTTP API); what the
 * people see comes back from the loopback platform.
 */
export type ChatContractDriver = {
  db: TestDatabase['db'];
  /** Starts a design as the requester; resolves with its id once its card is shown. */
  start(prompt: string): Promise<string>;
  /** The same, asking for `candidates` front views a round (`candidates:N`, or Discord's option). */
  startWithCandidates(prompt: string, candidates: number): Promise<string>;
  /** Sends the requester's command to start a design, for its private answer (a refusal). */
  create(prompt: string): Promise<Sent>;
  /**
   * Starts a design from an image as `user` through the platform's own way of attaching one (Slack's
   * message shortcut and its form, Discord's attachment option, the playground's upload), for its private
   * answer (a refusal; a design that starts has its card instead).
   */
  createWithImage(user: ContractUser, prompt: string, image: ContractImage): Promise<Sent>;
  /** The requester's `/design history` with a position (one design in detail), for its private answer. */
  history(position: number): Promise<Sent>;
  snapshot(designId: string): Promise<DesignSnapshot>;
  /** Waits until the design's card shows a button labelled so; its action id. */
  button(designId: string, label: RegExp): Promise<string>;
  click(user: ContractUser, designId: string, actionId: string): Promise<Sent>;
  /** Clicks a button that opens a form (Request changes, Decline): the form, or the refusal instead. */
  requestChanges(user: ContractUser, designId: string, actionId: string): Promise<Opened>;
  /** From now on the workspace's approver group approves, and requesters may not approve their own. */
  useApprovers(): Promise<void>;
  /** The notices to people posted for a design so far (thread messages; the playground's list), in order. */
  notices(designId: string): Promise<string[]>;
  /** How the platform writes a mention of a person and of the approver group in a notice. */
  mentions: { user(user: ContractUser): string; group: string };
  /**
   * The candidate pictures the design's card shows now, each as the platform carries it (Slack image
   * blocks, Discord embeds of attached files); left out where the page draws them (the playground).
   */
  cardCandidates?: ((designId: string) => Promise<string[]>) | undefined;
  /** For platforms whose cards have a thread of posts (not the playground, whose page draws it). */
  thread?: ThreadDriver | undefined;
  /** Replies written in a card's thread (feedback by replying). */
  replies: ThreadReplyDriver;
};

/** Feedback by replying in a card's thread, through the platform's own entry point for messages. */
export type ThreadReplyDriver = {
  /** The workspace's setting (off until switched on). */
  setEnabled(on: boolean): Promise<void>;
  /** Writes in the design's card thread as this person. */
  reply(user: ContractUser, designId: string, text: string): Promise<SentReply>;
  /** Holds the image model's answers until the returned function is called. */
  holdModel(): () => void;
  /** The text parts of every request the image model received so far, joined per request. */
  modelTexts(): string[];
};

export type SentReply = {
  /** The reaction Facet put on the reply, once it did. */
  reaction(): Promise<string>;
  /** Facet's answer to the reply's author, once given. */
  answer(): Promise<string>;
  /** Whether Facet has reacted to or answered the reply so far. */
  touched(): boolean;
};

export type ThreadDriver = {
  /** What was posted in the card's thread, oldest first: each post's first line, markup removed. */
  posts(designId: string): Promise<string[]>;
  /** A notifier as a freshly started process would have: nothing in memory. */
  restartedNotifier(): Notifier;
};

/** What a platform has, so that only the parts of the contract that apply to it are run. */
export type ChatContractShape = {
  /** Posts a thread under each card (Slack, Discord) rather than drawing it (the playground). */
  threadPosts: boolean;
  /** Makes that thread itself (Discord), rather than its being the replies to the card (Slack). */
  threadMade: boolean;
  /**
   * Reads replies in cards' threads. Discord delivers messages only over its gateway: a Discord served by
   * HTTP interactions alone never sees a reply, and the feature is documented as gateway-only.
   */
  readsThreadReplies: boolean;
};

/** Reads until there is something to read (a platform's answer arrives on its own time). */
export const poll = async <T>(read: () => T | undefined, what: string): Promise<T> => {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

const until = async <T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> => {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

/**
 * The contract every chat platform passes, as BullMQ's one suite every Redis client passes: the same
 * requests mean the same thing everywhere, refusals are private and change nothing, and thread posts
 * are made once each.
 */
export type ChatContractSetup = (options: {
  limiter?: RateLimiter;
}) => Promise<{ driver: ChatContractDriver; close: () => Promise<void> }>;

// One minute throughout, so a test that runs across a minute boundary still counts in one window.
const frozenMinute = () => 1_800_000_000_000;
const slowDown = /You're going a little fast: Facet takes up to 2 commands and clicks a minute/;

export function describeChatContract(name: string, shape: ChatContractShape, setup: ChatContractSetup) {
  describeRateLimits(name, setup);
  if (shape.readsThreadReplies) describeThreadReplies(name, setup);
  describeApprovals(name, shape, setup);
  describeCandidates(name, setup);
  describe(`chat platform contract: ${name}`, () => {
    let driver: ChatContractDriver;
    let close: (() => Promise<void>) | undefined;
    let design: string;

    beforeAll(async () => {
      const started = await setup({});
      driver = started.driver;
      close = started.close;
    });
    afterAll(async () => {
      await close?.();
    });

    const threadOf = (): ThreadDriver => {
      if (!driver.thread) throw new Error(`${name} posts threads but its driver reads none`);
      return driver.thread;
    };

    const stateOf = async (designId: string) => {
      const { state, iteration, held, charged } = await driver.snapshot(designId);
      return { state, iteration, held, charged };
    };

    it('answers a command with a card that offers Approve once the front view is ready', async () => {
      design = await driver.start('a walnut desk organiser');
      await driver.button(design, /^Approve\b/);
      expect(await stateOf(design)).toMatchObject({ state: 'awaiting_approval', iteration: 1, held: 3 });
    });

    it('refuses someone else’s click privately and changes nothing', async () => {
      const before = await stateOf(design);
      const approve = await driver.button(design, /^Approve\b/);
      const sent = await driver.click('other', design, approve);
      expect(await sent.answer()).toMatch(/Only the person who asked for this design/);
      const cancel = await driver.button(design, /^Cancel$/);
      expect(await (await driver.click('other', design, cancel)).answer()).toMatch(
        /Only the person who asked/,
      );
      expect(await stateOf(design)).toEqual(before);
    });

    it('does not show someone else the change form: the refusal comes first, privately', async () => {
      const before = await stateOf(design);
      const opened = await driver.requestChanges(
        'other',
        design,
        await driver.button(design, /^Request changes/),
      );
      expect(opened).toEqual({ refusal: expect.stringMatching(/Only the person who asked/) as unknown });
      expect(await stateOf(design)).toEqual(before);
    });

    it('takes the requester’s quick edit, then refuses the old iteration’s button', async () => {
      const minimal = await driver.button(design, /^More minimal\b/);
      await driver.click('requester', design, minimal);
      await until(
        () => stateOf(design),
        (d) => d.iteration === 2 && d.state === 'awaiting_approval',
        'iteration 2',
      );
      const before = await stateOf(design);
      expect(before.held).toBe(4);
      const stale = await driver.click('requester', design, minimal);
      expect(await stale.answer()).toMatch(/earlier iteration/);
      expect(await stateOf(design)).toEqual(before);
    });

    it('refuses an empty form inside it, then takes the feedback as the next iteration', async () => {
      const opened = await driver.requestChanges(
        'requester',
        design,
        await driver.button(design, /^Request changes/),
      );
      if (!('form' in opened)) throw new Error(`the form did not open: ${opened.refusal}`);
      expect(await (await opened.form.submit('   ')).answer()).toBe('Say what should change.');
      expect((await stateOf(design)).iteration).toBe(2);
      await opened.form.submit('make the tray deeper');
      await until(
        () => stateOf(design),
        (d) => d.iteration === 3 && d.state === 'awaiting_approval',
        'iteration 3',
      );
    });

    it('refuses a form for an iteration that has moved on', async () => {
      const old = `facet1:request_changes:${design}:1`;
      const opened = await driver.requestChanges('requester', design, old);
      expect(opened).toEqual({ refusal: expect.stringMatching(/earlier iteration/) as unknown });
    });

    it('approves for the requester and completes the design, charged once', async () => {
      await driver.click('requester', design, await driver.button(design, /^Approve\b/));
      const done = await until(
        () => stateOf(design),
        (d) => d.state === 'completed',
        'completion',
      );
      expect(done).toMatchObject({ charged: 5, held: 0 });
    });

    it('shows the finished design in detail in /design history: each iteration, the approval, credits', async () => {
      const detail = await (await driver.history(1)).answer();
      expect(detail).toMatch(/a walnut desk organiser/);
      expect(detail).toMatch(/Done; started/);
      expect(detail).toMatch(/Iteration 1: the description, asked by/);
      expect(detail).toMatch(/Iteration 2: More minimal, asked by/);
      expect(detail).toMatch(/Iteration 3: “make the tray deeper”, asked by/);
      expect(detail).toMatch(/Approved by .* \(iteration 3\)/);
      expect(detail).toMatch(/Credits: 5 credits reserved, 5 charged\./);
      expect(detail).toMatch(/Model: \d+ calls?, \d+ s in all\./);
      expect(await (await driver.history(9)).answer()).toMatch(
        /You have 1 recent design, so there is no number 9/,
      );
    });

    it('starts a design from an image: kept with it, and the card says so', async () => {
      const prompt = 'a ceramic vase from this sketch';
      await driver.createWithImage('other', prompt, {
        name: 'sketch.png',
        mimetype: 'image/png',
        bytes: await solidImage('png', { width: 120, height: 90 }),
      });
      const designId = await until(
        async () =>
          (await driver.db.selectFrom('designs').select('id').where('prompt', '=', prompt).executeTakeFirst())
            ?.id,
        (id) => id !== undefined,
        'the design from the image',
      );
      const started = await until(
        () => driver.snapshot(designId!),
        (design) => design.state === 'awaiting_approval',
        'the front view drawn from the image',
      );
      expect(started.inputImageKey).toMatch(/^inputs\/[0-9a-f]{64}\.png$/);
      expect(buildDesignCard(started).sourceImage?.label).toBe('From your sketch');
    });

    it('refuses a text file named .png and a 12 MB image in the same words, creating and charging nothing', async () => {
      const designs = async () =>
        (await driver.db.selectFrom('designs').select('id').execute()).map((row) => row.id).sort();
      const holds = async () => (await driver.db.selectFrom('credit_holds').select('id').execute()).length;
      const [before, held] = [await designs(), await holds()];
      const text = await driver.createWithImage('other', 'a vase from my notes', {
        name: 'sketch.png',
        mimetype: 'image/png',
        bytes: textFile,
      });
      expect(await text.answer()).toBe(
        "That file isn't a PNG, JPEG or WebP image. Nothing was started or charged.",
      );
      const big = await driver.createWithImage('other', 'a vase from a huge photo', {
        name: 'photo.png',
        mimetype: 'image/png',
        bytes: oversizedPng(12),
      });
      expect(await big.answer()).toBe(
        'That image is 12.0 MB; the limit is 10 MB. Nothing was started or charged.',
      );
      expect(await designs()).toEqual(before);
      expect(await holds()).toBe(held);
    });

    if (!shape.threadPosts) return;

    it('posts the thread in order, each post once', async () => {
      const thread = threadOf();
      const posts = await until(
        () => thread.posts(design),
        (p) => p.some((line) => line.startsWith('Spec sheet')),
        'the spec sheet',
      );
      // The status as first posted (Slack) or as it ends (Discord keeps only its current text).
      expect(posts[0]).toMatch(
        /^(Generating the back, side, top and bottom views|Complete: all five views are ready)/,
      );
      // The images in the order they finished. Notices to people may come between them: where a platform
      // shows a round's images in one message that grows (Discord's gallery), the sheets join it after
      // the "complete" notice was posted below it.
      const mentions = driver.mentions;
      const toPeople = [mentions.user('requester'), mentions.user('approver'), mentions.group];
      const images = posts.slice(1).filter((line) => !toPeople.some((mention) => line.startsWith(mention)));
      expect(images[0]).toBe('Front view (approved)');
      expect(images.slice(1, 5).sort()).toEqual(['Back view', 'Bottom view', 'Side view', 'Top view']);
      expect(images.at(-2)).toMatch(/^Contact sheet/);
      expect(images.at(-1)).toBe('Spec sheet (PDF on the design page)');
      expect(new Set(posts).size).toBe(posts.length);
    });

    it('does not post again after a restart between a post and its record', async () => {
      const thread = threadOf();
      // The running notifier may still be adding the last images (a redelivery of the newest card): wait
      // until it holds no gallery lock and the thread stays as it is, or the restart below would meet its
      // lock (failed once in a full run) and `before` could miss what it adds.
      const settled = async () => {
        const locks = await driver.db
          .selectFrom('chat_posts')
          .select('key')
          .where('design_id', '=', design)
          .where('key', '=', 'gallery-lock')
          .execute();
        const posts = await thread.posts(design);
        await new Promise((resolve) => setTimeout(resolve, 200));
        const unchanged = JSON.stringify(await thread.posts(design)) === JSON.stringify(posts);
        return { quiet: locks.length === 0 && unchanged, posts };
      };
      const { posts: before } = await until(settled, (state) => state.quiet, 'the thread to settle');
      // The state a process leaves when it dies after the platform took its posts but before it recorded
      // them: the claims are there, their message refs are not.
      await driver.db
        .updateTable('chat_posts')
        .set({ message_ref: null, claimed_at: sql<Date>`now()` })
        .where('design_id', '=', design)
        .where('key', '!=', 'thread')
        .execute();
      await thread.restartedNotifier().notify(await driver.snapshot(design));
      expect(await thread.posts(design)).toEqual(before);
    });

    if (!shape.threadMade) return;

    it('finds the thread a dead process made instead of making a second one', async () => {
      const thread = threadOf();
      const before = await thread.posts(design);
      // Made, never recorded, and the claim left long enough ago to be taken over.
      await driver.db
        .updateTable('chat_posts')
        .set({ message_ref: null, claimed_at: sql<Date>`now() - interval '10 minutes'` })
        .where('design_id', '=', design)
        .where('key', '=', 'thread')
        .execute();
      await thread.restartedNotifier().notify(await driver.snapshot(design));
      const row = await driver.db
        .selectFrom('chat_posts')
        .select('message_ref')
        .where('design_id', '=', design)
        .where('key', '=', 'thread')
        .executeTakeFirstOrThrow();
      expect(row.message_ref).not.toBeNull();
      expect(await thread.posts(design)).toEqual(before);
    });
  });
}

/** Commands, clicks and forms count alike against one person's limit, on every platform. */
function describeRateLimits(name: string, setup: ChatContractSetup) {
  describe(`chat platform contract: ${name}, rate limits`, () => {
    let driver: ChatContractDriver;
    let close: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      const started = await setup({ limiter: new MemoryRateLimiter(2, frozenMinute) });
      driver = started.driver;
      close = started.close;
    });
    afterAll(async () => {
      await close?.();
    });

    it('refuses a form, a click and a command over the limit privately, and changes nothing', async () => {
      const design = await driver.start('a cork coaster');
      const opened = await driver.requestChanges(
        'requester',
        design,
        await driver.button(design, /^Request changes/),
      );
      if (!('form' in opened)) throw new Error(`the form did not open: ${opened.refusal}`);
      // Two requests so far (the command and the click that opened the form): everything else is refused.
      expect(await (await opened.form.submit('make it rounder')).answer()).toMatch(slowDown);
      const minimal = await driver.button(design, /^More minimal\b/);
      expect(await (await driver.click('requester', design, minimal)).answer()).toMatch(slowDown);
      expect(await (await driver.create('a second coaster')).answer()).toMatch(slowDown);
      const after = await driver.snapshot(design);
      expect(after).toMatchObject({ state: 'awaiting_approval', iteration: 1, held: 3 });
      const designs = await driver.db.selectFrom('designs').select('id').execute();
      expect(designs).toHaveLength(1);
      // Someone else is not slowed down by it.
      const approve = await driver.button(design, /^Approve\b/);
      expect(await (await driver.click('other', design, approve)).answer()).toMatch(
        /Only the person who asked/,
      );
    });
  });
}

/** Approvers are asked once per iteration, may decline with a reason, and the requester hears the outcome. */
/** Several front-view candidates (issue 19): pick one, then approve or edit it; old picks refused. */
function describeCandidates(name: string, setup: ChatContractSetup) {
  describe(`chat platform contract: ${name}, candidates`, () => {
    let driver: ChatContractDriver;
    let close: (() => Promise<void>) | undefined;
    let design: string;
    beforeAll(async () => {
      const started = await setup({});
      driver = started.driver;
      close = started.close;
    });
    afterAll(async () => {
      await close?.();
    });

    const pickedOf = async (designId: string) => {
      const { state, iteration, held, charged, iterations } = await driver.snapshot(designId);
      const current = iterations.find((it) => it.iteration === iteration);
      return { state, iteration, held, charged, picked: current?.picked ?? null };
    };
    /** This iteration's Pick button: the card may still show the one before for a moment. */
    const pickButton = (designId: string, iteration: number, candidate: number) =>
      until(
        () => driver.button(designId, new RegExp(`^Pick(ed)? ${candidate}$`)),
        (id) => id.endsWith(`:${iteration}:${candidate}`),
        `Pick ${candidate} of iteration ${iteration}`,
      );

    it('shows three candidates with Pick buttons, holding 3 + 2 credits, and approves none unpicked', async () => {
      design = await driver.startWithCandidates('a ceramic pour-over kettle', 3);
      const pick2 = await pickButton(design, 1, 2);
      expect(await pickedOf(design)).toEqual({
        state: 'awaiting_approval',
        iteration: 1,
        held: 5,
        charged: 0,
        picked: null,
      });
      const stored = (await driver.snapshot(design)).iterations[0]!.candidates;
      expect(stored).toHaveLength(3);
      if (driver.cardCandidates) {
        const shown = driver.cardCandidates;
        expect(
          await until(
            () => shown(design),
            (pictures) => pictures.length === 3,
            'three candidate pictures',
          ),
        ).toEqual(['Candidate 1', 'Candidate 2', 'Candidate 3']);
      }
      const before = await pickedOf(design);
      const approve = await driver.button(design, /^Approve\b/);
      expect(await (await driver.click('requester', design, approve)).answer()).toMatch(
        /Pick a candidate first/,
      );
      // Someone who may not act picks nothing.
      expect(await (await driver.click('other', design, pick2)).answer()).toMatch(
        /Only the person who asked for this design/,
      );
      expect(await pickedOf(design)).toEqual(before);
    });

    it('picks for the requester, edits the picked one, and refuses the old iteration’s pick', async () => {
      await driver.click('requester', design, await pickButton(design, 1, 2));
      await driver.button(design, /^Picked 2$/);
      expect((await pickedOf(design)).picked).toBe(2);
      const oldPick = await pickButton(design, 1, 1);
      await driver.click('requester', design, await driver.button(design, /^More minimal\b/));
      await pickButton(design, 2, 3);
      expect(await pickedOf(design)).toMatchObject({ state: 'awaiting_approval', iteration: 2, held: 8 });
      const before = await pickedOf(design);
      expect(await (await driver.click('requester', design, oldPick)).answer()).toMatch(/earlier iteration/);
      expect(await pickedOf(design)).toEqual(before);
    });

    it('approves the picked candidate: it is the front view, and the capture is what was held', async () => {
      await driver.click('requester', design, await pickButton(design, 2, 3));
      await driver.button(design, /^Picked 3$/);
      await driver.click('requester', design, await driver.button(design, /^Approve\b/));
      await until(
        () => pickedOf(design),
        (d) => d.state === 'completed',
        'completion',
      );
      const done = await driver.snapshot(design);
      const chosen = done.iterations[1]!.candidates[2]!.imageKey;
      expect(done.views.find((v) => v.view === 'front')!.imageKey).toBe(chosen);
      expect(done).toMatchObject({ charged: 8, held: 0 });
    });
  });
}

function describeApprovals(name: string, shape: ChatContractShape, setup: ChatContractSetup) {
  describe(`chat platform contract: ${name}, approvers`, () => {
    let driver: ChatContractDriver;
    let close: (() => Promise<void>) | undefined;
    let design: string;
    beforeAll(async () => {
      const started = await setup({});
      driver = started.driver;
      close = started.close;
      await driver.useApprovers();
    });
    afterAll(async () => {
      await close?.();
    });

    const stateOf = async (designId: string) => {
      const { state, iteration, held, charged } = await driver.snapshot(designId);
      return { state, iteration, held, charged };
    };
    const approvalNotices = async (designId: string) =>
      (await driver.notices(designId)).filter((text) => text.startsWith(driver.mentions.group));

    it('asks the approver group once per iteration, in the thread, and not the requester', async () => {
      design = await driver.start('a brass door handle');
      await driver.button(design, /^Decline$/);
      const asked = await until(
        () => approvalNotices(design),
        (n) => n.length === 1,
        'the approval request',
      );
      expect(asked[0]).toMatch(/iteration 1 of “a brass door handle”/);
      expect(asked[0]).toContain(driver.mentions.user('requester'));
      // The requester may not approve their own design here: refused privately, nothing changes.
      const before = await stateOf(design);
      const approve = await driver.button(design, /^Approve\b/);
      expect(await (await driver.click('requester', design, approve)).answer()).toMatch(
        /approvers approve designs, not the person who asked for them/,
      );
      expect(await stateOf(design)).toEqual(before);
      // An edit makes a new iteration: asked again, once.
      await driver.click('requester', design, await driver.button(design, /^More minimal\b/));
      await until(
        () => stateOf(design),
        (d) => d.iteration === 2 && d.state === 'awaiting_approval',
        'iteration 2',
      );
      const askedFor = (notices: string[], iteration: number) =>
        notices.filter((text) => text.includes(`iteration ${iteration} of “`)).length;
      await until(
        () => approvalNotices(design),
        (n) => askedFor(n, 2) === 1,
        'a second request',
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      const after = await approvalNotices(design);
      expect(askedFor(after, 2)).toBe(1);
      // A thread keeps the first request; the playground shows what waits now.
      expect(askedFor(after, 1)).toBe(shape.threadPosts ? 1 : 0);
    });

    it('refuses a decline by someone who may not, privately, without opening the form', async () => {
      const before = await stateOf(design);
      const decline = await driver.button(design, /^Decline$/);
      const byOther = await driver.requestChanges('other', design, decline);
      expect(byOther).toEqual({
        refusal: expect.stringMatching(/Only approvers and workspace admins can decline/) as unknown,
      });
      const byRequester = await driver.requestChanges('requester', design, decline);
      expect(byRequester).toEqual({
        refusal: expect.stringMatching(/To stop your own design, use Cancel/) as unknown,
      });
      expect(await stateOf(design)).toEqual(before);
    });

    it('takes an approver’s decline with a reason: nothing charged, the requester told once', async () => {
      const opened = await driver.requestChanges(
        'approver',
        design,
        await driver.button(design, /^Decline$/),
      );
      if (!('form' in opened)) throw new Error(`the form did not open: ${opened.refusal}`);
      expect(await (await opened.form.submit('  ')).answer()).toMatch(/Say why it is declined/);
      expect((await stateOf(design)).state).toBe('awaiting_approval');
      await opened.form.submit('off-brand colours; start from the spring palette');
      const declined = await until(
        () => stateOf(design),
        (d) => d.state === 'declined',
        'the decline',
      );
      expect(declined).toMatchObject({ held: 0, charged: 0 });
      const snapshot = await driver.snapshot(design);
      expect(snapshot.declined?.reason).toBe('off-brand colours; start from the spring palette');
      const told = await until(
        async () =>
          (await driver.notices(design)).filter((text) => text.startsWith(driver.mentions.user('requester'))),
        (n) => n.length === 1,
        'the requester’s notice',
      );
      // Discord escapes the reason's markdown ("off\\-brand").
      expect(told[0]).toMatch(/your design was declined by .*off\\?-brand colours/);
      // A second decline (an old card, a double submit) changes nothing.
      const late = await driver.requestChanges('approver', design, `facet1:decline:${design}:2`);
      expect(late).toEqual({ refusal: expect.stringMatching(/finished/) as unknown });
      // The requester's history keeps who declined and why; nothing was charged.
      const detail = await (await driver.history(1)).answer();
      expect(detail).toMatch(/Declined by .* \(iteration 2\) at .*off\\?-brand colours/);
      expect(detail).toMatch(/Credits: 4 credits reserved, 4 returned\./);
    });

    it('asks nobody where the requester may approve their own design, and lets them', async () => {
      await driver.db.updateTable('workspaces').set({ requesters_approve: true }).execute();
      const own = await driver.start('a brass picture hook');
      await driver.click('requester', own, await driver.button(own, /^Approve\b/));
      await until(
        () => stateOf(own),
        (d) => d.state === 'completed',
        'completion',
      );
      await until(
        () => driver.notices(own),
        (n) => n.some((text) => text.includes('complete')),
        'the completion notice',
      );
      expect(await approvalNotices(own)).toEqual([]);
      await driver.db.updateTable('workspaces').set({ requesters_approve: null }).execute();
    });

    it('lets an approver approve; the requester hears who approved', async () => {
      const second = await driver.start('a brass cabinet knob');
      await driver.click('approver', second, await driver.button(second, /^Approve\b/));
      await until(
        () => stateOf(second),
        (d) => d.state === 'completed',
        'completion',
      );
      const told = await until(
        async () =>
          (await driver.notices(second)).filter((text) => text.startsWith(driver.mentions.user('requester'))),
        (n) => n.some((text) => text.includes('complete')),
        'the completion notice',
      );
      expect(told.join('\n')).toContain(driver.mentions.user('approver'));
      expect(new Set(told).size).toBe(told.length);
    });
  });
}

/** Long enough for a platform to have answered a reply it was going to answer (events are acked first). */
const settleMs = 600;

function describeThreadReplies(name: string, setup: ChatContractSetup) {
  describe(`chat platform contract: ${name}, feedback by replying in the card's thread`, () => {
    let driver: ChatContractDriver;
    let close: (() => Promise<void>) | undefined;
    let design: string;
    beforeAll(async () => {
      const started = await setup({});
      driver = started.driver;
      close = started.close;
    });
    afterAll(async () => {
      await close?.();
    });

    const stateOf = async () => {
      const { state, iteration, held } = await driver.snapshot(design);
      return { state, iteration, held };
    };
    const quietAfter = async (sent: SentReply) => {
      await new Promise((resolve) => setTimeout(resolve, settleMs));
      return !sent.touched();
    };

    it('leaves replies alone while the workspace has not switched them on', async () => {
      design = await driver.start('a ceramic pour-over kettle');
      await driver.button(design, /^Approve\b/);
      const before = await stateOf();
      const sent = await driver.replies.reply('requester', design, 'make the spout longer');
      expect(await quietAfter(sent)).toBe(true);
      expect(await stateOf()).toEqual(before);
    });

    it('ignores a reply by someone who may not ask for changes: no answer, no reaction, nothing changed', async () => {
      await driver.replies.setEnabled(true);
      const before = await stateOf();
      const sent = await driver.replies.reply('other', design, 'I would make it red');
      expect(await quietAfter(sent)).toBe(true);
      expect(await stateOf()).toEqual(before);
    });

    it('refuses an empty reply by the requester as the form does, and changes nothing', async () => {
      const before = await stateOf();
      const sent = await driver.replies.reply('requester', design, '   ');
      expect(await sent.answer()).toBe('Say what should change.');
      expect(await stateOf()).toEqual(before);
    });

    it('takes the requester’s reply as Request changes: iteration 2 with that text, +1 credit, a reaction; a reply while it draws is asked to wait', async () => {
      expect(await stateOf()).toEqual({ state: 'awaiting_approval', iteration: 1, held: 3 });
      const release = driver.replies.holdModel();
      try {
        const calls = driver.replies.modelTexts().length;
        const sent = await driver.replies.reply(
          'requester',
          design,
          'a matte sage glaze and a bamboo handle',
        );
        expect(await sent.reaction()).toBeTruthy();
        const generating = await until(stateOf, (d) => d.iteration === 2, 'iteration 2');
        expect(generating).toMatchObject({ iteration: 2, held: 4 });
        expect(generating.state).toMatch(/^(queued|generating_front)$/);
        const early = await driver.replies.reply('requester', design, 'and a wider base');
        expect(await early.answer()).toMatch(/wait for this iteration/);
        await until(
          () => Promise.resolve(driver.replies.modelTexts().slice(calls)),
          (texts) => texts.length > 0,
          'the model call of iteration 2',
        );
        expect(driver.replies.modelTexts().slice(calls).join(' ')).toContain(
          'a matte sage glaze and a bamboo handle',
        );
        expect(driver.replies.modelTexts().join(' ')).not.toContain('and a wider base');
      } finally {
        release();
      }
      const ready = await until(stateOf, (d) => d.state === 'awaiting_approval', 'iteration 2 ready');
      expect(ready).toEqual({ state: 'awaiting_approval', iteration: 2, held: 4 });
      const snapshot = await driver.snapshot(design);
      expect(snapshot.iterations.find((i) => i.iteration === 2)?.feedback).toBe(
        'a matte sage glaze and a bamboo handle',
      );
    });

    it('takes an approver’s reply too, and none once the design is finished', async () => {
      await driver.useApprovers();
      const sent = await driver.replies.reply('approver', design, 'a thinner lid');
      expect(await sent.reaction()).toBeTruthy();
      await until(stateOf, (d) => d.iteration === 3 && d.state === 'awaiting_approval', 'iteration 3');
      await driver.click('approver', design, await driver.button(design, /^Approve\b/));
      await until(stateOf, (d) => d.state === 'completed', 'completion');
      const before = await stateOf();
      const late = await driver.replies.reply('requester', design, 'lovely, thanks');
      expect(await quietAfter(late)).toBe(true);
      expect(await stateOf()).toEqual(before);
    });
  });
}
