import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inState, waitFor } from '../../workflow/workflow-harness.ts';
import { startSlackKit, type SlackKit } from './slack-kit.ts';

describe('Slack clicks: double clicks, finished designs, and Edit view after completion', () => {
  let kit: SlackKit;

  beforeAll(async () => {
    kit = await startSlackKit('slack_clicks', { publicImages: true });
  });

  afterAll(async () => {
    await kit.close();
  });

  it('counts a double-clicked Approve once, refuses it on the finished design, and edits one view', async () => {
    await kit.post(kit.command('a pair of trail running shoes', 'U-dbl'));
    const design = await kit.designOf('U-dbl');
    await waitFor(kit.h.workflow, design, inState('awaiting_approval'));
    const approve = `facet1:approve:${design}:1`;
    const ephemerals = kit.slack.callsTo('chat.postEphemeral').length;
    await Promise.all([kit.post(kit.click(approve, 'U-dbl')), kit.post(kit.click(approve, 'U-dbl'))]);
    const done = await waitFor(kit.h.workflow, design, inState('completed', 'failed'));
    expect(done).toMatchObject({ state: 'completed', charged: 3 });
    // The losing click is told, privately, that the design was already approved.
    await expect.poll(() => kit.slack.callsTo('chat.postEphemeral').length).toBe(ephemerals + 1);
    expect(kit.slack.callsTo('chat.postEphemeral').at(-1)!.args.text).toMatch(/already been approved/);
    const workspaceId = await kit.workspaceId();
    expect(await kit.h.ledger.balance({ workspaceId, userId: 'U-dbl' })).toEqual({
      balance: 7,
      held: 0,
      available: 7,
    });

    // A third click on the finished design changes nothing (once its sheets, which follow completion
    // and are a change of their own, are there).
    const sheeted = await waitFor(kit.h.workflow, design, (d) => Boolean(d.revision?.contactSheetKey));
    await kit.post(kit.click(approve, 'U-dbl'));
    await expect.poll(() => kit.slack.callsTo('chat.postEphemeral').length).toBe(ephemerals + 2);
    expect((await kit.h.workflow.service.snapshot(design))!.version).toBe(sheeted.version);

    // Edit view: a new round regenerates the side view; its thread gets a new status and the new image.
    const cardTs = (done.surface.slack as { ts: string }).ts;
    const threadImages = () =>
      kit.slack
        .callsTo('chat.postMessage')
        // Notices to people are text; the status and the images have blocks.
        .filter((c) => c.args.thread_ts === cardTs && c.args.blocks !== undefined)
        .map((c) => JSON.stringify(c.args.blocks));
    await expect.poll(() => threadImages().length, { timeout: 10_000 }).toBe(8);
    // Edit side view asks what should change first (optional), and only the form's submission redraws.
    const opened = kit.slack.callsTo('views.open').length;
    await kit.post(kit.click(`facet1:edit_view:${design}:side`, 'U-dbl'));
    await expect.poll(() => kit.slack.callsTo('views.open').length).toBe(opened + 1);
    const modal = kit.slack.callsTo('views.open').at(-1)!.args.view as {
      callback_id: string;
      private_metadata: string;
      title: { text: string };
    };
    expect(modal).toMatchObject({ callback_id: 'facet_view_edit', title: { text: 'Edit the side view' } });
    expect((await kit.h.workflow.service.snapshot(design))!.round).toBe(1);
    // Someone else's click gets a private refusal, not the form.
    await kit.post(kit.click(`facet1:edit_view:${design}:side`, 'U-stranger'));
    await expect
      .poll(() => kit.slack.callsTo('chat.postEphemeral').at(-1)?.args.text)
      .toMatch(/Only the person who asked for this design/);
    expect(kit.slack.callsTo('views.open')).toHaveLength(opened + 1);
    const submitted = await kit.post(
      kit.submit(
        'facet_view_edit',
        modal.private_metadata,
        {
          facet_view_edit_block: {
            facet_view_edit_text: { type: 'plain_text_input', value: 'show the vents' },
          },
        },
        'U-dbl',
      ),
    );
    expect(submitted.status).toBe(200);
    const second = await waitFor(kit.h.workflow, design, (d) => d.state === 'completed' && d.round === 2);
    expect(second.charged).toBe(4);
    expect(kit.h.gemini.requests.some((r) => r.texts.join(' ').includes('"show the vents"'))).toBe(true);
    // The new round's status, its side view, contact sheet and spec sheet.
    await expect.poll(() => threadImages().length, { timeout: 10_000 }).toBe(12);
    const added = threadImages().slice(8);
    expect(added[0]).toContain('Revision 2: regenerating the side view');
    expect(added[1]).toContain('/r2/side.png');
    expect(added[1]).toContain('Side view, edit 2');
    expect(added[2]).toContain('/r2/contact-sheet.png');
    expect(added[3]).toContain('/r2/spec-sheet.png');
  });
});
