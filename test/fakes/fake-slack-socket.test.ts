import {
  App,
  LogLevel,
  SocketModeReceiver,
  type BlockAction,
  type ButtonAction,
  type Logger,
} from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeSlack } from './fake-slack-api.ts';
import { startFakeSlackSocket } from './fake-slack-socket.ts';

/** The socket client reconnects clientPingTimeout ms after a disconnect (5 s by default) and pings every third of it. */
const clientPingTimeout = 600;

/** A Bolt logger that keeps warnings and errors, so a test can assert the protocol ran without any. */
function recordingLogger(): Logger & { problems: string[] } {
  let level = LogLevel.ERROR;
  const problems: string[] = [];
  return {
    problems,
    debug: () => {},
    info: () => {},
    warn: (...message: unknown[]) => problems.push(`warn: ${message.map(String).join(' ')}`),
    error: (...message: unknown[]) => problems.push(`error: ${message.map(String).join(' ')}`),
    setLevel: (next) => (level = next),
    getLevel: () => level,
    setName: () => {},
  };
}

function slashCommand(text: string): Record<string, unknown> {
  return {
    token: 'verification-token',
    team_id: 'T1',
    team_domain: 'facet-test',
    channel_id: 'C1',
    channel_name: 'design',
    user_id: 'U1',
    user_name: 'ada',
    command: '/design',
    text,
    api_app_id: 'A0FACET',
    is_enterprise_install: 'false',
    response_url: 'https://hooks.slack.com/commands/T1/1/x',
    trigger_id: '1.2.3',
  };
}

function buttonClick(actionId: string, value: string): Record<string, unknown> {
  return {
    type: 'block_actions',
    user: { id: 'U1', username: 'ada', name: 'ada', team_id: 'T1' },
    api_app_id: 'A0FACET',
    token: 'verification-token',
    container: { type: 'message', message_ts: '1700000000.000100', channel_id: 'C1', is_ephemeral: false },
    trigger_id: '1.2.4',
    team: { id: 'T1', domain: 'facet-test' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: 'C1', name: 'design' },
    message: { type: 'message', ts: '1700000000.000100', text: 'card', user: 'U0FACET' },
    response_url: 'https://hooks.slack.com/actions/T1/1/x',
    actions: [
      {
        type: 'button',
        action_id: actionId,
        block_id: 'card-actions',
        text: { type: 'plain_text', text: 'Approve' },
        value,
        action_ts: '1700000001.000200',
      },
    ],
  };
}

