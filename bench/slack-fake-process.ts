/*
 * The fake Slack of bench/slack.ts in a process of its own: forked by forkSlackFake()
 * (bench/slack-fake.ts) and driven over the IPC channel (bench/forked-child.ts).
 */
import { startFakeSlack, type FakeSlack } from '../test/fakes/fake-slack-api.ts';
import { serveParent } from './forked-child.ts';
import type { PostedCard, SlackFakeRequest } from './slack-fake.ts';

let slack: FakeSlack | undefined;

async function run(request: SlackFakeRequest): Promise<unknown> {
  switch (request.op) {
    case 'start':
      if (slack) throw new Error('already started');
      slack = await startFakeSlack();
      return { url: slack.url, apiUrl: slack.apiUrl };
    case 'cards': {
      const pattern = new RegExp(request.arg);
      return (slack?.calls ?? []).flatMap((c): PostedCard[] =>
        c.method === 'chat.postMessage' &&
        c.args.thread_ts === undefined &&
        typeof c.args.text === 'string' &&
        pattern.test(c.args.text)
          ? [{ text: c.args.text, at: c.at }]
          : [],
      );
    }
    case 'responses':
      return slack?.responses.length ?? 0;
    case 'close':
      await slack?.close();
      slack = undefined;
      return null;
  }
}

serveParent(
  (request) => run(request as SlackFakeRequest),
  async () => {
    await slack?.close();
  },
);
