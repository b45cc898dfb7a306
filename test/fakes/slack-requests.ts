/** Where simulated Slack requests come from: one team and channel, answers to `responseBase`. */
export type SlackOrigin = { team: string; domain: string; channel: string; responseBase: string };

/** A `/design` slash command as Slack posts it (application/x-www-form-urlencoded). */
export function slashCommandBody(origin: SlackOrigin, text: string, user: string, trigger: string): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: origin.team,
    team_domain: origin.domain,
    channel_id: origin.channel,
    channel_name: 'design',
    user_id: user,
    user_name: user.toLowerCase(),
    command: '/design',
    text,
    api_app_id: 'A0FACET',
    is_enterprise_install: 'false',
    response_url: `${origin.responseBase}/response/${trigger}`,
    trigger_id: trigger,
  }).toString();
}

/** A click on a card button, as Slack posts it. */
export function buttonClickBody(
  origin: SlackOrigin,
  actionId: string,
  user: string,
  trigger: string,
): string {
  const payload = {
    type: 'block_actions',
    team: { id: origin.team, domain: origin.domain },
    user: { id: user, team_id: origin.team },
    api_app_id: 'A0FACET',
    channel: { id: origin.channel, name: 'design' },
    trigger_id: trigger,
    response_url: `${origin.responseBase}/response/${trigger}`,
    container: { type: 'message', channel_id: origin.channel },
    actions: [
      {
        type: 'button',
        action_id: actionId,
        block_id: 'facet_actions_0',
        value: actionId,
        action_ts: String(Date.now() / 1000),
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
