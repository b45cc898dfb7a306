import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inState, waitFor } from '../../workflow/workflow-harness.ts';
import { startSlackKit, team, type HomeView, type SlackKit } from './slack-kit.ts';

/** The text of a Home view's blocks, as one string (sections, contexts, headers, button labels). */
function textOf(view: HomeView): string {
  return JSON.stringify(view.blocks);
}

/** The Home's "Waiting for your approval" part: the blocks between its header and the next divider. */
function waitingPart(view: HomeView) {
  const start = view.blocks.findIndex((b) => b.block_id === 'facet_home_waiting');
  const end = view.blocks.findIndex((b, i) => i > start && b.type === 'divider');
  return view.blocks.slice(start, end);
}

/** A section of the view by its block id. */
function sectionOf(view: HomeView, blockId: string) {
  return view.blocks.find((b) => b.block_id === blockId) as unknown as {
    text: { text: string };
    accessory?: { type: string; image_url: string };
  };
}

function homeButtons(view: HomeView, designId: string) {
  const actions = view.blocks.find((b) => b.block_id === `facet_home_actions_${designId}`) as
    { elements: { action_id: string; text: { text: string }; confirm?: unknown }[] } | undefined;
  return actions?.elements ?? [];
}

/**
 * Slack's Home tab through the real Bolt app and the fake Slack: each viewer's published view holds
 * only their own items, and Approve / Decline from the Home act as on the card.
 */
