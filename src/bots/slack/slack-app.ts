import type { RequestListener } from 'node:http';
import {
  App,
  HTTPReceiver,
  LogLevel,
  SocketModeReceiver,
  type InstallationStore,
  type Receiver,
} from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { DesignLinks } from '../../workflow/design-links.ts';
import type { ImageStore } from '../../workflow/ports/image-store.ts';
import { ChatBot, type ChatCore } from '../chat/chat-bot.ts';
import type { ChatWorkQueue } from '../chat/work/chat-work.ts';
import { WaitingForYou } from '../chat/waiting-for-you.ts';
import type { SlackActors } from './slack-actors.ts';
import type { SlackClients } from './slack-clients.ts';
import { SlackHome } from './slack-home.ts';
import { slackCommandWorkHandler, slackCreateHandOff } from './slack-command-work.ts';
import { registerSlackListeners } from './slack-listeners.ts';
import { slackImageHostsFor } from './slack-image-shortcut.ts';
import { registerSlackNewDesign } from './slack-new-design-listeners.ts';
import { registerSlackUnfurls } from './slack-unfurls.ts';
import { slackPlatform } from './slack-platform.ts';
import { boltLogger } from './slack-bolt-logger.ts';
import { installFailurePage } from './slack-install-pages.ts';
import { guardSlackEvents } from './slack-request-guard.ts';
import { slackBotScopes } from './slack-scopes.ts';

/** How Slack reaches us: signed HTTP requests, or a Socket Mode connection we open. */
export type SlackMode = { kind: 'http'; signingSecret: string } | { kind: 'socket'; appToken: string };

/** Whose workspace: one bot token, or OAuth installations (HTTP mode only: Slack lists no socket apps). */
export type SlackAuth =
  | { kind: 'single'; client: WebClient }
  | {
      kind: 'oauth';
      clientId: string;
      clientSecret: string;
      stateSecret: string;
      installationStore: InstallationStore;
    };

export type SlackAppDeps = {
  mode: SlackMode;
  auth: SlackAuth;
  apiUrl?: string | undefined;
  /** The Web API client of each team, for what is not an answer to a request (history links). */
  clients: SlackClients;
  /** What the chat layer asks of the core. */
  core: ChatCore;
  actors: SlackActors;
  /** Where the Home tab's thumbnails come from; without it the Home shows none. */
  images?: ImageStore | undefined;
  /** Where acknowledged creates wait for their work (HTTP mode); without it they are worked on here. */
  chatWork?: ChatWorkQueue | undefined;
  /** The design pages at a public https URL: their shared links unfurl. None: links are not unfurled. */
  designLinks?: { baseUrl: string; links: DesignLinks } | undefined;
  logger: Logger;
};

export type SlackAppHandle = {
  app: App;
  /** HTTP mode: serves /slack/events, /slack/install and /slack/oauth_redirect; mount it on a server. */
  requestListener: RequestListener | undefined;
  /** Socket Mode: opens the connection. HTTP mode: nothing to do. */
  start(): Promise<void>;
  stop(): Promise<void>;
};

/** Fixed ids spare a start-up auth.test round trip; Facet never reacts to its own messages anyway. */
const botIds = { botId: 'B0FACET', botUserId: 'U0FACET' };

