/** A FIFO lock: PGlite is one session, so only one kysely "connection" may be out at a time. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  async lock(): Promise<() => void> {
    let unlock!: () => void;
    const next = new Promise<void>((resolve) => (unlock = resolve));
    const previous = this.tail;
    this.tail = previous.then(() => next);
    await previous;
    return unlock;
  }
}