describe('Slack App Home: what waits for me', () => {
  let kit: SlackKit;

  beforeAll(async () => {
    kit = await startSlackKit('slack_home', { publicImages: true });
    // Leads approve; the requester may not approve their own design (the default with a group).
    kit.slack.groups.set('S-LEADS', { handle: 'leads', members: ['U-lead'] });
    kit.slack.users.set('U-admin', { isAdmin: true });
  });

  afterAll(async () => {
    await kit.close();
  });

  async function waitingDesign(user: string, prompt: string): Promise<string> {
    await kit.post(kit.command(prompt, user));
    const id = await kit.designOf(user, prompt);
    await waitFor(kit.h.workflow, id, inState('awaiting_approval'));
    return id;
  }

  it('shows each viewer only their own items, and an approver what waits for them', async () => {
    const fan = await waitingDesign('U-req', 'a brass desk fan');
    await kit.h.test.db
      .updateTable('workspaces')
      .set({ approver_group: 'S-LEADS' })
      .where('external_id', '=', team)
      .execute();

    const published = kit.slack.callsTo('views.publish').length;
    for (const user of ['U-lead', 'U-req', 'U-other', 'U-admin'])
      expect((await kit.openHome(user)).status).toBe(200);
    const lead = await kit.home('U-lead', published);
    const requester = await kit.home('U-req', published);
    const other = await kit.home('U-other', published);
    const admin = await kit.home('U-admin', published);
    // One view per viewer, each published for that viewer alone.
    expect(
      kit.slack
        .callsTo('views.publish')
        .slice(published)
        .map((c) => c.args.user_id)
        .sort(),
    ).toEqual(['U-admin', 'U-lead', 'U-other', 'U-req']);
    for (const view of [lead, requester, other, admin]) {
      expect(view.type).toBe('home');
      expect(view.blocks.length).toBeLessThanOrEqual(100);
    }

    // The lead sees the design waiting, with a thumbnail Slack can fetch and the card's buttons.
    expect(textOf({ type: 'home', blocks: waitingPart(lead) })).toContain('a brass desk fan');
    const waitingBlock = sectionOf(lead, `facet_home_waiting_${fan}`);
    expect(waitingBlock.text.text).toMatch(/Requested by <@U-req> · iteration 1 · 3 credits reserved/);
    expect(waitingBlock.accessory).toMatchObject({ type: 'image' });
    expect(waitingBlock.accessory!.image_url).toMatch(/^https:\/\/facet\.example\.com\//);
    const buttons = homeButtons(lead, fan);
    expect(buttons.map((b) => b.action_id)).toEqual([`facet1:approve:${fan}:1`, `facet1:decline:${fan}:1`]);
    expect(buttons[0]!.confirm).toMatchObject({ title: { text: 'Approve this front view?' } });
    // Not theirs: no designs, no settings.
    expect(textOf(lead)).toContain('You have no designs yet');
    expect(textOf(lead)).not.toContain('facet_home_settings_actions');

    // The requester may not approve their own design here: it is among their designs, not waiting.
    expect(textOf({ type: 'home', blocks: waitingPart(requester) })).toContain(
      'Nothing is waiting for your approval.',
    );
    expect(homeButtons(requester, fan)).toEqual([]);
    const mine = sectionOf(requester, `facet_home_design_${fan}`);
    expect(mine.text.text).toMatch(/<https:\/\/fake\.slack\/archives\/C1\/p\d+\|a brass desk fan>/);
    expect(mine.text.text).toMatch(/waiting for approval · iteration 1 · 3 credits reserved/);
    expect(textOf(requester)).toMatch(/\*7\* available · 3 reserved/);

    // A plain member sees nothing of anyone else's.
    expect(textOf(other)).not.toContain('a brass desk fan');
    expect(textOf(other)).toContain('Nothing is waiting for your approval.');
    // An admin may approve anything, and gets the settings with their button.
    expect(homeButtons(admin, fan).map((b) => b.text.text)).toEqual(['Approve (3 credits)', 'Decline']);
    expect(textOf(admin)).toContain('facet_home_settings_actions');
    expect(textOf(admin)).toContain('<!subteam^S-LEADS>');
  });

  it('refuses a stranger’s Approve from the Home privately and changes nothing; the lead’s approves', async () => {
    const fan = await kit.designOf('U-req', 'a brass desk fan');
    const before = (await kit.h.workflow.service.snapshot(fan))!;
    const ephemerals = kit.slack.callsTo('chat.postEphemeral').length;
    let published = kit.slack.callsTo('views.publish').length;
    expect((await kit.post(kit.clickFromHome(`facet1:approve:${fan}:1`, 'U-other'))).status).toBe(200);
    const refused = await kit.home('U-other', published);
    // The answer is on the stranger's own Home, nowhere else.
    expect(refused.blocks[0]).toMatchObject({ block_id: 'facet_home_note_0' });
    expect(textOf(refused)).toContain(
      'Only the person who asked for this design (or an approver or admin) can do that.',
    );
    expect(kit.slack.callsTo('chat.postEphemeral')).toHaveLength(ephemerals);
    expect(
      kit.slack
        .callsTo('views.publish')
        .slice(published)
        .every((c) => c.args.user_id === 'U-other'),
    ).toBe(true);
    expect((await kit.h.workflow.service.snapshot(fan))!.version).toBe(before.version);

    published = kit.slack.callsTo('views.publish').length;
    await kit.post(kit.clickFromHome(`facet1:approve:${fan}:1`, 'U-lead'));
    const refreshed = await kit.home('U-lead', published);
    const approved = await waitFor(kit.h.workflow, fan, (d) => d.state !== 'awaiting_approval');
    expect(approved).toMatchObject({ approvedBy: 'U-lead' });
    // The Home published after the lead's own click no longer lists it, and carries no note.
    expect(homeButtons(refreshed, fan)).toEqual([]);
    expect(textOf(refreshed)).not.toContain('facet_home_note');
    await waitFor(kit.h.workflow, fan, inState('completed'));
  });

  it('declines from the Home through the reason form, and answers the Home when there is no channel', async () => {
    const kettle = await waitingDesign('U-req', 'a copper kettle');
    const opened = kit.slack.callsTo('views.open').length;
    const beforeClick = kit.slack.callsTo('views.publish').length;
    await kit.post(kit.clickFromHome(`facet1:decline:${kettle}:1`, 'U-lead'));
    await expect.poll(() => kit.slack.callsTo('views.open').length).toBe(opened + 1);
    // The click refreshes the Home too (after the form opened): the design still waits there.
    expect(homeButtons(await kit.home('U-lead', beforeClick), kettle)).toHaveLength(2);
    const modal = kit.slack.callsTo('views.open').at(-1)!.args.view as {
      callback_id: string;
      private_metadata: string;
    };
    expect(modal.callback_id).toBe('facet_decline');
    const published = kit.slack.callsTo('views.publish').length;
    const submitted = await kit.post(
      kit.submit(
        'facet_decline',
        modal.private_metadata,
        { facet_decline_block: { facet_decline_text: { type: 'plain_text_input', value: 'off-brand' } } },
        'U-lead',
      ),
    );
    expect(submitted.status).toBe(200);
    const declined = await waitFor(kit.h.workflow, kettle, inState('declined'));
    expect(declined.declined).toMatchObject({ by: 'U-lead', reason: 'off-brand' });
    const refreshed = await kit.home('U-lead', published);
    expect(homeButtons(refreshed, kettle)).toEqual([]);

    // Settings from the Home: the form for an admin, a note on the Home for anyone else.
    const forms = kit.slack.callsTo('views.open').length;
    await kit.post(kit.homeSettingsClick('U-admin'));
    await expect.poll(() => kit.slack.callsTo('views.open').length).toBe(forms + 1);
    expect(kit.slack.callsTo('views.open').at(-1)!.args.view).toMatchObject({
      callback_id: 'facet_settings',
    });
    const before = kit.slack.callsTo('views.publish').length;
    await kit.post(kit.homeSettingsClick('U-other'));
    expect(textOf(await kit.home('U-other', before))).toContain('Only workspace admins and owners');
    expect(kit.slack.callsTo('views.open')).toHaveLength(forms + 1);
  });

  it('answers /design pending privately with the approvable designs and their buttons', async () => {
    const lamp = await waitingDesign('U-req', 'a paper floor lamp');
    const responses = kit.slack.responses.length;
    await kit.post(kit.command('pending', 'U-lead'));
    await expect.poll(() => kit.slack.responses.length).toBe(responses + 1);
    const answer = kit.slack.responses.at(-1) as {
      response_type: string;
      text: string;
      blocks: { type: string; elements?: { action_id: string; text: { text: string } }[] }[];
    };
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toMatch(
      /Waiting for your approval[\s\S]*1\. a paper floor lamp by <@U-req>: iteration 1/,
    );
    const buttons = answer.blocks.flatMap((b) => b.elements ?? []);
    expect(buttons.map((b) => [b.action_id, b.text.text])).toEqual([
      [`facet1:approve:${lamp}:1`, 'Approve #1 (3 credits)'],
      [`facet1:decline:${lamp}:1`, 'Decline #1'],
    ]);
    // The requester, who may not approve it, is told nothing waits for them.
    await kit.post(kit.command('pending', 'U-req'));
    await expect.poll(() => kit.slack.responses.length).toBe(responses + 2);
    expect((kit.slack.responses.at(-1) as { text: string }).text).toBe(
      'Nothing is waiting for your approval.',
    );
  });
});
