// The sheet render thread's first module (sheet-renders.ts starts it). Facet's sources are TypeScript and a
// worker thread inherits no loader, neither tsx's (`node --import tsx`) nor the bundle's (bin/facet.js):
// tsx's loader is registered for this thread, then the thread's own module is loaded through it.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