async function until(condition: () => boolean, timeoutMs = 2000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('fake Slack Socket Mode server, driven by the real Bolt socket client', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    // Apps first: a running client reconnects (and fails loudly) when its server goes away.
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function fakes(options: { appToken?: string; forward?: boolean } = {}) {
    const slack = await startFakeSlack();
    cleanups.push(() => slack.close());
    const socket = await startFakeSlackSocket({
      appToken: options.appToken ?? 'xapp-test',
      ...(options.forward ? { webApiUrl: slack.apiUrl } : {}),
    });
    cleanups.push(() => socket.close());
    return { slack, socket };
  }

  function listeners(app: App) {
    app.command('/design', async ({ ack, command }) => {
      await ack({
        response_type: 'ephemeral',
        text: command.text === 'hi' ? 'hello' : `got ${command.text}`,
      });
    });
    app.action<BlockAction<ButtonAction>>('approve', async ({ ack, action, body, client }) => {
      await ack();
      await client.chat.postMessage({
        channel: body.channel?.id ?? '',
        text: `approved ${action.value ?? ''}`,
      });
    });
  }

  async function started(app: App) {
    await app.start();
    cleanups.push(() => app.stop().then(() => undefined));
  }

  it('connects, acks a slash command and a button, survives a refresh disconnect, stops cleanly', async () => {
    const { slack, socket } = await fakes();
    const logger = recordingLogger();
    const receiver = new SocketModeReceiver({
      appToken: 'xapp-test',
      logger,
      clientPingTimeout,
      installerOptions: { clientOptions: { slackApiUrl: socket.apiUrl } },
    });
    const app = new App({
      receiver,
      token: 'xoxb-test',
      botId: 'B0FACET',
      botUserId: 'U0FACET',
      tokenVerificationEnabled: false,
      logger,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } },
    });
    listeners(app);

    await started(app);
    expect(socket.connected).toBe(true);
    expect(socket.connections).toBe(1);

    await expect(socket.send('slash_commands', slashCommand('hi'))).resolves.toEqual({
      response_type: 'ephemeral',
      text: 'hello',
    });

    // A bare ack() comes back as an empty payload; the listener's Web API call goes to the fake Web API.
    await expect(socket.send('interactive', buttonClick('approve', 'design-1'))).resolves.toEqual({});
    await until(() => slack.callsTo('chat.postMessage').length === 1);
    expect(slack.callsTo('chat.postMessage')[0]).toMatchObject({
      token: 'xoxb-test',
      args: { channel: 'C1', text: 'approved design-1' },
    });

    // Slack recycles the connection: the client closes it, asks apps.connections.open again, reconnects.
    await socket.disconnect('refresh_requested');
    expect(socket.connected).toBe(false);
    await expect(socket.send('slash_commands', slashCommand('hi'))).rejects.toThrow(/no connected client/);
    await socket.waitForConnection();
    expect(socket.connections).toBe(2);
    expect(socket.opens).toBe(2);
    await expect(socket.send('slash_commands', slashCommand('again'))).resolves.toEqual({
      response_type: 'ephemeral',
      text: 'got again',
    });
    // The client pings every clientPingTimeout / 3 and drops the link after 4 pings without a pong.
    await until(() => socket.pings >= 5);
    expect(socket.connected).toBe(true);
    expect(socket.connections).toBe(2);

    await app.stop();
    await until(() => !socket.connected);
    expect(logger.problems).toEqual([]);
  });

  it('serves the default socketMode App through one slackApiUrl, forwarding other methods', async () => {
    const { slack, socket } = await fakes({ forward: true });
    const app = new App({
      token: 'xoxb-test',
      appToken: 'xapp-test',
      socketMode: true,
      botId: 'B0FACET',
      botUserId: 'U0FACET',
      tokenVerificationEnabled: false,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: socket.apiUrl },
    });
    listeners(app);
    await started(app);

    await expect(socket.send('slash_commands', slashCommand('hi'))).resolves.toEqual({
      response_type: 'ephemeral',
      text: 'hello',
    });
    await expect(socket.send('interactive', buttonClick('approve', 'design-2'))).resolves.toEqual({});
    await until(() => slack.callsTo('chat.postMessage').length === 1);
    expect(slack.callsTo('chat.postMessage')[0]?.args).toMatchObject({ text: 'approved design-2' });
  });

  it('times out an envelope nobody acks, and refuses events_api without an event type', async () => {
    const { socket } = await fakes();
    const app = new App({
      token: 'xoxb-test',
      appToken: 'xapp-test',
      socketMode: true,
      tokenVerificationEnabled: false,
      botId: 'B0FACET',
      botUserId: 'U0FACET',
      logger: recordingLogger(),
      clientOptions: { slackApiUrl: socket.apiUrl },
    });
    // A listener that never acks (Bolt itself would log the missing ack only after 3 s).
    app.command('/design', async () => {});
    await started(app);

    await expect(socket.send('slash_commands', slashCommand('hi'), { timeoutMs: 200 })).rejects.toThrow(
      /no ack for slash_commands within 200 ms/,
    );
    await expect(socket.send('events_api', { type: 'event_callback' })).rejects.toThrow(/event\.type/);
  });

  it('refuses a wrong app token with invalid_auth, so the app fails to start', async () => {
    const { socket } = await fakes({ appToken: 'xapp-right' });
    const app = new App({
      token: 'xoxb-test',
      appToken: 'xapp-wrong',
      socketMode: true,
      botId: 'B0FACET',
      botUserId: 'U0FACET',
      tokenVerificationEnabled: false,
      logger: recordingLogger(),
      clientOptions: { slackApiUrl: socket.apiUrl },
    });
    const start = app.start();
    await expect(start).rejects.toThrow('An API error occurred: invalid_auth');
    await expect(start).rejects.toMatchObject({
      code: 'slack_webapi_platform_error',
      data: { error: 'invalid_auth' },
    });
    expect(socket.connections).toBe(0);
    expect(socket.opens).toBe(0);
    await app.stop();
  });
});
