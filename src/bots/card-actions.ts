import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Actor } from '../workflow/actor.ts';
import type { DesignService } from '../workflow/design-service.ts';
import type { WorkflowOutcome } from '../workflow/workflow-outcome.ts';
import type { CardAction } from './card/card-action-id.ts';

/**
 * Runs a card button (other than Request changes, which each surface answers with its own form) on the
 * service: one place for what every button means on every surface. A variation's card is the surface's
 * business, so it starts the variation itself.
 */
export function runCardAction(
  service: DesignService,
  action: Exclude<CardAction, { kind: 'request_changes' | 'variation' }>,
  actor: Actor,
): Promise<WorkflowOutcome> {
  const { designId } = action;
  switch (action.kind) {
    case 'approve':
      return service.approve({ designId, actor, iteration: action.iteration });
    case 'edit':
      return service.edit({ designId, actor, iteration: action.iteration, edit: { preset: action.preset } });
    case 'cancel':
      return service.cancel({ designId, actor });
    case 'retry':
      return service.retry({ designId, actor });
    case 'edit_view':
      return service.editView({ designId, actor, view: action.view });
  }
}

const genericError = (reference: string) =>
  `Something went wrong on our side (reference ${reference}). Nothing was charged for it; please try again.`;

/**
 * Runs a request's slow part. An unexpected error is logged with a reference id and the user gets a
 * generic message carrying that id, never the error itself.
 */
export async function failSafely(
  logger: Logger,
  context: Record<string, unknown>,
  work: () => Promise<void>,
  tell: (text: string) => Promise<unknown>,
): Promise<void> {
  try {
    await work();
  } catch (error) {
    const reference = randomUUID().slice(0, 8);
    logger.error({ err: error, reference, ...context }, 'a chat request failed');
    await tell(genericError(reference)).catch(() => undefined);
  }
}
