import { z } from 'zod';
import { platforms } from '../../../platform.ts';

/**
 * A request a platform has already answered (acknowledged within its deadline) whose work for the chat
 * layer is still to do: handed from the process that received it to one that works on it, so that the
 * receiving process's event loop only receives. `request` is the platform's own payload, as it arrived
 * (it may carry the platform's short-lived reply token: it lives in the queue only until worked on).
 */
export const chatWorkSchema = z.object({
  platform: z.enum(platforms),
  /** The platform's payload, as signed and checked by the receiving process. */
  request: z.string(),
  /** How it was acknowledged: 'public' when the answer will be a card everyone sees. */
  acknowledged: z.enum(['public', 'private']),
});

export type ChatWork = z.infer<typeof chatWorkSchema>;

/** Works on one piece of chat work; a failure is the handler's to tell the person about (and is logged). */
export type ChatWorkHandler = (work: ChatWork) => Promise<void>;

/**
 * Where answered requests wait for their work. At most once: a request is worked on by one process, and
 * not again after a crash (a second run could start a second design; the person asks again instead).
 */
export interface ChatWorkQueue {
  add(work: ChatWork): Promise<void>;
  /** Starts working on what is added (a process that only receives never calls it). */
  process(handler: ChatWorkHandler): Promise<void>;
  close(): Promise<void>;
}
