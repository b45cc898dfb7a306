import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkspaceDirectory } from '../../../src/workflow/workspace-directory.ts';
import { readSlackCardPlace } from '../../../src/bots/slack/slack-card-place.ts';
import { inState, waitFor } from '../../workflow/workflow-harness.ts';
import { startSlackKit, team, type SlackKit } from './slack-kit.ts';

/**
 * A workspace that asks its approvers by direct message: each member of the group gets one message per
 * iteration, linking to the card, with no group mention (which would ping everyone); a group too large
 * to ask one by one is mentioned in the thread instead.
 */
describe('Slack: approvers asked by direct message', () => {
  let kit: SlackKit;

  beforeAll(async () => {
    kit = await startSlackKit('slack_approval_dm', { publicImages: true });
    kit.slack.groups.set('S0LEADS', { handle: 'leads', members: ['U-lead1', 'U-lead2', 'U-req'] });
    const crowd = Array.from({ length: 25 }, (_, i) => `U-crowd${i}`);
    kit.slack.groups.set('S0CROWD', { handle: 'crowd', members: crowd });
    kit.slack.users.set('U-admin', { isAdmin: true });
    const workspace = await new WorkspaceDirectory(kit.h.test.db).ensure('slack', team);
    await kit.h.test.db
      .updateTable('workspaces')
      .set({ approver_group: 'S0LEADS', approval_notices: 'direct' })
      .where('id', '=', workspace.id)
      .execute();
  });

  afterAll(async () => {
    await kit.close();
  });

  const directTo = (user: string) =>
    kit.slack.callsTo('chat.postMessage').filter((call) => call.args.channel === user);
  const threadOf = async (designId: string) => {
    const design = await kit.h.workflow.service.snapshot(designId);
    const ts = readSlackCardPlace(design!.surface)?.ts;
    return kit.slack
      .callsTo('chat.postMessage')
      .filter((call) => call.args.thread_ts === ts)
      .map((call) => String(call.args.text));
  };

  it('messages each approver once per iteration, not the requester, with a link to the card', async () => {
    await kit.post(kit.command('a copper watering can', 'U-req'));
    const design = await kit.designOf('U-req', 'a copper watering can');
    await waitFor(kit.h.workflow, design, inState('awaiting_approval'));
    await expect.poll(() => directTo('U-lead1').length + directTo('U-lead2').length).toBe(2);
    const text = String(directTo('U-lead1')[0]!.args.text);
    expect(text).toMatch(
      /^A design waits for your approval: iteration 1 of “a copper watering can”, asked for by <@U-req>\./,
    );
    expect(text).toMatch(/<https:\/\/fake\.slack\/archives\/[^|]+\|Open the card>$/);
    expect(text).not.toContain('<!subteam');
    // The requester, though in the group, is not asked; the thread mentions nobody.
    expect(directTo('U-req')).toHaveLength(0);
    expect((await threadOf(design)).some((line) => line.includes('<!subteam'))).toBe(false);

    // Shown again by a fresh process: nobody is asked twice.
    await kit.restartedNotifier().notify((await kit.h.workflow.service.snapshot(design))!);
    expect(directTo('U-lead1')).toHaveLength(1);

    // A quick edit is a new iteration: asked again, once each.
    await kit.post(kit.click(`facet1:edit:${design}:1:minimal`, 'U-req'));
    await waitFor(kit.h.workflow, design, (d) => d.iteration === 2 && d.state === 'awaiting_approval');
    await expect.poll(() => directTo('U-lead1').length + directTo('U-lead2').length).toBe(4);
    expect(String(directTo('U-lead2').at(-1)!.args.text)).toMatch(
      /^A design waits for your approval: iteration 2 of /,
    );
  });

  it('mentions a group too large to ask one by one in the thread instead', async () => {
    await kit.h.test.db
      .updateTable('workspaces')
      .set({ approver_group: 'S0CROWD' })
      .where('external_id', '=', team)
      .execute();
    await kit.post(kit.command('a tin lunch box', 'U-req'));
    const design = await kit.designOf('U-req', 'a tin lunch box');
    await waitFor(kit.h.workflow, design, inState('awaiting_approval'));
    await expect
      .poll(async () => (await threadOf(design)).filter((line) => line.startsWith('<!subteam^S0CROWD>')))
      .toHaveLength(1);
    expect(directTo('U-crowd0')).toHaveLength(0);
  });

  it('is chosen in the settings form, which shows the choice saved', async () => {
    const opened = kit.slack.callsTo('views.open').length;
    await kit.post(kit.command('settings', 'U-admin'));
    await expect.poll(() => kit.slack.callsTo('views.open').length).toBe(opened + 1);
    const view = kit.slack.callsTo('views.open').at(-1)!.args.view as {
      private_metadata: string;
      blocks: { block_id: string; element?: { initial_option?: { value: string } } }[];
    };
    const shown = view.blocks.find((block) => block.block_id === 'facet_settings_notices');
    expect(shown?.element?.initial_option?.value).toBe('direct');
    const select = (value: string) => ({ type: 'static_select', selected_option: { value } });
    const values = (notices: string) => ({
      facet_settings_approver: { facet_settings_approver_select: select('S0LEADS') },
      facet_settings_notices: { facet_settings_notices_select: select(notices) },
      facet_settings_own_approval: { facet_settings_own_approval_select: select('default') },
      facet_settings_price_design: { value: { type: 'number_input', value: '3' } },
      facet_settings_price_variation: { value: { type: 'number_input', value: '2' } },
      facet_settings_price_edit: { value: { type: 'number_input', value: '1' } },
      facet_settings_budget: { value: { type: 'number_input', value: '' } },
    });
    const forged = await kit.post(
      kit.submit('facet_settings', view.private_metadata, values('pigeon'), 'U-admin'),
    );
    expect(JSON.parse(forged.text)).toMatchObject({
      errors: { facet_settings_notices: expect.any(String) as unknown },
    });
    const saved = await kit.post(
      kit.submit('facet_settings', view.private_metadata, values('thread'), 'U-admin'),
    );
    expect(saved.text).toBe('');
    const row = await kit.h.test.db
      .selectFrom('workspaces')
      .select(['approval_notices', 'approver_group'])
      .where('external_id', '=', team)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ approval_notices: 'thread', approver_group: 'S0LEADS' });
  });
});
