import { truncate } from '../../text.ts';
import type { DesignHistoryEntry, WorkspaceDesigns } from '../../workflow/workspace-designs.ts';
import type { WorkspaceDirectory } from '../../workflow/workspace-directory.ts';
import type { Platform } from '../../platform.ts';
import { stateLabels } from './chat-answers.ts';
import { historyLength } from './design-command.ts';

/** The most choices a platform's autocomplete shows (Discord: 25). */
export const maxChoices = 25;
/** A choice's label limit (Discord: 100 characters). */
const maxChoiceLabel = 100;

/** One suggestion: what the person reads, and the position in `/design history` it stands for. */
export type DesignChoice = { label: string; position: number };

/**
 * Someone's recent designs (newest first) as suggestions for "which design?", narrowed to what they
 * typed: a number matches the positions it starts, words match the prompt (any case). The position is
 * the value, as `/design history design:<n>` takes it.
 */
export function designChoices(entries: readonly DesignHistoryEntry[], typed: string): DesignChoice[] {
  const query = typed.trim().toLowerCase();
  return entries
    .map((entry, index) => ({ entry, position: index + 1 }))
    .filter(
      ({ entry, position }) =>
        query === '' || String(position).startsWith(query) || entry.prompt.toLowerCase().includes(query),
    )
    .slice(0, maxChoices)
    .map(({ entry, position }) => {
      const state = ` (${stateLabels[entry.state]})`;
      const prompt = entry.prompt.replace(/\s+/g, ' ').trim();
      return {
        label: `${position}. ${truncate(prompt, maxChoiceLabel - state.length - `${position}. `.length)}${state}`,
        position,
      };
    });
}

/**
 * What to suggest to this person in this workspace: their own designs only. A workspace Facet has not
 * seen gets none (and is not created: typing is not using Facet).
 */
export async function suggestDesigns(
  deps: { workspaces: WorkspaceDirectory; designs: WorkspaceDesigns },
  request: { platform: Platform; workspace: string | null; userId: string; typed: string },
): Promise<DesignChoice[]> {
  if (request.workspace === null) return [];
  const workspace = await deps.workspaces.find(request.platform, request.workspace);
  if (!workspace) return [];
  const entries = await deps.designs.recent({
    workspaceId: workspace.id,
    requesterId: request.userId,
    limit: historyLength,
  });
  return designChoices(entries, request.typed);
}
