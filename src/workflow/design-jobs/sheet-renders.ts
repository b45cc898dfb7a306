import { fork, type ChildProcess } from 'node:child_process';
import { entryToFork } from '../../process/bundled-entry.ts';
import { workerProcessEnv } from '../../process/worker-environment.ts';
import type { SpecSheet } from '../../spec-sheet/index.ts';
import type { ContactSheetOptions, ContactSheetView } from '../contact-sheet.ts';
import type { ViewName } from '../views.ts';
import type { SheetImage, SheetRenderAnswer, SheetRenderRequest } from './sheet-render-messages.ts';

/**
 * The CPU-heavy part of a sheet job: its views handed over once, and the sheets drawn from them (the spec
 * sheet's PDF too, which the design page draws on its first download).
 */
export type SheetRenders = {
  /**
   * Takes a view the sheets will be drawn from, shrunk once for all of them; resolves to the image to pass
   * to the renders (the same buffer, which the renderer knows it by, or the shrunk copy).
   */
  keep(image: Buffer): Promise<Buffer>;
  contactSheet(views: ContactSheetView[], options: ContactSheetOptions): Promise<Buffer>;
  specSheetPng(sheet: SpecSheet): Promise<Buffer>;
  specSheetPdf(sheet: SpecSheet): Promise<Buffer>;
};

type Pending = {
  child: ChildProcess;
  resolve: (answer: SheetRenderAnswer & { ok: true }) => void;
  reject: (error: Error) => void;
};
/** A request without its id, each kind keeping its own fields. */
type Request = SheetRenderRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

class Forgotten extends Error {}

const entry = entryToFork('sheet-render-process', new URL('./sheet-render-process.ts', import.meta.url));

/**
 * Sheets drawn in a process of their own (sheet-render-process.ts) at the lowest CPU priority. On the job
 * worker's event loop a design's sheets held it ~37 ms; on a thread of the job worker's they no longer
 * held the loop, but their ~330 ms of CPU competed with the design steps' at the same priority, so under
 * steady load every card and step waited behind sheets nobody waits for (docs/performance.md). Started
 * with the first render; it does not keep this process alive while idle, exits after idling a minute, and
 * exits when this process goes away. A process that dies fails the renders it had (the sheet job tries again) and the next render
 * starts a new one.
 */
export class SheetRenderProcess implements SheetRenders {
  private child: ChildProcess | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** The views a sheet process keeps, by the process that keeps them. */
  private readonly kept = new WeakMap<Buffer, { child: ChildProcess; number: number }>();
  private idleTimer: NodeJS.Timeout | undefined;

  /**
   * @param idleExitMs how long an idle process is kept: under load it never idles that long; after it, its
   * memory (~125 MB resident once idle under jemalloc, bench:load) goes back, and the next sheet starts a
   * new one (a few hundred ms).
   */
  constructor(private readonly idleExitMs = 60_000) {}

  async keep(image: Buffer): Promise<Buffer> {
    const child = this.current();
    const answer = await this.request({ kind: 'keep', image });
    // Only the number comes back: the sheets drawn from this view name it instead of copying it across.
    if ('kept' in answer) this.kept.set(image, { child, number: answer.kept });
    return image;
  }

  contactSheet(views: ContactSheetView[], options: ContactSheetOptions): Promise<Buffer> {
    return this.drawn((image) => ({
      kind: 'contactSheet',
      views: views.map(({ view, png }) => ({ view, png: image(png) })),
      options,
    }));
  }

  specSheetPng(sheet: SpecSheet): Promise<Buffer> {
    return this.drawn((image) => ({ kind: 'specSheetPng', sheet: this.naming(sheet, image) }));
  }

  specSheetPdf(sheet: SpecSheet): Promise<Buffer> {
    return this.drawn((image) => ({ kind: 'specSheetPdf', sheet: this.naming(sheet, image) }));
  }

