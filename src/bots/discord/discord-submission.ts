import type { ChatSubmission } from '../chat/chat-request.ts';
import { iterationFormOf, readDiscordIterationForm } from './discord-iteration-modal.ts';
import { isViewEditModal, readDiscordViewEdit } from './discord-view-edit-modal.ts';

/**
 * A submitted Discord form as the chat layer's submission, from its custom id and its text inputs' values
 * (by input id); undefined for a form that is not Facet's. Both modes read forms through this.
 */
export function readDiscordSubmission(
  customId: string,
  values: ReadonlyMap<string, string>,
): ChatSubmission | undefined {
  const form = iterationFormOf(customId);
  if (form) return readDiscordIterationForm(form, customId, values);
  if (isViewEditModal(customId)) return readDiscordViewEdit(customId, values);
  return undefined;
}
