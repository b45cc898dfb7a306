import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackCall } from '../../fakes/fake-slack-api.ts';
import { inState, waitFor } from '../../workflow/workflow-harness.ts';
import { sign, startSlackKit, team, type SlackKit } from './slack-kit.ts';

type ModalView = { callback_id: string; private_metadata: string; blocks: Record<string, unknown>[] };

describe('Slack commands: credits, history, grant, settings and retried deliveries', () => {
  let kit: SlackKit;

  beforeAll(async () => {
    kit = await startSlackKit('slack_commands', { publicImages: true });
    kit.slack.users.set('U-admin', { isAdmin: true });
    kit.slack.groups.set('S0LEADS', { handle: 'design-leads', members: ['U-lead'] });
  });

  afterAll(async () => {
    await kit.close();
  });

  /** Sends a command and returns the ephemeral answer posted to its response_url. */
  async function ask(text: string, user = 'U1'): Promise<string> {
    const before = kit.slack.responses.length;
    const ack = await kit.post(kit.command(text, user));
    expect(ack.status).toBe(200);
    if (ack.text) return (JSON.parse(ack.text) as { text: string }).text;
    await expect.poll(() => kit.slack.responses.length, { timeout: 10_000 }).toBeGreaterThan(before);
    const answer = kit.slack.responses[before]!;
    expect(answer.response_type).toBe('ephemeral');
    return String(answer.text);
  }

  it('shows credits with recent entries, and history with links to the cards', async () => {
    expect(await ask('credits', 'U-hist')).toMatch(
      /You have 10 credits available \(10 in your account, 0 reserved/,
    );
    expect(await ask('history', 'U-hist')).toMatch(/no designs yet/);
    await kit.post(kit.command('a ceramic pour-over kettle', 'U-hist'));
    const design = await kit.designOf('U-hist', 'a ceramic pour-over kettle');
    await waitFor(kit.h.workflow, design, inState('awaiting_approval'));
    const credits = await ask('credits', 'U-hist');
    expect(credits).toMatch(/7 credits available \(10 in your account, 3 reserved/);
    // What each entry left available and reserved, not the balance with the reserved credits in it.
    expect(credits).toMatch(/3 credits reserved for a design; then 7 available, 3 reserved/);
    expect(credits).toMatch(/10 credits granted; then 10 available, 0 reserved/);
    const history = await ask('history', 'U-hist');
    expect(history).toMatch(
      /<https:\/\/fake\.slack\/archives\/C1\/p\d+\|a ceramic pour-over kettle>: waiting for approval, iteration 1/,
    );
  });

  it('lets admins grant credits, and refuses everyone else and bad amounts', async () => {
    expect(await ask('grant <@URICH|rich> 5', 'U1')).toMatch(/Only workspace admins/);
    expect(await ask('grant <@URICH|rich> -5', 'U-admin')).toMatch(/Usage: `\/design grant @user <credits>`/);
    expect(await ask('grant someone 5', 'U-admin')).toMatch(/Usage/);
    expect(await ask('grant <@URICH|rich> 25', 'U-admin')).toMatch(
      /Granted 25 credits to <@URICH>: they now have 35 available/,
    );
    const balance = await kit.h.ledger.balance({ workspaceId: await kit.workspaceId(), userId: 'URICH' });
    expect(balance).toEqual({ balance: 35, held: 0, available: 35 });
    expect(kit.slack.callsTo('chat.postEphemeral').at(-1)!.args).toMatchObject({ user: 'URICH' });
  });

  it('tells an admin without credits to grant some, and a member to ask an admin', async () => {
    kit.slack.users.set('U-adm-poor', { isAdmin: true });
    for (const [user, n] of [
      ['U-adm-poor', 1],
      ['U-adm-poor', 2],
      ['U-adm-poor', 3],
      ['U-mem-poor', 1],
      ['U-mem-poor', 2],
      ['U-mem-poor', 3],
    ] as const) {
      await kit.post(kit.command(`a pocket knife, take ${n}`, user));
      await waitFor(
        kit.h.workflow,
        await kit.designOf(user, `a pocket knife, take ${n}`),
        inState('awaiting_approval'),
      );
    }
    expect(await ask('a pocket knife, take 4', 'U-adm-poor')).toMatch(
      /needs 3 credits and you have 1 available\. Nothing was reserved\. As a workspace admin you can add credits with `\/design grant`/,
    );
    expect(await ask('a pocket knife, take 4', 'U-mem-poor')).toMatch(
      /Ask a workspace admin for more credits/,
    );
  });

  it('a retried slash command (X-Slack-Retry-Num) starts one design', async () => {
    const body = kit.command('a folding bicycle helmet', 'U-retry');
    await kit.post(body);
    await kit.post(body, { ...sign(body), 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' });
    const design = await kit.designOf('U-retry', 'a folding bicycle helmet');
    await waitFor(kit.h.workflow, design, inState('awaiting_approval'));
    const rows = await kit.h.test.db
      .selectFrom('designs')
      .select('id')
      .where('requester_id', '=', 'U-retry')
      .execute();
    expect(rows).toHaveLength(1);
    const balance = await kit.h.ledger.balance({ workspaceId: await kit.workspaceId(), userId: 'U-retry' });
    expect(balance.held).toBe(3);
  });

  it('explains a channel the bot cannot post in, and gives the credits back', async () => {
    kit.slack.closedChannels.add('C1');
    try {
      const answer = await ask('a bamboo cutting board', 'U-private');
      expect(answer).toMatch(/Facet cannot post in this conversation. Invite it first/);
    } finally {
      kit.slack.closedChannels.delete('C1');
    }
    const design = await kit.designOf('U-private');
    expect((await kit.h.workflow.service.snapshot(design))!.state).toBe('cancelled');
    const balance = await kit.h.ledger.balance({ workspaceId: await kit.workspaceId(), userId: 'U-private' });
    expect(balance).toEqual({ balance: 10, held: 0, available: 10 });
  });

  it('refuses a button naming a design of another workspace', async () => {
    await kit.post(kit.command('a steel water bottle', 'U-other'));
    const design = await kit.designOf('U-other', 'a steel water bottle');
    await waitFor(kit.h.workflow, design, inState('awaiting_approval'));
    const payload = JSON.parse(
      new URLSearchParams(kit.click(`facet1:cancel:${design}`, 'U-other')).get('payload')!,
    ) as {
      team: { id: string };
    };
    payload.team.id = 'T-ELSEWHERE';
    const before = kit.slack.callsTo('chat.postEphemeral').length;
    await kit.post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
    await expect.poll(() => kit.slack.callsTo('chat.postEphemeral').length).toBe(before + 1);
    expect(kit.slack.callsTo('chat.postEphemeral').at(-1)!.args.text).toMatch(/no longer exists/);
    expect((await kit.h.workflow.service.snapshot(design))!.state).toBe('awaiting_approval');
    // A click names an existing design, so an unknown team is refused without becoming a workspace.
    const elsewhere = await kit.h.test.db
      .selectFrom('workspaces')
      .select('id')
      .where('external_id', '=', 'T-ELSEWHERE')
      .execute();
    expect(elsewhere).toEqual([]);
  });

  it('settings: admins only; validated in the modal; an approver group then decides who approves', async () => {
    expect(await ask('settings', 'U1')).toMatch(/Only workspace admins/);
    const opened = kit.slack.callsTo('views.open').length;
    await kit.post(kit.command('settings', 'U-admin'));
    await expect.poll(() => kit.slack.callsTo('views.open').length).toBe(opened + 1);
    const view = kit.slack.callsTo('views.open').at(-1)!.args.view as ModalView;
    expect(view.callback_id).toBe('facet_settings');
    expect(JSON.stringify(view.blocks)).toContain('@design-leads');

    const values = (group: string, design: string) => ({
      facet_settings_approver: {
        facet_settings_approver_select: { type: 'static_select', selected_option: { value: group } },
      },
      facet_settings_price_design: { value: { type: 'number_input', value: design } },
      facet_settings_price_variation: { value: { type: 'number_input', value: '2' } },
      facet_settings_price_edit: { value: { type: 'number_input', value: '1' } },
    });
    const bad = await kit.post(
      kit.submit('facet_settings', view.private_metadata, values('S0LEADS', '2.5'), 'U-admin'),
    );
    expect(JSON.parse(bad.text)).toMatchObject({
      response_action: 'errors',
      errors: { facet_settings_price_design: 'A whole number from 0 to 1000.' },
    });
    const notAdmin = await kit.post(
      kit.submit('facet_settings', view.private_metadata, values('S0LEADS', '4'), 'U1'),
    );
    expect(JSON.parse(notAdmin.text)).toMatchObject({ response_action: 'errors' });
    const workspaceBefore = await kit.h.test.db
      .selectFrom('workspaces')
      .select(['approver_group', 'price_design'])
      .where('external_id', '=', team)
      .executeTakeFirstOrThrow();
    expect(workspaceBefore).toEqual({ approver_group: null, price_design: 3 });

    const saved = await kit.post(
      kit.submit('facet_settings', view.private_metadata, values('S0LEADS', '4'), 'U-admin'),
    );
    expect(saved.status).toBe(200);
    expect(saved.text).toBe('');
    const workspace = await kit.h.test.db
      .selectFrom('workspaces')
      .select(['approver_group', 'price_design'])
      .where('external_id', '=', team)
      .executeTakeFirstOrThrow();
    expect(workspace).toEqual({ approver_group: 'S0LEADS', price_design: 4 });

    // New price, and only the design leads approve now: the requester is refused, a lead is not.
    await kit.post(kit.command('an ergonomic office chair', 'U-maker'));
    const design = await kit.designOf('U-maker', 'an ergonomic office chair');
    const ready = await waitFor(kit.h.workflow, design, inState('awaiting_approval'));
    expect(ready.held).toBe(4);
    const ephemerals = kit.slack.callsTo('chat.postEphemeral').length;
    await kit.post(kit.click(`facet1:approve:${design}:1`, 'U-maker'));
    await expect.poll(() => kit.slack.callsTo('chat.postEphemeral').length).toBe(ephemerals + 1);
    expect((await kit.h.workflow.service.snapshot(design))!.state).toBe('awaiting_approval');
    await kit.post(kit.click(`facet1:approve:${design}:1`, 'U-lead'));
    const done = await waitFor(kit.h.workflow, design, inState('completed', 'failed'));
    expect(done).toMatchObject({ state: 'completed', approvedBy: 'U-lead', charged: 4 });
    const approvedCard = (c: SlackCall) => JSON.stringify(c.args.blocks).includes('Approved by <@U-lead>');
    await expect.poll(() => kit.slack.callsTo('chat.update').some(approvedCard)).toBe(true);
  });

  it('usage and budgets: admins only; the budget is saved in settings, refuses new designs once used, and can be cleared', async () => {
    expect(await ask('usage', 'U1')).toMatch(/Only workspace admins/);
    kit.slack.users.set('U-spender', { isAdmin: true });
    // Spend this month: a completed design (five images) in this workspace.
    await kit.post(kit.command('a walnut desk organiser', 'U-spender'));
    const design = await kit.designOf('U-spender', 'a walnut desk organiser');
    await waitFor(kit.h.workflow, design, inState('awaiting_approval'));
    // The design leads approve in this workspace (set by the settings test above).
    await kit.post(kit.click(`facet1:approve:${design}:1`, 'U-lead'));
    await waitFor(kit.h.workflow, design, inState('completed'));

    await kit.post(kit.command('settings', 'U-admin'));
    const view = kit.slack.callsTo('views.open').at(-1)!.args.view as ModalView;
    const budgetField = (text: string) => ({
      facet_settings_approver: {
        facet_settings_approver_select: { type: 'static_select', selected_option: { value: 'none' } },
      },
      facet_settings_price_design: { value: { type: 'number_input', value: '3' } },
      facet_settings_price_variation: { value: { type: 'number_input', value: '2' } },
      facet_settings_price_edit: { value: { type: 'number_input', value: '1' } },
      facet_settings_budget: { value: { type: 'number_input', value: text } },
    });
    const bad = await kit.post(
      kit.submit('facet_settings', view.private_metadata, budgetField('-3'), 'U-admin'),
    );
    const refused = JSON.parse(bad.text) as { errors: Record<string, string> };
    expect(refused.errors.facet_settings_budget).toMatch(/^An amount from 0/);
    const saved = await kit.post(
      kit.submit('facet_settings', view.private_metadata, budgetField('0.01'), 'U-admin'),
    );
    expect(saved.text).toBe('');
    const budgetRow = () =>
      kit.h.test.db
        .selectFrom('workspaces')
        .select(['monthly_budget_cents', 'settings_saved_by'])
        .where('external_id', '=', team)
        .executeTakeFirstOrThrow();
    expect(await budgetRow()).toEqual({ monthly_budget_cents: 1, settings_saved_by: 'U-admin' });

    // The calls of the completed design are written in a batch a moment after they end (earlier tests'
    // designs already make a list of top requesters: this one's requester is waited for).
    await expect
      .poll(async () => (await ask('usage', 'U-admin')).includes('<@U-spender>'), { timeout: 10_000 })
      .toBe(true);
    const usage = await ask('usage', 'U-admin');
    expect(usage).toMatch(/AI usage in \w+ \d{4} \(UTC\)/);
    expect(usage).toMatch(/\d+ designs? started, \d+ images generated, estimated cost \$\d+\.\d{2}/);
    expect(usage).toMatch(/Monthly AI budget: \$0\.01 \(set in \/design settings\), \d+% used/);
    expect(usage).toContain('<@U-spender>');
    // What a design cost is shown to admins only.
    expect(await ask('history', 'U-spender')).toMatch(
      /a walnut desk organiser>: done, iteration 1, 4 credits charged, started [^,]+, estimated AI cost \$0\.\d{2}/,
    );
    expect(await ask('history', 'U-hist')).not.toContain('estimated AI cost');

    const designs = () => kit.h.test.db.selectFrom('designs').select('id').execute();
    const before = (await designs()).length;
    expect(await ask('a brass doorstop', 'U-hist')).toMatch(
      /This workspace has used its AI budget for this month, so no new design can start; nothing was reserved\. A workspace admin can raise it/,
    );
    expect(await ask('a brass doorstop', 'U-admin')).toMatch(
      /As a workspace admin you can raise it in `\/design settings`/,
    );
    expect((await designs()).length).toBe(before);
    expect(
      await kit.h.ledger.balance({ workspaceId: await kit.workspaceId(), userId: 'U-admin' }),
    ).toMatchObject({ held: 0 });

    // Empty: back to the operator's default (none here), and designs start again.
    await kit.post(kit.submit('facet_settings', view.private_metadata, budgetField(''), 'U-admin'));
    expect(await budgetRow()).toEqual({ monthly_budget_cents: null, settings_saved_by: 'U-admin' });
    expect(await ask('usage', 'U-admin')).toMatch(/No monthly AI budget is set/);
  });
});