  /** Stops the process; renders still waiting fail. The next render starts a new one. */
  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // Held until it has gone: an idle child does not keep this process's loop running for its exit.
    held(child, true);
    child.kill();
    await exited;
  }

  /**
   * A sheet from `request`, whose views are named where the process kept them; should it have forgotten
   * one (many jobs at once, or a new process), the request is sent again with every view's bytes.
   */
  private async drawn(request: (image: (bytes: Buffer) => SheetImage) => Request): Promise<Buffer> {
    const child = this.current();
    const named = (bytes: Buffer): SheetImage => {
      const kept = this.kept.get(bytes);
      return kept?.child === child ? { kept: kept.number } : bytes;
    };
    try {
      return imageOf(await this.request(request(named)));
    } catch (error) {
      if (!(error instanceof Forgotten)) throw error;
      return imageOf(await this.request(request((bytes) => bytes)));
    }
  }

  private naming(sheet: SpecSheet, image: (bytes: Buffer) => SheetImage) {
    const views: Partial<Record<ViewName, SheetImage>> = {};
    for (const [view, bytes] of Object.entries(sheet.views) as [ViewName, Buffer][])
      views[view] = image(bytes);
    return { ...sheet, views };
  }

  private current(): ChildProcess {
    return (this.child ??= this.start());
  }

  private request(request: Request): Promise<SheetRenderAnswer & { ok: true }> {
    const child = this.current();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // Kept alive only while it has work: an idle renderer must not hold a finished process open.
      if (!this.waitsOn(child)) held(child, true);
      clearTimeout(this.idleTimer);
      this.pending.set(id, { child, resolve, reject });
      child.send({ ...request, id } satisfies SheetRenderRequest);
    });
  }

  private idle(child: ChildProcess): void {
    held(child, false);
    if (child !== this.child) return;
    this.idleTimer = setTimeout(() => void this.close(), this.idleExitMs);
    // The timer alone must not keep a finished process running either.
    this.idleTimer.unref();
  }

  private waitsOn(child: ChildProcess): boolean {
    for (const waiting of this.pending.values()) if (waiting.child === child) return true;
    return false;
  }

  private start(): ChildProcess {
    const child = fork(entry.script, [], {
      execArgv: entry.execArgv,
      env: workerProcessEnv(),
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    held(child, false);
    child.on('message', (answer: SheetRenderAnswer) => {
      const waiting = this.pending.get(answer.id);
      if (!waiting) return;
      this.pending.delete(answer.id);
      if (!this.waitsOn(child)) this.idle(child);
      if (answer.ok) waiting.resolve(answer);
      else if (answer.forgotten) waiting.reject(new Forgotten(answer.message));
      else waiting.reject(Object.assign(new Error(answer.message), { name: answer.name }));
    });
    const stopped = (error: Error) => {
      if (this.child === child) this.child = undefined;
      for (const [id, waiting] of this.pending) {
        if (waiting.child !== child) continue;
        this.pending.delete(id);
        waiting.reject(error);
      }
    };
    child.on('error', stopped);
    child.on('exit', (code, signal) =>
      stopped(new Error(`the sheet render process stopped (${signal ?? `exit code ${String(code)}`})`)),
    );
    return child;
  }
}

/** Whether the child (and its channel) keeps this process's event loop alive. */
function held(child: ChildProcess, keepAlive: boolean): void {
  if (keepAlive) {
    child.ref();
    child.channel?.ref();
  } else {
    child.unref();
    child.channel?.unref();
  }
}

/** The sheet in an answer, as a Buffer over the memory it arrived in. */
function imageOf(answer: SheetRenderAnswer & { ok: true }): Buffer {
  if (!('image' in answer)) throw new Error('the sheet render process answered a render without a sheet');
  const { buffer, byteOffset, byteLength } = answer.image;
  return Buffer.from(buffer, byteOffset, byteLength);
}

/** This process's sheet renderer. */
export const sheetRenders = new SheetRenderProcess();
