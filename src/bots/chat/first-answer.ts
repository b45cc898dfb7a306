import type { CardAction } from '../card/card-action-id.ts';
import type { ChatOrigin } from './chat-request.ts';
import type { ChatWords } from './chat-words.ts';
import type { ChatCommand } from './design-command.ts';

/*
 * How the chat layer first answers a request, decided from the request alone (nothing looked up). A
 * transport whose first answer has a deadline (Discord's HTTP interactions) can give it before any of the
 * chat layer's work, which then goes on with the request already acknowledged; the chat layer itself asks
 * the same questions, so both answer alike.
 */

/** Whether the answer to a request will be a card everyone sees (`public`) or words for the sender. */
export type Acknowledgement = 'public' | 'private';

/** A command refused before anything is looked up (the words say why); undefined when it goes on. */
export function commandRefusal(
  words: ChatWords,
  origin: ChatOrigin,
  command: ChatCommand,
): string | undefined {
  if (command.kind === 'misuse') return command.text;
  if (origin.workspace === null) return words.outsideWorkspace;
  if (command.kind !== 'create') return undefined;
  if (origin.inThread)
    return 'Start designs in a channel, not in a thread: each design gets a thread of its own for its views.';
  if (origin.missingPermissions.length > 0)
    return `Facet needs these permissions in this channel: ${origin.missingPermissions.join(', ')}. Ask a server manager to grant them; nothing was reserved.`;
  return undefined;
}

/** A create's answer is its card, in the channel; every other command answers the sender privately. */
export function commandAcknowledgement(command: ChatCommand): Acknowledgement {
  return command.kind === 'create' ? 'public' : 'private';
}

/** Card actions whose first answer is a form (Discord allows nothing before it), checked before it opens. */
export function opensForm(
  action: CardAction,
): action is Extract<CardAction, { kind: 'request_changes' | 'decline' | 'edit_view' }> {
  return action.kind === 'request_changes' || action.kind === 'decline' || action.kind === 'edit_view';
}
