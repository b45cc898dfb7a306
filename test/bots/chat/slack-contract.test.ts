import { readSlackCardPlace } from '../../../src/bots/slack/slack-card-place.ts';
import type { SlackCall } from '../../fakes/fake-slack-api.ts';
import { WorkspaceDirectory } from '../../../src/workflow/workspace-directory.ts';
import { channel, startSlackKit, team } from '../slack/slack-kit.ts';
import { describeChatContract, poll, type ContractUser, type Sent } from './chat-contract.ts';
import { holdModel, modelTexts } from './held-model.ts';

const users: Record<ContractUser, string> = { requester: 'U-req', other: 'U-other', approver: 'U-lead' };
const approverGroup = 'S0LEADS';
/** Each of Slack's two iteration forms, by callback id: where its text goes. */
const formFields: Record<string, { block: string; action: string }> = {
  facet_feedback: { block: 'facet_feedback_block', action: 'facet_feedback_text' },
  facet_decline: { block: 'facet_decline_block', action: 'facet_decline_text' },
};

let kits = 0;
let shortcuts = 0;
let replies = 0;

describeChatContract(
  'Slack',
  { threadPosts: true, threadMade: false, readsThreadReplies: true },
  async ({ limiter }) => {
    kits += 1;
    const kit = await startSlackKit(`chat_contract_slack_${kits}`, {
      publicImages: true,
      ...(limiter ? { limiter } : {}),
    });
    const snapshot = async (designId: string) => {
      const design = await kit.h.workflow.service.snapshot(designId);
      if (!design) throw new Error(`no design ${designId}`);
      return design;
    };
    const cardTs = async (designId: string) => readSlackCardPlace((await snapshot(designId)).surface)?.ts;
    const ephemeralsTo = (user: string) =>
      kit.slack.callsTo('chat.postEphemeral').filter((call) => call.args.user === user);
    /** The private answer that comes after the `seen` earlier ones. */
    const nextEphemeral = (user: string, seen: number): Sent => ({
      answer: () => poll(() => ephemeralsTo(user)[seen]?.args.text as string | undefined, 'a private answer'),
    });
    /** The requester's command, for its private answer. */
    const ask = async (text: string): Promise<Sent> => {
      const responded = kit.slack.responses.length;
      const acked = await kit.post(kit.command(text, users.requester));
      // An answer given at once comes with the acknowledgement; a later one through response_url.
      const inAck = acked.text === '' ? undefined : (JSON.parse(acked.text) as { text?: string }).text;
      return {
        answer: () =>
          inAck !== undefined
            ? Promise.resolve(inAck)
            : poll(() => kit.slack.responses[responded]?.text as string | undefined, 'a private answer'),
      };
    };
    const firstLine = (call: SlackCall) => String(call.args.text).split('\n')[0]!;
    /** Sends `/design <text>` and waits for the card of the design whose description is `prompt`. */
    const startWith = async (text: string, prompt: string) => {
      await kit.post(kit.command(text, users.requester));
      const designId = await kit.designOf(users.requester, prompt);
      const deadline = Date.now() + 10_000;
      while (!(await cardTs(designId))) {
        if (Date.now() > deadline) throw new Error('the card was not posted');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return designId;
    };

    return {
      close: () => kit.close(),
      driver: {
        db: kit.h.test.db,
        snapshot,
        create: (prompt) => ask(prompt),
        async createWithImage(user, prompt, image) {
          const who = users[user];
          const file = kit.slack.addUserFile(image);
          const opened = kit.slack.callsTo('views.open').length;
          shortcuts += 1;
          // The message shortcut "Design from this image" on a message carrying the file...
          await kit.post(
            new URLSearchParams({
              payload: JSON.stringify({
                type: 'message_action',
                callback_id: 'facet_design_from_image',
                trigger_id: `trigger-image-${shortcuts}`,
                response_url: `${kit.slack.url}/response/image-${shortcuts}`,
                team: { id: team },
                user: { id: who, team_id: team },
                channel: { id: 'C1' },
                message_ts: `1700000000.${shortcuts}`,
                message: { type: 'message', ts: `1700000000.${shortcuts}`, files: [file] },
              }),
            }).toString(),
          );
          const form = await poll(() => kit.slack.callsTo('views.open')[opened], 'the image form');
          const view = form.args.view as { private_metadata: string; callback_id: string };
          // ...then its form, with the description.
          const seen = ephemeralsTo(who).length;
          await kit.post(
            new URLSearchParams({
              payload: JSON.stringify({
                type: 'view_submission',
                team: { id: team },
                user: { id: who, team_id: team },
                view: {
                  id: `VIMAGE${shortcuts}`,
                  callback_id: view.callback_id,
                  private_metadata: view.private_metadata,
                  state: {
                    values: {
                      facet_image_prompt_block: {
                        facet_image_prompt_text: { type: 'plain_text_input', value: prompt },
                      },
                    },
                  },
                },
              }),
            }).toString(),
          );
          return nextEphemeral(who, seen);
        },
        history: (position) => ask(`history ${position}`),
        async cardCandidates(designId) {
          const ts = await cardTs(designId);
          const card = kit.slack.calls.findLast(
            (call) => call.method === 'chat.update' && call.args.ts === ts,
          );
          const blocks = (card?.args.blocks ?? []) as {
            type: string;
            block_id?: string;
            title?: { text: string };
          }[];
          return blocks.flatMap((block) =>
            block.type === 'image' && block.block_id?.startsWith('facet_candidate_')
              ? [block.title?.text ?? '']
              : [],
          );
        },
        startWithCandidates: (prompt, candidates) => startWith(`candidates:${candidates} ${prompt}`, prompt),
        start: (prompt) => startWith(prompt, prompt),
        async button(designId, label) {
          const ts = await cardTs(designId);
          return poll(
            () => {
              const card = kit.slack.calls.findLast(
                (call) => call.method === 'chat.update' && call.args.ts === ts,
              );
              return card ? kit.buttons(card).find((b) => label.test(b.text.text))?.action_id : undefined;
            },
            `a button ${String(label)}`,
          );
        },
        async click(user, _designId, actionId) {
          const seen = ephemeralsTo(users[user]).length;
          await kit.post(kit.click(actionId, users[user]));
          return nextEphemeral(users[user], seen);
        },
        async requestChanges(user, _designId, actionId) {
          const who = users[user];
          const seen = ephemeralsTo(who).length;
          const opened = kit.slack.callsTo('views.open').length;
          await kit.post(kit.click(actionId, who));
          const result = await poll<{ view: SlackCall } | { refusal: string }>(() => {
            const view = kit.slack.callsTo('views.open')[opened];
            if (view) return { view };
            const refusal = ephemeralsTo(who)[seen];
            return refusal ? { refusal: String(refusal.args.text) } : undefined;
          }, 'the form or a refusal');
          if ('refusal' in result) return result;
          const view = result.view.args.view as { private_metadata: string; callback_id: string };
          const fields = formFields[view.callback_id];
          if (!fields) throw new Error(`an unexpected form ${view.callback_id}`);
          return {
            form: {
              async submit(feedback) {
                const before = ephemeralsTo(who).length;
                const values = {
                  [fields.block]: { [fields.action]: { type: 'plain_text_input', value: feedback } },
                };
                const acked = await kit.post(
                  kit.submit(view.callback_id, view.private_metadata, values, who),
                );
                const inForm =
                  acked.text === ''
                    ? undefined
                    : (JSON.parse(acked.text) as { errors?: Record<string, string> });
                const error = inForm?.errors?.[fields.block];
                return error === undefined
                  ? nextEphemeral(who, before)
                  : { answer: () => Promise.resolve(error) };
              },
            },
          };
        },
        async useApprovers() {
          kit.slack.groups.set(approverGroup, { handle: 'leads', members: [users.approver] });
          const workspace = await new WorkspaceDirectory(kit.h.test.db).ensure('slack', team);
          await kit.h.test.db
            .updateTable('workspaces')
            .set({ approver_group: approverGroup })
            .where('id', '=', workspace.id)
            .execute();
        },
        async notices(designId) {
          const ts = await cardTs(designId);
          // The status and the images have blocks; a notice to people is text only.
          return kit.slack.calls
            .filter(
              (call) =>
                call.method === 'chat.postMessage' &&
                call.args.thread_ts === ts &&
                call.args.blocks === undefined,
            )
            .map((call) => String(call.args.text));
        },
        mentions: { user: (user) => `<@${users[user]}>`, group: `<!subteam^${approverGroup}>` },
        thread: {
          async posts(designId) {
            const ts = await cardTs(designId);
            return kit.slack.calls
              .filter((call) => call.method === 'chat.postMessage' && call.args.thread_ts === ts)
              .map(firstLine);
          },
          restartedNotifier: () => kit.restartedNotifier(),
        },
        replies: {
          async setEnabled(on) {
            await kit.h.test.db.updateTable('workspaces').set({ thread_replies: on }).execute();
          },
          async reply(user, designId, text) {
            const who = users[user];
            const seen = ephemeralsTo(who).length;
            replies += 1;
            const ts = `${Math.floor(Date.now() / 1000)}.${String(replies).padStart(6, '0')}9`;
            const reactions = () =>
              kit.slack.callsTo('reactions.add').filter((call) => call.args.timestamp === ts && !call.error);
            await kit.sendEvent({
              type: 'message',
              channel: channel,
              channel_type: 'channel',
              user: who,
              text,
              ts,
              thread_ts: await cardTs(designId),
              event_ts: ts,
            });
            return {
              reaction: () => poll(() => reactions()[0]?.args.name as string | undefined, 'a reaction'),
              answer: () => nextEphemeral(who, seen).answer(),
              touched: () => reactions().length > 0 || ephemeralsTo(who).length > seen,
            };
          },
          holdModel: () => holdModel(kit.h.gemini),
          modelTexts: () => modelTexts(kit.h.gemini),
        },
      },
    };
  },
);
