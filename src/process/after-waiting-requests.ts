import type { DesignService } from '../workflow/design-service.ts';

/** The service's steps that change a design: each one a transaction or several, started after an ack. */
const changes = ['start', 'startVariation', 'edit', 'approve', 'cancel', 'retry', 'editView'] as const;

/**
 * The design service as the chat platforms get it: changes start one per turn of the event loop, each
 * after the requests already waiting to be read. Commands come in bursts; acknowledged first, each one's
 * work (a transaction of several statements, then the card) would otherwise start between the
 * acknowledgements of the others, which then wait behind it, and a burst of starts would run back to back.
 * Reads (form checks, snapshots) are not deferred: a form must open within the platform's 3 s.
 */
export function afterWaitingRequests(service: DesignService): DesignService {
  const deferred = new Set<PropertyKey>(changes);
  const turn = oneStartPerTurn();
  return new Proxy(service, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (!deferred.has(property) || typeof value !== 'function') return value;
      return async (...args: unknown[]): Promise<unknown> => {
        await turn();
        return Reflect.apply(value as (...a: unknown[]) => unknown, target, args);
      };
    },
  });
}

/**
 * Resolves each caller's promise in a later check phase than the previous one: a setImmediate scheduled
 * from inside an immediate runs on the next turn, after that turn's poll phase has read the sockets.
 */
function oneStartPerTurn(): () => Promise<void> {
  const waiting: (() => void)[] = [];
  let scheduled = false;
  const schedule = () => {
    if (scheduled || waiting.length === 0) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      waiting.shift()?.();
      schedule();
    });
  };
  return () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      schedule();
    });
}
