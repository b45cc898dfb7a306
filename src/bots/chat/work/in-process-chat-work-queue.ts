import type { Logger } from 'pino';
import type { ChatWork, ChatWorkHandler, ChatWorkQueue } from './chat-work.ts';

/**
 * One process that receives and works (the embedded defaults, or no Redis): work starts after the
 * requests already waiting to be read, one piece per turn of the event loop, so a burst of requests is
 * answered first. Work added before `process` waits for it.
 */
export class InProcessChatWorkQueue implements ChatWorkQueue {
  private handler: ChatWorkHandler | undefined;
  private readonly waiting: ChatWork[] = [];
  private readonly running = new Set<Promise<void>>();
  private scheduled = false;
  private closed = false;

  constructor(private readonly logger: Logger) {}

  add(work: ChatWork): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the chat work queue is closed'));
    this.waiting.push(work);
    this.schedule();
    return Promise.resolve();
  }

  process(handler: ChatWorkHandler): Promise<void> {
    if (this.handler) return Promise.reject(new Error('chat work is already being processed'));
    this.handler = handler;
    this.schedule();
    return Promise.resolve();
  }

  private schedule(): void {
    if (this.scheduled || !this.handler || this.waiting.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const work = this.waiting.shift();
      const handler = this.handler;
      if (work && handler) this.start(handler, work);
      this.schedule();
    });
  }

  private start(handler: ChatWorkHandler, work: ChatWork): void {
    const run = handler(work)
      .catch((err: unknown) =>
        this.logger.error({ err, platform: work.platform }, 'chat work failed after its acknowledgement'),
      )
      .finally(() => this.running.delete(run));
    this.running.add(run);
  }

  /** Finishes what was added (its requests were answered already: nothing may be dropped), then closes. */
  async close(): Promise<void> {
    this.closed = true;
    const handler = this.handler;
    if (handler) for (const work of this.waiting.splice(0)) this.start(handler, work);
    else if (this.waiting.length > 0)
      this.logger.warn({ dropped: this.waiting.length }, 'chat work left with nobody to work on it');
    await Promise.all(this.running);
  }
}
