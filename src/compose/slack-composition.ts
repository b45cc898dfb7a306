import type { PlatformComposition, PlatformDeps } from './platform-composition.ts';
import type { SlackConfig } from '../config.ts';
import type { HttpRoute } from '../http/health-server.ts';
import { SlackActors } from '../bots/slack/slack-actors.ts';
import { createSlackApp, type SlackAuth, type SlackMode } from '../bots/slack/slack-app.ts';
import { SlackCardOutbound } from '../bots/slack/slack-card-outbound.ts';
import {
  installedWorkspaceClients,
  singleWorkspaceClients,
  slackWebClient,
  type SlackClients,
} from '../bots/slack/slack-clients.ts';
import { SlackInstallationStore } from '../storage/slack-installation-store.ts';
import { composeCardNotifier, composeChatCore } from './chat-core.ts';
import { slackCommandWorkHandler } from '../bots/slack/slack-command-work.ts';
import type { CreditLedger } from '../credits/ledger.ts';
import type { DesignService } from '../workflow/design-service.ts';

/** Slack allows about one chat.update per second per message: bursts of view completions become one. */
const cardUpdateIntervalMs = 1_000;

/** Builds the Slack app the configuration asks for (config.ts checked the combinations). */
export function composeSlack(config: SlackConfig, deps: PlatformDeps): PlatformComposition {
  const logger = deps.logger.child({ platform: 'slack' });
  const apiUrl = config.apiUrl;
  let auth: SlackAuth;
  let clients: SlackClients;
  if (config.oauth) {
    const installationStore = new SlackInstallationStore(deps.db);
    auth = { kind: 'oauth', ...config.oauth, installationStore };
    clients = installedWorkspaceClients(installationStore, { apiUrl });
  } else {
    if (!config.botToken) throw new Error('Slack needs SLACK_BOT_TOKEN, or SLACK_CLIENT_ID/SECRET for OAuth');
    const client = slackWebClient(config.botToken, { apiUrl });
    auth = { kind: 'single', client };
    clients = singleWorkspaceClients(client);
  }
  let mode: SlackMode;
  if (config.appToken) mode = { kind: 'socket', appToken: config.appToken };
  else if (config.signingSecret) mode = { kind: 'http', signingSecret: config.signingSecret };
  else throw new Error('Slack needs SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)');

  const core = (service: DesignService, ledger: CreditLedger) =>
    composeChatCore(deps, { service, ledger }, (design) => coalesced.redeliver(design));
  const coalesced = composeCardNotifier(
    new SlackCardOutbound({ clients, images: deps.images, logger }),
    deps,
    { intervalMs: cardUpdateIntervalMs, logger },
  );
  return {
    platform: 'slack',
    notifier: coalesced,
    flush: () => coalesced.flush(),
    // HTTP mode: Slack's requests reach our HTTP server; Socket Mode: a connection we open.
    receives: mode.kind === 'http' ? 'web' : 'bot',
    description: `${mode.kind === 'http' ? 'HTTP at /slack/events' : 'Socket Mode'}, ${auth.kind === 'oauth' ? 'multi-workspace OAuth at /slack/install' : 'one workspace'}`,
    // Creates the web role acknowledged (HTTP mode): worked on wherever the chat work queue runs. Socket
    // Mode's bot process receives over its own connection and works on what it receives.
    work:
      mode.kind === 'http'
        ? (service, ledger) =>
            slackCommandWorkHandler({
              core: core(service, ledger),
              clients,
              actors: new SlackActors(deps.clock),
              logger,
            })
        : undefined,
    async attach(service, ledger) {
      const slackApp = createSlackApp({
        mode,
        auth,
        apiUrl,
        clients,
        core: core(service, ledger),
        chatWork: mode.kind === 'http' ? deps.chatWork : undefined,
        actors: new SlackActors(deps.clock),
        images: deps.images,
        designLinks: deps.designLinks,
        logger,
      });
      await slackApp.start();
      const listener = slackApp.requestListener;
      const route: HttpRoute | undefined = listener
        ? (request, response) => {
            if (!(request.url ?? '').startsWith('/slack/')) return Promise.resolve(false);
            const arrived = performance.now();
            response.once('finish', () => deps.observeAck?.((performance.now() - arrived) / 1000));
            try {
              listener(request, response);
              return Promise.resolve(true);
            } catch {
              // Bolt throws for a path it does not serve (e.g. /slack/install without OAuth): a 404.
              return Promise.resolve(false);
            }
          }
        : undefined;
      return { route, stop: () => slackApp.stop() };
    },
  };
}
