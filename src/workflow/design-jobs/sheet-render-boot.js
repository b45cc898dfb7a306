// The sheet render thread's first module when Facet runs from its TypeScript sources (sheet-renders.ts
// starts it; from the bundle, the thread starts from its bundled module instead). A worker thread inherits
// no loader (`node --import tsx`): tsx's is registered for this thread, then the thread's module is loaded
// through it.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
