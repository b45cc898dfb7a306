import { maxPromptLength } from '../../workflow/prompts.ts';

/** What `/design <text>` asks for. */
export type DesignCommand =
  | { kind: 'create'; prompt: string }
  | { kind: 'help' }
  | { kind: 'credits' }
  | { kind: 'history' }
  | { kind: 'settings' }
  | { kind: 'grant'; userId: string; amount: number }
  /** A subcommand used wrongly: the text says how to use it. */
  | { kind: 'usage'; text: string };

export const maxGrant = 10_000;

const grantUsage =
  'Usage: `/design grant @user <credits>`, e.g. `/design grant @maria 10` (1 to 10,000 credits; workspace admins only).';

/**
 * Parses the text after `/design` on a text-command surface (Slack, the playground). `mention` matches
 * one word naming a user and captures their id (each platform writes mentions its own way).
 */
export function parseDesignCommand(text: string, mention: RegExp): DesignCommand {
  const trimmed = text.trim();
  const words = trimmed.split(/\s+/);
  const first = words[0]?.toLowerCase() ?? '';
  if (trimmed === '' || (first === 'help' && words.length === 1)) return { kind: 'help' };
  if (words.length === 1 && (first === 'credits' || first === 'history' || first === 'settings'))
    return { kind: first };
  if (first === 'grant') {
    const userId = mention.exec(words[1] ?? '')?.[1];
    const amount = Number(words[2]);
    if (!userId || words.length !== 3 || !Number.isInteger(amount) || amount < 1 || amount > maxGrant)
      return { kind: 'usage', text: grantUsage };
    return { kind: 'grant', userId, amount };
  }
  const prompt = first === 'create' ? trimmed.slice('create'.length).trim() : trimmed;
  if (prompt === '')
    return {
      kind: 'usage',
      text: 'Describe the product: `/design create wireless headphones in matte black`.',
    };
  if (prompt.length > maxPromptLength)
    return {
      kind: 'usage',
      text: `That description has ${prompt.length} characters; keep it to ${maxPromptLength} or fewer. Usage: \`/design <description>\`.`,
    };
  return { kind: 'create', prompt };
}
