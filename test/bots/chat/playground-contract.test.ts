import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../src/config.ts';
import { startFacet } from '../../../src/main.ts';
import type { PlaygroundAnswer } from '../../../src/bots/playground/playground-api.ts';
import type { PlaygroundView } from '../../../src/bots/playground/playground-view.ts';
import { createTestDatabase } from '../../helpers/test-database.ts';
import { silentLogger } from '../../workflow/workflow-harness.ts';
import { describeChatContract, type ContractUser, type Sent } from './chat-contract.ts';

const users: Record<ContractUser, string> = { requester: 'ben', other: 'cyd' };

/** The playground answers in the response itself: there is nothing to wait for. */
const answered = (answer: PlaygroundAnswer): Sent => ({
  answer: () => {
    const text = answer.error ?? answer.reply;
    return text === undefined ? Promise.reject(new Error('no private answer')) : Promise.resolve(text);
  },
});

describeChatContract('playground', { threadPosts: false, threadMade: false }, async () => {
  const test = await createTestDatabase('chat_contract_playground');
  const dataDir = path.join(tmpdir(), `facet-chat-contract-${process.pid}`);
  const facet = await startFacet(
    loadConfig({ PORT: '0', DATABASE_URL: test.url, FACET_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }),
    silentLogger,
  );
  const post = async (endpoint: string, body: unknown): Promise<PlaygroundAnswer> => {
    const response = await fetch(`${facet.url}/playground/api/${endpoint}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`playground answered ${response.status}`);
    return (await response.json()) as PlaygroundAnswer;
  };
  const snapshot = async (designId: string) => {
    const design = await facet.workflow.service.snapshot(designId);
    if (!design) throw new Error(`no design ${designId}`);
    return design;
  };

  return {
    async close() {
      await facet.close();
      await test.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
    driver: {
      db: test.db,
      snapshot,
      async start(prompt) {
        await post('command', {
          userId: users.requester,
          text: `/design ${prompt}`,
          requestId: randomUUID(),
        });
        const row = await test.db
          .selectFrom('designs')
          .select('id')
          .where('prompt', '=', prompt)
          .executeTakeFirstOrThrow();
        return row.id;
      },
      async button(designId, label) {
        const deadline = Date.now() + 10_000;
        for (;;) {
          const views = (await (
            await fetch(`${facet.url}/playground/api/designs`)
          ).json()) as PlaygroundView[];
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
    },
  };
});
