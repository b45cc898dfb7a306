import type { InstallationStore } from '@slack/bolt';
import { LogLevel, WebClient } from '@slack/web-api';

/**
 * Card updates are worth retrying (Slack's 429 carries Retry-After, which the client honours between
 * attempts), but not for long: the next change re-renders the card whole anyway.
 */
const retryConfig = { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 5_000 };

export function slackWebClient(token: string, options: { apiUrl?: string | undefined } = {}): WebClient {
  return new WebClient(token, {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    retryConfig,
    logLevel: LogLevel.ERROR,
    timeout: 15_000,
  });
}

/** The Web API client for a team: one bot token, or the token of the team's OAuth installation. */
export interface SlackClients {
  forTeam(teamId: string): Promise<WebClient>;
}

export function singleWorkspaceClients(client: WebClient): SlackClients {
  return { forTeam: () => Promise.resolve(client) };
}

/** Re-reads the installation each time (a re-install changes the token) but reuses clients per token. */
export function installedWorkspaceClients(
  store: InstallationStore,
  options: { apiUrl?: string | undefined } = {},
): SlackClients {
  const byToken = new Map<string, WebClient>();
  return {
    async forTeam(teamId) {
      const installation = await store.fetchInstallation({
        teamId,
        enterpriseId: undefined,
        isEnterpriseInstall: false,
      });
      const token = installation.bot?.token;
      if (!token) throw new Error(`the Slack installation for team ${teamId} has no bot token`);
      let client = byToken.get(token);
      if (!client) {
        client = slackWebClient(token, options);
        byToken.set(token, client);
      }
      return client;
    },
  };
}
