import type { Prices } from '../../credits/pricing.ts';
import { maxPromptLength } from '../../workflow/prompts.ts';

/** What `/design <text>` asks for. */
export type SlackCommand =
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

/** Slack escapes a mentioned user as `<@U123>` or `<@U123|name>` when the command asks it to. */
const mention = /^<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>$/;

export function parseSlackCommand(text: string): SlackCommand {
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

export function slackHelpText(prices: Prices): string {
  return [
    '*Facet designs products with you, right here.*',
    '`/design <description>`: start a design, e.g. `/design wireless headphones in matte black`. The front view comes first; approve it, use a quick edit, or request changes.',
    '`/design credits`: your balance, what is reserved, and recent entries.',
    '`/design history`: your recent designs, with links.',
    '`/design help`: this message.',
    'Workspace admins: `/design grant @user <credits>` and `/design settings` (who approves, prices).',
    `Credits are reserved when you start (${prices.design}, plus ${prices.edit} per edit; a variation costs ${prices.variation}) and charged only when the design is complete; a failure, cancel or expiry returns them.`,
  ].join('\n');
}
