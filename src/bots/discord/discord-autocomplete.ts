import { InteractionResponseType, type APIApplicationCommandAutocompleteResponse } from 'discord.js';
import type { InteractionPayload } from './discord-interaction-payload.ts';

type AutocompletePayload = Extract<InteractionPayload, { type: 4 }>;

/**
 * The one place autocomplete interactions (type 4) are answered, in HTTP mode. `/design` offers no
 * suggestions yet: the answer is an empty list, which Discord shows as "no options match".
 */
export function answerAutocomplete(
  _payload: AutocompletePayload,
): Promise<APIApplicationCommandAutocompleteResponse> {
  return Promise.resolve({
    type: InteractionResponseType.ApplicationCommandAutocompleteResult,
    data: { choices: [] },
  });
}
