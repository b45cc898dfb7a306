import { setImmediate as afterPoll } from 'node:timers/promises';
import type { DesignService } from '../workflow/design-service.ts';

/** The service's steps that change a design: each one a transaction or several, started after an ack. */
const changes = ['start', 'startVariation', 'edit', 'approve', 'cancel', 'retry', 'editView'] as const;

/**
 * The design service as the chat platforms get it: a change starts only after the event loop has read
 * the requests already waiting for it. Commands come in bursts; acknowledged first, each one's work
 * (a transaction of several statements, the card) would otherwise start between the acknowledgements
 * of the others, which then wait behind it. Reads (form checks, snapshots) are not deferred: a form
 * must open within the platform's 3 s.
 */
export function afterWaitingRequests(service: DesignService): DesignService {
  const deferred = new Set<PropertyKey>(changes);
  return new Proxy(service, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (!deferred.has(property) || typeof value !== 'function') return value;
      return async (...args: unknown[]): Promise<unknown> => {
        await afterPoll();
        return Reflect.apply(value as (...a: unknown[]) => unknown, target, args);
      };
    },
  });
}
