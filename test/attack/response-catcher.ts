import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from './wait.ts';

/**
 * Stands in for Slack's response_url: Facet POSTs its later answers to a slash command here. Answers are
 * kept per path, in order, so a resent command (same response_url) has its own answer at the next index.
 */
export type ResponseCatcher = {
  url: string;
  /** The text of the `index`-th answer posted to `path`, once it has come. */
  answer(path: string, index?: number, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
};

export async function startResponseCatcher(): Promise<ResponseCatcher> {
  const answers = new Map<string, string[]>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      let text = Buffer.concat(chunks).toString();
      try {
        const parsed = JSON.parse(text) as { text?: unknown };
        if (typeof parsed.text === 'string') text = parsed.text;
      } catch {
        // kept raw
      }
      answers.set(path, [...(answers.get(path) ?? []), text]);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    answer: (path, index = 0, timeoutMs = 10_000) =>
      waitFor(`an answer at ${path}`, () => answers.get(path)?.[index], timeoutMs),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
