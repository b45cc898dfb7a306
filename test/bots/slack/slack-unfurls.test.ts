import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderSlackUnfurl } from '../../../src/bots/slack/slack-unfurl-blocks.ts';
import { designPageUrl } from '../../../src/workflow/design-links.ts';
import { inState, waitFor } from '../../workflow/workflow-harness.ts';
import { sign, startSlackKit, team, type SlackKit } from './slack-kit.ts';

/** Design page links shared in Slack: link_shared over signed HTTP, chat.unfurl to the loopback Slack. */
describe('Slack: design page link unfurls', () => {
  let kit: SlackKit;
  let events = 0;
  let ours: string;
  let theirs: string;

  let designs: Promise<void> | undefined;

  beforeAll(async () => {
    kit = await startSlackKit('slack_unfurls', { publicImages: true, designLinks: true });
  });

  /** A design in this team (T1) and one in another (T2), both with a front view (polled: inside a test). */
  function ready(): Promise<void> {
    designs ??= (async () => {
      await kit.post(kit.command('a brass desk lamp', 'U1'));
      await kit.post(kit.command('a felt laptop sleeve', 'U9', 'T2'));
      ours = await kit.designOf('U1', 'a brass desk lamp');
      theirs = await kit.designOf('U9', 'a felt laptop sleeve');
      await waitFor(kit.h.workflow, ours, inState('awaiting_approval'));
      await waitFor(kit.h.workflow, theirs, inState('awaiting_approval'));
    })();
    return designs;
  }

  afterAll(async () => {
    await kit.close();
  });

  async function linkOf(designId: string): Promise<string> {
    await ready();
    const signature = await kit.links!.signatureFor(designId);
    return designPageUrl(kit.pageBaseUrl, designId, signature!);
  }

  /** link_shared as Slack sends it (Events API, JSON), for a message posted in C1 of `teamId`. */
  async function share(urls: string[], options: { teamId?: string; composer?: boolean } = {}) {
    events += 1;
    const ts = `1764900000.${String(events).padStart(6, '0')}`;
    const body = JSON.stringify({
      token: 'deprecated-verification-token',
      team_id: options.teamId ?? team,
      api_app_id: 'A0FACET',
      type: 'event_callback',
      event_id: `EvLINK${events}`,
      event_time: Math.floor(Date.now() / 1000),
      event: {
        type: 'link_shared',
        channel: options.composer ? 'COMPOSER' : 'C1',
        is_bot_user_member: true,
        user: 'U2',
        message_ts: options.composer ? `${events}.composer` : ts,
        unfurl_id: `C1.${ts}.${'ab'.repeat(16)}`,
        source: options.composer ? 'composer' : 'conversations_history',
        links: urls.map((url) => ({ domain: new URL(url).hostname, url })),
        event_ts: ts,
      },
    });
    const response = await fetch(kit.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...sign(body) },
      body,
    });
    expect(response.status).toBe(200);
  }

  const unfurlCalls = () => kit.slack.callsTo('chat.unfurl');

  /** Long enough for a refused link to have been looked up and dropped (the refusal sends nothing). */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 400));

  it('unfurls a valid link with the prompt, the state, the iteration and the front view', async () => {
    await ready();
    const url = await linkOf(ours);
    await share([url]);
    await expect.poll(() => unfurlCalls().length, { timeout: 10_000 }).toBe(1);
    const { args, error } = unfurlCalls()[0]!;
    expect(error).toBeUndefined();
    expect(args.unfurl_id).toMatch(/^C1\./);
    expect(args.source).toBe('conversations_history');
    const signature = new URL(url).searchParams.get('k')!;
    const design = await kit.h.workflow.service.snapshot(ours);
    const image = `${kit.pageBaseUrl}/designs/${ours}/images/${design!.iterations[0]!.imageKey!.split('/').at(-1)!}?k=${signature}`;
    expect(args.unfurls).toEqual({ [url]: renderSlackUnfurl(design!, { page: url, image }) });
    const shown = JSON.stringify(args.unfurls);
    expect(shown).toContain('a brass desk lamp');
    expect(shown).toContain('Waiting for approval · Iteration 1');
    expect(shown).toContain(`"image_url":"${image}"`);
  });

  it('unfurls a link still in the composer by its unfurl id', async () => {
    await ready();
    const before = unfurlCalls().length;
    await share([await linkOf(ours)], { composer: true });
    await expect.poll(() => unfurlCalls().length, { timeout: 10_000 }).toBe(before + 1);
    const { args } = unfurlCalls().at(-1)!;
    expect(args.source).toBe('composer');
    expect(args.channel).toBeUndefined();
  });

  it('never shows a design of another workspace, even with its valid link', async () => {
    await ready();
    const before = unfurlCalls().length;
    const foreign = await linkOf(theirs);
    await share([foreign]);
    await settle();
    expect(unfurlCalls()).toHaveLength(before);
    // Shared together with one of this team's links: only that one unfurls.
    const own = await linkOf(ours);
    await share([foreign, own]);
    await expect.poll(() => unfurlCalls().length, { timeout: 10_000 }).toBe(before + 1);
    expect(Object.keys(unfurlCalls().at(-1)!.args.unfurls as object)).toEqual([own]);
    expect(JSON.stringify(unfurlCalls().at(-1)!.args)).not.toContain('felt laptop sleeve');
  });

  it('unfurls nothing for a forged link, another page of the domain, or a revoked link', async () => {
    await ready();
    const before = unfurlCalls().length;
    const url = await linkOf(ours);
    const forged = url.replace(/k=[^&]+$/, `k=${'A'.repeat(43)}`);
    await share([forged]);
    await share([
      `${kit.pageBaseUrl}/designs/${ours}/spec-sheet.pdf?k=${new URL(url).searchParams.get('k')!}`,
    ]);
    await kit.links!.revoke(ours);
    await share([url]);
    await settle();
    expect(unfurlCalls()).toHaveLength(before);
  });
});
