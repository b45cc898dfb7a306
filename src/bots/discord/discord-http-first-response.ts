import type { ServerResponse } from 'node:http';
import type { APIInteractionResponse } from 'discord.js';

/**
 * The first response of an interaction that arrived over HTTP: it is the body of the HTTP response.
 * `send` hands it over and resolves once the response has been written, so that nothing the chat layer
 * sends afterwards (an edit of the deferred reply) can reach Discord before it.
 */
export class HttpFirstResponse {
  /** Resolves with what the chat layer answered first. */
  readonly answer: Promise<APIInteractionResponse>;
  private give!: (response: APIInteractionResponse) => void;
  private given = false;
  private readonly written: Promise<void>;

  constructor(response: ServerResponse) {
    this.answer = new Promise((resolve) => (this.give = resolve));
    this.written = new Promise((resolve, reject) => {
      response.once('finish', () => resolve());
      response.once('close', () =>
        response.writableFinished ? resolve() : reject(new Error('Discord closed the connection first')),
      );
    });
    // Nobody may be waiting (the route answered on its own after a failure).
    this.written.catch(() => undefined);
  }

  /** The route writes the response itself (a fallback): later first responses are refused. */
  close(): void {
    this.given = true;
  }

  async send(response: APIInteractionResponse): Promise<void> {
    if (this.given) throw new Error('this interaction has already been answered');
    this.given = true;
    this.give(response);
    await this.written;
  }
}