export function createSlackApp(deps: SlackAppDeps): SlackAppHandle {
  const clientOptions = deps.apiUrl ? { slackApiUrl: deps.apiUrl } : {};
  const oauth = deps.auth.kind === 'oauth' ? deps.auth : undefined;
  if (oauth && deps.mode.kind === 'socket')
    throw new Error('Slack OAuth needs HTTP mode: unset SLACK_APP_TOKEN or the SLACK_CLIENT_* variables');
  let receiver: Receiver;
  let requestListener: RequestListener | undefined;
  if (deps.mode.kind === 'http') {
    const http = new HTTPReceiver({
      signingSecret: deps.mode.signingSecret,
      logger: boltLogger(deps.logger),
      endpoints: ['/slack/events'],
      processBeforeResponse: false,
      // Forged requests are expected on a public endpoint: they get a 401, not a log line each.
      logLevel: LogLevel.ERROR,
      ...(oauth
        ? {
            clientId: oauth.clientId,
            clientSecret: oauth.clientSecret,
            stateSecret: oauth.stateSecret,
            installationStore: oauth.installationStore,
            scopes: [...slackBotScopes],
            installerOptions: {
              directInstall: true,
              installPath: '/slack/install',
              redirectUriPath: '/slack/oauth_redirect',
              clientOptions,
              callbackOptions: {
                failure: (error, _options, _request, response) => installFailurePage(error, response),
              },
            },
          }
        : {}),
      // Bolt may have answered already (below) when its 3 s timer fires: then there is nothing to do.
      unhandledRequestHandler: ({ response }) => {
        if (!response.headersSent) response.writeHead(404).end();
      },
      // Bolt's own code throwing means a payload it cannot route (a block action without a user,
      // say): the sender's fault, so a 400 rather than Bolt's 500.
      processEventErrorHandler: ({ error, response }) => {
        if (response.headersSent) return Promise.resolve(false);
        const unauthorized = (error as { code?: unknown }).code === 'slack_bolt_authorization_error';
        if (!unauthorized) deps.logger.warn({ err: error }, 'a Slack request Bolt could not process');
        response.writeHead(unauthorized ? 401 : 400).end();
        return Promise.resolve(unauthorized);
      },
    });
    receiver = http;
    const beforeBolt = deps.chatWork
      ? slackCreateHandOff({
          chatWork: deps.chatWork,
          workHere: slackCommandWorkHandler(deps),
          logger: deps.logger,
        })
      : undefined;
    requestListener = guardSlackEvents(http.requestListener, deps.mode.signingSecret, undefined, beforeBolt);
  } else {
    receiver = new SocketModeReceiver({
      appToken: deps.mode.appToken,
      logger: boltLogger(deps.logger),
      logLevel: LogLevel.ERROR,
      installerOptions: { clientOptions },
    });
  }
  const app = new App({
    receiver,
    ...(deps.auth.kind === 'single' ? { token: deps.auth.client.token, ...botIds } : {}),
    clientOptions: { ...clientOptions, retryConfig: { retries: 2 } },
    tokenVerificationEnabled: false,
    // Facet keeps no per-conversation state in Bolt. Its default in-memory store rejects a lookup with a
    // new Error for every event in a conversation it never stored (all of them): ~0.4 ms of the receiving
    // loop per request in bench:slack's burst, for nothing.
    convoStore: false,
    logLevel: LogLevel.ERROR,
  });

  const platform = slackPlatform(deps.clients);
  const bot = new ChatBot({ ...deps.core, platform, logger: deps.logger });
  const home = new SlackHome({
    waiting: new WaitingForYou({ ...deps.core, platform }),
    workspaces: deps.core.workspaces,
    actors: deps.actors,
    images: deps.images,
  });
  registerSlackListeners(app, {
    bot,
    actors: deps.actors,
    home,
    imageHosts: slackImageHostsFor(deps.apiUrl),
    logger: deps.logger,
  });
  registerSlackNewDesign(app, { bot, actors: deps.actors, logger: deps.logger });
  if (deps.designLinks)
    registerSlackUnfurls(app, {
      ...deps.designLinks,
      loadDesign: (designId) => deps.core.service.snapshot(designId),
      workspaces: deps.core.workspaces,
      logger: deps.logger,
    });
  if (oauth) {
    // Uninstalling revokes the token: forget it, so nothing keeps calling Slack with it.
    const forget = async ({ context: bolt }: { context: { teamId?: string; enterpriseId?: string } }) => {
      await oauth.installationStore.deleteInstallation?.({
        teamId: bolt.teamId,
        enterpriseId: bolt.enterpriseId,
        isEnterpriseInstall: false,
      });
    };
    app.event('app_uninstalled', forget);
    app.event('tokens_revoked', forget);
  }
  app.error((error) => {
    deps.logger.error({ err: error }, 'Slack app error');
    return Promise.resolve();
  });

  return {
    app,
    requestListener,
    start: async () => {
      if (deps.mode.kind === 'socket') await app.start();
    },
    stop: async () => {
      if (deps.mode.kind === 'socket') await app.stop();
    },
  };
}
