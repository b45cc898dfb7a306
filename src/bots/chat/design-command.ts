import { maxPromptLength } from '../../workflow/prompts.ts';

/** A settings change given with the command itself (Discord's options); fields left out stay. */
export type SettingsChange = {
  approverGroup?: string | null | undefined;
  prices?: { design?: number | undefined; variation?: number | undefined; edit?: number | undefined };
};

/** What `/design …` asks for, on every platform. */
export type ChatCommand =
  | { kind: 'create'; prompt: string }
  | { kind: 'help' }
  | { kind: 'credits' }
  | { kind: 'history' }
  /** Without a change: show the settings, or open the settings form where the platform has one. */
  | { kind: 'settings'; change: SettingsChange | null }
  | { kind: 'grant'; userId: string; amount: number; userIsBot?: boolean }
  /** A subcommand used wrongly: the text says how to use it. */
  | { kind: 'usage'; text: string };

export const maxGrant = 10_000;

const grantUsage =
  'Usage: `/design grant @user <credits>`, e.g. `/design grant @maria 10` (1 to 10,000 credits; workspace admins only).';

/**
 * Parses the text after `/design` on a platform whose command takes free text (Slack, the playground). `mention` matches
 * one word naming a user and captures their id (each platform writes mentions its own way).
 */
export function parseDesignCommand(text: string, mention: RegExp): ChatCommand {
  const trimmed = text.trim();
  const words = trimmed.split(/\s+/);
  const first = words[0]?.toLowerCase() ?? '';
  if (trimmed === '' || (first === 'help' && words.length === 1)) return { kind: 'help' };
  if (words.length === 1 && (first === 'credits' || first === 'history')) return { kind: first };
  if (words.length === 1 && first === 'settings') return { kind: 'settings', change: null };
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
