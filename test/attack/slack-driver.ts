import { createHmac, randomBytes } from 'node:crypto';
import { buttonClickBody, slashCommandBody, type SlackOrigin } from '../fakes/slack-requests.ts';
import type { SlackInstance } from './instances.ts';
import { rawRequest, type RawResponse } from './raw-http.ts';
import { waitFor } from './wait.ts';

export const channel = 'CATTACK';

/** Slack's request signature (v0) for `body` at `timestamp` (seconds). */
export function slackSignature(body: string, secret: string, timestamp = Math.floor(Date.now() / 1000)) {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'x-slack-signature': signature, 'x-slack-request-timestamp': String(timestamp) };
}

/** A Slack team id of this run: fresh ids keep the Redis rate limiter's keys of earlier runs away. */
export function freshTeam(letter: string): string {
  return `T${letter}${randomBytes(4).toString('hex').toUpperCase()}`;
}

type Signing = { timestamp?: number; secret?: string; headers?: Record<string, string> };

/** Posts what Slack would post to a running Facet, signed like Slack unless told otherwise. */
export class SlackDriver {
  private triggers = 0;

  constructor(private readonly instance: SlackInstance) {}

  get endpoint(): string {
    return `${this.instance.facet.url}/slack/events`;
  }

  origin(team: string): SlackOrigin {
    return { team, domain: team.toLowerCase(), channel, responseBase: this.instance.responses.url };
  }

  newTrigger(): string {
    this.triggers += 1;
    return `${this.triggers}.${randomBytes(6).toString('hex')}`;
  }

  post(body: string, signing: Signing = {}): Promise<RawResponse> {
    const signed =
      signing.headers ??
      slackSignature(body, signing.secret ?? this.instance.signingSecret, signing.timestamp);
    return rawRequest(this.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...signed },
      body,
    });
  }

  commandBody(team: string, user: string, text: string, trigger = this.newTrigger()): string {
    return slashCommandBody(this.origin(team), text, user, trigger);
  }

  /**
   * A `/design` command and Facet's private answer: the one in the HTTP answer (the ack), else the first
   * (or `index`-th, for a resent command) posted to its response_url.
   */
  async command(
    team: string,
    user: string,
    text: string,
    options: { trigger?: string; index?: number } = {},
  ): Promise<{ status: number; reply: string }> {
    const trigger = options.trigger ?? this.newTrigger();
    const response = await this.post(this.commandBody(team, user, text, trigger));
    if (response.status !== 200) return { status: response.status, reply: response.body };
    const acked = ackText(response.body);
    if (acked !== undefined) return { status: 200, reply: acked };
    return {
      status: 200,
      reply: await this.instance.responses.answer(`/response/${trigger}`, options.index ?? 0),
    };
  }

  click(team: string, user: string, actionId: string): Promise<RawResponse> {
    return this.post(buttonClickBody(this.origin(team), actionId, user, this.newTrigger()));
  }

  /** The settings modal as Slack submits it, with the team id Facet put in its metadata. */
  submitSettings(
    team: string,
    user: string,
    prices: { design: number; variation: number; edit: number },
    metadataTeam = team,
  ): Promise<RawResponse> {
    const price = (value: number) => ({ value: { type: 'number_input', value: String(value) } });
    const payload = {
      type: 'view_submission',
      team: { id: team, domain: team.toLowerCase() },
      user: { id: user, team_id: team },
      api_app_id: 'A0FACET',
      trigger_id: this.newTrigger(),
      view: {
        id: `V${randomBytes(4).toString('hex').toUpperCase()}`,
        team_id: team,
        type: 'modal',
        callback_id: 'facet_settings',
        private_metadata: JSON.stringify({ teamId: metadataTeam }),
        state: {
          values: {
            facet_settings_approver: {
              facet_settings_approver_select: { type: 'static_select', selected_option: { value: 'none' } },
            },
            facet_settings_price_design: price(prices.design),
            facet_settings_price_variation: price(prices.variation),
            facet_settings_price_edit: price(prices.edit),
          },
        },
      },
    };
    return this.post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
  }

  /** Installs Facet into `team` through /slack/install and /slack/oauth_redirect, as a browser would. */
  async install(team: string): Promise<void> {
    const { state, cookie } = await this.startInstall();
    const done = await rawRequest(
      `${this.instance.facet.url}/slack/oauth_redirect?code=code-${team}&state=${encodeURIComponent(state)}`,
      { headers: { cookie } },
    );
    if (done.status !== 200) throw new Error(`install of ${team} answered ${done.status}`);
  }

  /** The state and cookie of a started install (what /slack/install hands the browser). */
  async startInstall(): Promise<{ state: string; cookie: string }> {
    const start = await rawRequest(`${this.instance.facet.url}/slack/install`, {});
    const location = start.headers.location;
    const setCookie = start.headers['set-cookie']?.[0];
    if (start.status !== 302 || location === undefined || setCookie === undefined)
      throw new Error(`/slack/install answered ${start.status} without a redirect and a cookie`);
    const state = new URL(location).searchParams.get('state') ?? '';
    return { state, cookie: setCookie.split(';')[0] ?? '' };
  }

  /** Ephemeral messages Facet sent `user` whose text matches `pattern`, after the first `after` of them all. */
  ephemeralsTo(user: string, pattern: RegExp, after = 0): string[] {
    return this.instance.slack
      .callsTo('chat.postEphemeral')
      .slice(after)
      .filter((call) => call.args.user === user)
      .map((call) => String(call.args.text))
      .filter((text) => pattern.test(text));
  }

  /** Waits until `count` ephemerals to `user` match `pattern` (after the first `after` of them all). */
  ephemerals(user: string, pattern: RegExp, count = 1, after = 0): Promise<string[]> {
    return waitFor(`${count} ephemeral message(s) to ${user} matching ${String(pattern)}`, () => {
      const found = this.ephemeralsTo(user, pattern, after);
      return found.length >= count ? found : undefined;
    });
  }
}

function ackText(body: string): string | undefined {
  if (body.trim() === '') return undefined;
  try {
    const parsed = JSON.parse(body) as { text?: unknown };
    return typeof parsed.text === 'string' ? parsed.text : body;
  } catch {
    return body;
  }
}
