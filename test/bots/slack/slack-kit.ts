import type { ChatWorkQueue } from '../../../src/bots/chat/work/chat-work.ts';
import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import type { Notifier } from '../../../src/workflow/ports/notifier.ts';
import { SlackActors } from '../../../src/bots/slack/slack-actors.ts';
import type { RateLimiter } from '../../../src/bots/rate-limit/rate-limiter.ts';
import { ThreadedCardNotifier } from '../../../src/bots/chat/threaded-card-notifier.ts';
import { createSlackApp } from '../../../src/bots/slack/slack-app.ts';
import { SlackCardOutbound } from '../../../src/bots/slack/slack-card-outbound.ts';
import { SlackInstallationStore } from '../../../src/storage/slack-installation-store.ts';
import { composeChatCore } from '../../../src/compose/chat-core.ts';
import { ChatPosts } from '../../../src/workflow/chat-posts.ts';
import {
  installedWorkspaceClients,
  singleWorkspaceClients,
  slackWebClient,
} from '../../../src/bots/slack/slack-clients.ts';
import { LocalImageStore } from '../../../src/storage/images/local-image-store.ts';
import { DesignLinks } from '../../../src/workflow/design-links.ts';
import { CoalescingNotifier, freshSnapshotsFrom } from '../../../src/workflow/coalescing-notifier.ts';
import { startFakeSlack, type FakeSlack, type SlackCall } from '../../fakes/fake-slack-api.ts';
import { startFakeSlackSocket, type FakeSlackSocket } from '../../fakes/fake-slack-socket.ts';
import { createHarness, silentLogger, type Harness } from '../../workflow/workflow-harness.ts';

export const signingSecret = 'test-signing-secret';
export const team = 'T1';
export const channel = 'C1';

export function sign(body: string, timestamp = Math.floor(Date.now() / 1000), secret = signingSecret) {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'x-slack-signature': signature, 'x-slack-request-timestamp': String(timestamp) };
}

type Button = { action_id: string; text: { text: string }; confirm?: unknown };

export type HomeView = {
  type: string;
  blocks: { type: string; block_id?: string; [key: string]: unknown }[];
};

export type SlackKit = {
  h: Harness;
  slack: FakeSlack;
  /** Set in Socket Mode: envelopes go through it instead of HTTP. */
  socket: FakeSlackSocket | undefined;
  endpoint: string;
  /** The app's base URL (install and OAuth paths). */
  appUrl: string;
  /** POSTs a form body to /slack/events, signed unless `headers` say otherwise. */
  post(body: string, headers?: Record<string, string>): Promise<{ status: number; text: string }>;
  command(text: string, user?: string, teamId?: string): string;
  click(actionId: string, user?: string): string;
  /** The same click made on the user's Home tab: no channel, the Home view as its container. */
  clickFromHome(actionId: string, user?: string): string;
  /** The click on an admin's Home "Open settings" button. */
  homeSettingsClick(user: string): string;
  /** Sends the app_home_opened event (Events API, JSON) for the user's Home tab. */
  openHome(user: string): Promise<{ status: number; text: string }>;
  /**
   * Delivers an Events API event (JSON, signed); `eventId` and `retry` say which delivery it is (Slack
   * retries with the same event id and an `x-slack-retry-num` header).
   */
  sendEvent(
    event: Record<string, unknown>,
    delivery?: { eventId?: string; retry?: number },
  ): Promise<{ status: number; text: string }>;
  /** The newest Home view published for the user (views.publish), once there is one after `after` calls. */
  home(user: string, after?: number): Promise<HomeView>;
  submit(
    callbackId: string,
    metadata: string,
    values: Record<string, Record<string, unknown>>,
    user?: string,
  ): string;
  buttons(call: SlackCall): Button[];
  /** The newest card message (post or update) in the channel, thread messages and refused calls excluded. */
  lastCard(): SlackCall;
  waitForButton(label: RegExp): Promise<Button>;
  workspaceId(): Promise<string>;
  /** The id of the design a user started (with this prompt), once it exists. */
  designOf(user: string, prompt?: string): Promise<string>;
  /** The card notifier a freshly started process would build: nothing in memory. */
  restartedNotifier(): Notifier;
  /** The design page links at `pageBaseUrl`, when started with `designLinks` (their shares unfurl). */
  links: DesignLinks | undefined;
  pageBaseUrl: string;
  close(): Promise<void>;
};

/**
 * The real Bolt app on 127.0.0.1 over HTTP, its Web API client pointed at the fake Slack, the real
 * workflow behind it. `publicImages` decides whether Slack could fetch image URLs (PUBLIC_URL set) or
 * images must be uploaded to Slack.
 */
