import { Worker } from 'node:worker_threads';
import { bundledEntry } from '../../process/bundled-entry.ts';
import type { SpecSheet } from '../../spec-sheet/index.ts';
import type { ContactSheetOptions, ContactSheetView } from '../contact-sheet.ts';
import type { ViewName } from '../views.ts';
import type { SheetImage, SheetRenderAnswer, SheetRenderRequest } from './sheet-render-messages.ts';

/** The CPU-heavy part of a sheet job: a view shrunk for the sheets, and the three sheets drawn. */
export type SheetRenders = {
  shrink(image: Buffer): Promise<Buffer>;
  contactSheet(views: ContactSheetView[], options: ContactSheetOptions): Promise<Buffer>;
  specSheetPng(sheet: SpecSheet): Promise<Buffer>;
  specSheetPdf(sheet: SpecSheet): Promise<Buffer>;
};

type Answer = { image: Buffer; kept?: number };
type Pending = { resolve: (answer: Answer) => void; reject: (error: Error) => void };
/** A request without its id, each kind keeping its own fields. */
type Request = SheetRenderRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

class Forgotten extends Error {}

// From the bundle, the thread starts from its bundled module; from the sources, through a boot script
// that registers tsx's loader for it first.
const bundledThread = bundledEntry('sheet-render-thread');
const bootScript = new URL('./sheet-render-boot.js', import.meta.url);
const threadModule = new URL('./sheet-render-thread.ts', import.meta.url).href;

/**
 * Sheets drawn on a worker thread of their own (sheet-render-thread.ts): on the job worker's event loop
 * a design's sheets kept it busy ~37 ms (sharp's synchronous part, pdf-lib's PDF, the garbage of megabyte
 * images), delaying the card updates and job steps behind them; ~10 ms from here (docs/performance.md). Started with the first render; it does not keep
 * the process alive while idle. A thread that dies fails the renders it had (the sheet job tries again)
 * and the next render starts a new one.
 */
export class SheetRenderThread implements SheetRenders {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** The shrunk views the thread kept, by the thread that keeps them. */
  private readonly kept = new WeakMap<Buffer, { worker: Worker; number: number }>();

  async shrink(image: Buffer): Promise<Buffer> {
    const worker = this.current();
    const answer = await this.request({ kind: 'shrink', image });
    // The thread keeps the shrunk view for the sheets drawn from it; they name it instead of copying it.
    if (answer.kept !== undefined) this.kept.set(answer.image, { worker, number: answer.kept });
    return answer.image;
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

  /** Stops the thread; renders still waiting fail. The next render starts a new one. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  /**
   * A sheet from `request`, whose images are named where the thread kept them; should the thread have
   * forgotten one (many jobs at once, or a new thread), the request is sent again with every image's bytes.
   */
  private async drawn(request: (image: (bytes: Buffer) => SheetImage) => Request): Promise<Buffer> {
    const worker = this.current();
    const named = (bytes: Buffer): SheetImage => {
      const kept = this.kept.get(bytes);
      return kept?.worker === worker ? { kept: kept.number } : bytes;
    };
    try {
      return (await this.request(request(named))).image;
    } catch (error) {
      if (!(error instanceof Forgotten)) throw error;
      return (await this.request(request((bytes) => bytes))).image;
    }
  }

  private naming(sheet: SpecSheet, image: (bytes: Buffer) => SheetImage) {
    const views: Partial<Record<ViewName, SheetImage>> = {};
    for (const [view, bytes] of Object.entries(sheet.views) as [ViewName, Buffer][])
      views[view] = image(bytes);
    return { ...sheet, views };
  }

  private current(): Worker {
    return (this.worker ??= this.start());
  }

  private request(request: Request): Promise<Answer> {
    const worker = this.current();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Kept alive only while it has work: an idle thread must not hold a finished process open.
      if (this.pending.size === 1) worker.ref();
      worker.postMessage({ ...request, id } satisfies SheetRenderRequest);
    });
  }

  private start(): Worker {
    const worker = bundledThread
      ? new Worker(bundledThread)
      : new Worker(bootScript, { workerData: { entry: threadModule } });
    worker.unref();
    worker.on('message', (answer: SheetRenderAnswer) => {
      const waiting = this.pending.get(answer.id);
      if (!waiting) return;
      this.pending.delete(answer.id);
      if (this.pending.size === 0) worker.unref();
      if (answer.ok) {
        const { buffer, byteOffset, byteLength } = answer.image;
        const image = Buffer.from(buffer, byteOffset, byteLength);
        waiting.resolve(answer.kept === undefined ? { image } : { image, kept: answer.kept });
      } else if (answer.forgotten) waiting.reject(new Forgotten(answer.message));
      else waiting.reject(Object.assign(new Error(answer.message), { name: answer.name }));
    });
    const stopped = (error: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on('error', stopped);
    worker.on('exit', (code) => stopped(new Error(`the sheet render thread stopped (exit code ${code})`)));
    return worker;
  }
}

/** This process's sheet thread. */
export const sheetRenders = new SheetRenderThread();
