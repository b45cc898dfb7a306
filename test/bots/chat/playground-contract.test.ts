import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { composePlayground } from '../../../src/compose/playground-composition.ts';
import type { PlatformComposition } from '../../../src/compose/platform-composition.ts';
import { LocalImageStore } from '../../../src/storage/images/local-image-store.ts';
import type { PlaygroundAnswer } from '../../../src/bots/playground/playground-api.ts';
import type { PlaygroundDesign } from '../../../src/bots/playground/playground-design.ts';
import { createHarness, silentLogger } from '../../workflow/workflow-harness.ts';
import { describeChatContract, type ContractUser, type Sent } from './chat-contract.ts';
import { holdModel, modelTexts } from './held-model.ts';

const users: Record<ContractUser, string> = { requester: 'ben', other: 'cyd', approver: 'dee' };
const names: Record<ContractUser, string> = { requester: 'Ben', other: 'Cyd', approver: 'Dee' };

/** The playground answers in the response itself: there is nothing to wait for. */
const answered = (answer: PlaygroundAnswer): Sent => ({
  answer: () => {
    const text = answer.error ?? answer.reply;
    return text === undefined ? Promise.reject(new Error('no private answer')) : Promise.resolve(text);
  },
});

let kits = 0;

describeChatContract(
  'playground',
  { threadPosts: false, threadMade: false, readsThreadReplies: true },
  async ({ limiter }) => {
    kits += 1;
    const imageDir = await mkdtemp(path.join(tmpdir(), 'facet-chat-contract-'));
    const images = new LocalImageStore({ dir: imageDir, publicUrl: 'http://127.0.0.1:9', secret: 'secret' });
    let playground!: PlatformComposition;
    const h = await createHarness(`chat_contract_playground_${kits}`, {
      images,
      notifier: (db) => {
        playground = composePlayground(
          { db, images, clock: () => new Date(), logger: silentLogger, limiter },
          undefined,
        );
        return playground.notifier;
      },
    });
    // The page's own entry point: its JSON API on an HTTP server, as Facet serves it.
    const attached = await playground.attach(h.workflow.service, h.ledger);
    const route = attached.route;
    if (!route) throw new Error('the playground serves no route');
    const server = createServer((request, response) => {
      void route(request, response).then((served) => {
        if (!served) response.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const post = async (endpoint: string, body: unknown): Promise<PlaygroundAnswer> => {
      const response = await fetch(`${url}/playground/api/${endpoint}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`playground answered ${response.status}`);
      return (await response.json()) as PlaygroundAnswer;
    };
    const snapshot = async (designId: string) => {
      const design = await h.workflow.service.snapshot(designId);
      if (!design) throw new Error(`no design ${designId}`);
      return design;
    };
    const create = async (prompt: string) =>
      post('command', { userId: users.requester, text: `/design ${prompt}`, requestId: randomUUID() });

    return {
      async close() {
        server.closeAllConnections();
        server.close();
        await attached.stop();
        await h.close();
        await rm(imageDir, { recursive: true, force: true });
      },
      driver: {
        db: h.test.db,
        snapshot,
        create: async (prompt) => answered(await create(prompt)),
        async createWithImage(user, prompt, image) {
          const query = new URLSearchParams({
            userId: users[user],
            text: `/design ${prompt}`,
            requestId: randomUUID(),
          });
          const response = await fetch(`${url}/playground/api/command-with-image?${query.toString()}`, {
            method: 'POST',
            headers: { 'content-type': 'application/octet-stream' },
            body: image.bytes,
          });
          if (!response.ok) throw new Error(`playground answered ${response.status}`);
          return answered((await response.json()) as PlaygroundAnswer);
        },
        history: async (position) =>
          answered(
            await post('command', {
              userId: users.requester,
              text: `/design history ${position}`,
              requestId: randomUUID(),
            }),
          ),
        async startWithCandidates(prompt, candidates) {
          await create(`candidates:${candidates} ${prompt}`);
          const row = await h.test.db
            .selectFrom('designs')
            .select('id')
            .where('prompt', '=', prompt)
            .executeTakeFirstOrThrow();
          return row.id;
        },
        async start(prompt) {
          await create(prompt);
          const row = await h.test.db
            .selectFrom('designs')
            .select('id')
            .where('prompt', '=', prompt)
            .executeTakeFirstOrThrow();
          return row.id;
        },
        async button(designId, label) {
          const deadline = Date.now() + 10_000;
          for (;;) {
            const views = (await (await fetch(`${url}/playground/api/designs`)).json()) as PlaygroundDesign[];
            const card = views.find((view) => view.id === designId)?.card;
            const found = card?.actions.flat().find((button) => label.test(button.label));
            if (found) return found.id;
            if (Date.now() > deadline) throw new Error(`no button ${String(label)}`);
            await new Promise((resolve) => setTimeout(resolve, 25));
          }
        },
        async click(user, _designId, actionId) {
          return answered(await post('action', { userId: users[user], actionId }));
        },
        async useApprovers() {
          // As the page's admin sets it: Ada's typed settings.
          const answer = await post('command', {
            userId: 'ada',
            text: '/design settings approvers @leads',
            requestId: randomUUID(),
          });
          if (!answer.reply?.startsWith('Settings saved')) throw new Error(`not saved: ${answer.reply}`);
        },
        async notices(designId) {
          const views = (await (await fetch(`${url}/playground/api/designs`)).json()) as PlaygroundDesign[];
          return views.find((view) => view.id === designId)?.thread.notices ?? [];
        },
        mentions: { user: (user) => `@${names[user]}`, group: '@leads' },
        async requestChanges(user, _designId, actionId) {
          const answer = await post('action', { userId: users[user], actionId });
          const modal = answer.modal;
          if (!modal) return { refusal: answer.reply ?? '(no answer)' };
          return {
            form: {
              submit: async (feedback) =>
                answered(await post('feedback', { userId: users[user], ...modal, feedback })),
            },
          };
        },
        replies: {
          async setEnabled(on) {
            // As the page's admin sets it: Ada's typed settings.
            const answer = await post('command', {
              userId: 'ada',
              text: `/design settings thread-replies ${on ? 'on' : 'off'}`,
              requestId: randomUUID(),
            });
            if (!answer.reply?.startsWith('Settings saved')) throw new Error(`not saved: ${answer.reply}`);
          },
          async reply(user, designId, text) {
            // The thread panel's reply box: its answer comes in the response.
            const answer = await post('reply', {
              userId: users[user],
              designId,
              text,
              requestId: randomUUID(),
            });
            const missing = (what: string) => Promise.reject(new Error(`no ${what}`));
            return {
              reaction: () => (answer.reaction ? Promise.resolve(answer.reaction) : missing('reaction')),
              answer: () => (answer.reply ? Promise.resolve(answer.reply) : missing('answer')),
              touched: () => answer.reaction !== undefined || answer.reply !== undefined,
            };
          },
          holdModel: () => holdModel(h.gemini),
          modelTexts: () => modelTexts(h.gemini),
        },
      },
    };
  },
);
