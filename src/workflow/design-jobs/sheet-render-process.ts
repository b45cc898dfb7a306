/*
 * The sheet render process (started by sheet-renders.ts): sharp's calls, the SVG and PDF building and the
 * garbage of megabyte images happen here, at the lowest CPU priority, so that they use only the CPU that
 * design steps, Postgres and the receiving process leave.
 */
import { lowerPriority } from '../../process/lower-priority.ts';
import { sheetRenderAnswers } from './sheet-render-answers.ts';
import type { SheetRenderRequest } from './sheet-render-messages.ts';

const send = process.send?.bind(process);
if (!send) throw new Error('sheet-render-process.ts runs as a child process (sheet-renders.ts starts it)');
lowerPriority();
const answer = sheetRenderAnswers();
process.on('message', (request: SheetRenderRequest) => {
  // An answer the parent can no longer take (it closed the channel) is dropped: the process is exiting.
  void answer(request).then((answered) => send(answered, () => undefined));
});
// The process that asked for sheets is gone (or closed its renderer): nothing is left to draw for.
process.on('disconnect', () => process.exit(0));