export async function startSlackKit(
  label: string,
  /** `oauth`: multi-workspace installs kept in Postgres instead of one bot token. */
  options: {
    publicImages: boolean;
    socketMode?: boolean;
    oauth?: boolean;
    limiter?: RateLimiter;
    adminGrantsPerDay?: number;
    /** How long the fake Slack scans an upload before blocks may show it. */
    fileScanMs?: number;
    /** Design pages at a public URL: their links shared in Slack unfurl. */
    designLinks?: boolean;
    /** Where acknowledged creates go for their work; without it they are worked on in the app. */
    chatWork?: ChatWorkQueue;
  },
): Promise<SlackKit> {
  const slack = await startFakeSlack({ fileScanMs: options.fileScanMs ?? 0 });
  // Socket Mode: apps.connections.open goes to the socket fake, which hands every other method on.
  const socket = options.socketMode ? await startFakeSlackSocket({ webApiUrl: slack.apiUrl }) : undefined;
  const client = slackWebClient('xoxb-test', { apiUrl: slack.apiUrl });
  const imageDir = await mkdtemp(path.join(tmpdir(), 'facet-slack-images-'));
  const images = new LocalImageStore({
    dir: imageDir,
    publicUrl: options.publicImages ? 'https://facet.example.com' : 'http://127.0.0.1:3000',
    secret: 'image-secret',
  });
  let cards!: ThreadedCardNotifier<{ channelId: string; messageId: string; teamId: string }>;
  let clients!: ReturnType<typeof singleWorkspaceClients>;
  let coalesced!: CoalescingNotifier;
  let installations!: SlackInstallationStore;
  const h = await createHarness(label, {
    images,
    notifier: (db) => {
      installations = new SlackInstallationStore(db);
      clients = options.oauth
        ? installedWorkspaceClients(installations, { apiUrl: slack.apiUrl })
        : singleWorkspaceClients(client);
      cards = new ThreadedCardNotifier({
        outbound: new SlackCardOutbound({ clients, images, logger: silentLogger }),
        posts: new ChatPosts(db),
      });
      coalesced = new CoalescingNotifier(cards, {
        intervalMs: 20,
        logger: silentLogger,
        fresh: freshSnapshotsFrom(db),
      });
      return coalesced;
    },
  });
  const pageBaseUrl = 'https://facet.example.com';
  const links = options.designLinks
    ? new DesignLinks(h.test.db, Buffer.from('design-link-test-secret'))
    : undefined;
  const slackApp = createSlackApp({
    mode: socket ? { kind: 'socket', appToken: 'xapp-test' } : { kind: 'http', signingSecret },
    auth: options.oauth
      ? {
          kind: 'oauth',
          clientId: '111.222',
          clientSecret: 'client-secret',
          stateSecret: 'state-secret',
          installationStore: installations,
        }
      : { kind: 'single', client },
    apiUrl: socket ? socket.apiUrl : slack.apiUrl,
    clients,
    core: composeChatCore(
      {
        db: h.test.db,
        clock: () => new Date(),
        limiter: options.limiter,
        adminGrantsPerDay: options.adminGrantsPerDay,
      },
      { service: h.workflow.service, ledger: h.ledger },
      (design) => coalesced.redeliver(design),
    ),
    actors: new SlackActors(() => new Date()),
    chatWork: options.chatWork,
    images,
    designLinks: links && { baseUrl: pageBaseUrl, links },
    logger: silentLogger,
  });
  await slackApp.start();
  const listener = slackApp.requestListener;
  const server = createServer((request, response) => {
    try {
      if (!listener) throw new Error('Socket Mode serves no HTTP requests');
      listener(request, response);
    } catch {
      // As Facet's own route does: Bolt throws for a path or method it does not serve.
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  let triggers = 0;

  const post = async (body: string, headers: Record<string, string> = sign(body)) => {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });
    return { status: response.status, text: await response.text() };
  };
  const buttons = (call: SlackCall) =>
    ((call.args.blocks ?? []) as { type: string; elements?: Button[] }[])
      .filter((b) => b.type === 'actions')
      .flatMap((b) => b.elements ?? []);
  const lastCard = () =>
    [...slack.calls].reverse().find(
      (c) =>
        (c.method === 'chat.update' || c.method === 'chat.postMessage') &&
        // A call Slack refused changed nothing.
        !c.error &&
        !c.rateLimited &&
        c.args.thread_ts === undefined &&
        JSON.stringify(c.args.blocks ?? []).includes('facet_title'),
    )!;

  function clickFromHome(actionId: string, user = 'U1'): string {
    triggers += 1;
    const payload = {
      type: 'block_actions',
      team: { id: team },
      user: { id: user },
      trigger_id: `trigger-${triggers}`,
      container: { type: 'view', view_id: `VHOME-${user}` },
      view: { id: `VHOME-${user}`, type: 'home', blocks: [] },
      actions: [{ type: 'button', action_id: actionId, block_id: 'facet_home_actions', value: actionId }],
    };
    return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  }

  return {
    h,
    slack,
    socket,
    endpoint,
    appUrl: endpoint.replace(/\/slack\/events$/, ''),
    post,
    command(text, user = 'U1', teamId = team) {
      triggers += 1;
      return new URLSearchParams({
        command: '/design',
        text,
        team_id: teamId,
        channel_id: channel,
        user_id: user,
        trigger_id: `trigger-${triggers}`,
        response_url: `${slack.url}/response/${triggers}`,
      }).toString();
    },
    click(actionId, user = 'U1') {
      triggers += 1;
      const payload = {
        type: 'block_actions',
        team: { id: team },
        user: { id: user },
        channel: { id: channel },
        trigger_id: `trigger-${triggers}`,
        container: { type: 'message', channel_id: channel },
        actions: [{ type: 'button', action_id: actionId, block_id: 'facet_actions_0', value: actionId }],
      };
      return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    },
    clickFromHome,
    homeSettingsClick(user) {
      return clickFromHome('facet_home_settings', user);
    },
    async openHome(user) {
      const body = JSON.stringify({
        type: 'event_callback',
        team_id: team,
        api_app_id: 'A0FACET',
        event_id: `Ev${(triggers += 1)}`,
        event_time: Math.floor(Date.now() / 1000),
        event: {
          type: 'app_home_opened',
          user,
          channel: `D-${user}`,
          tab: 'home',
          event_ts: `${Date.now() / 1000}`,
        },
      });
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...sign(body) },
        body,
      });
      return { status: response.status, text: await response.text() };
    },
    async sendEvent(event, delivery = {}) {
      triggers += 1;
      const body = JSON.stringify({
        type: 'event_callback',
        team_id: team,
        api_app_id: 'A0FACET',
        event_id: delivery.eventId ?? `Ev${triggers}`,
        event_time: Math.floor(Date.now() / 1000),
        event,
      });
      const retry: Record<string, string> =
        delivery.retry === undefined
          ? {}
          : { 'x-slack-retry-num': String(delivery.retry), 'x-slack-retry-reason': 'http_timeout' };
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...sign(body), ...retry },
        body,
      });
      return { status: response.status, text: await response.text() };
    },
    async home(user, after = 0) {
      let view: HomeView | undefined;
      await expect
        .poll(
          () =>
            (view = slack
              .callsTo('views.publish')
              .slice(after)
              .filter((call) => call.args.user_id === user && !call.error)
              .at(-1)?.args.view as HomeView | undefined),
          { timeout: 10_000 },
        )
        .toBeDefined();
      return view!;
    },
    submit(callbackId, metadata, values, user = 'U1') {
      const payload = {
        type: 'view_submission',
        team: { id: team },
        user: { id: user },
        view: { id: 'V1', callback_id: callbackId, private_metadata: metadata, state: { values } },
      };
      return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    },
    buttons,
    lastCard,
    async waitForButton(label) {
      let found: Button | undefined;
      await expect
        .poll(() => (found = buttons(lastCard()).find((b) => label.test(b.text.text))), { timeout: 10_000 })
        .toBeDefined();
      return found!;
    },
    async designOf(user, prompt) {
      let id: string | undefined;
      await expect
        .poll(
          async () => {
            let query = h.test.db.selectFrom('designs').select('id').where('requester_id', '=', user);
            if (prompt !== undefined) query = query.where('prompt', '=', prompt);
            return (id = (await query.executeTakeFirst())?.id);
          },
          { timeout: 10_000 },
        )
        .toBeDefined();
      return id!;
    },
    async workspaceId() {
      const row = await h.test.db
        .selectFrom('workspaces')
        .select('id')
        .where('external_id', '=', team)
        .executeTakeFirstOrThrow();
      return row.id;
    },
    links,
    pageBaseUrl,
    restartedNotifier: () =>
      new ThreadedCardNotifier({
        outbound: new SlackCardOutbound({ clients, images, logger: silentLogger }),
        posts: new ChatPosts(h.test.db),
      }),
    async close() {
      server.closeAllConnections();
      server.close();
      await slackApp.stop();
      await socket?.close();
      await h.close();
      await slack.close();
      await rm(imageDir, { recursive: true, force: true });
    },
  };
}
