import type { ApprovalNotices } from '../../workflow/workspace-directory.ts';
import { maxPromptLength } from '../../workflow/prompts.ts';
import type { InputImageSource } from './input-image-source.ts';
import { refusalMessage } from './refusal-message.ts';

/** A settings change given with the command itself (Discord's options); fields left out stay. */
export type SettingsChange = {
  approverGroup?: string | null | undefined;
  /** Whether requesters approve their own designs; null: back to the default. */
  requestersApprove?: boolean | null | undefined;
  approvalNotices?: ApprovalNotices | undefined;
  /** US cents; null: back to the operator's default. */
  monthlyBudgetCents?: number | null | undefined;
  prices?: { design?: number | undefined; variation?: number | undefined; edit?: number | undefined };
  /** Front-view candidates: the default, the most a person may ask for (1-4); either may be left out. */
  candidates?: { default?: number | undefined; max?: number | undefined } | undefined;
  /** Replies in a card's thread taken as Request changes. */
  threadReplies?: boolean | undefined;
};

/** What `/design …` asks for, on every platform. */
export type ChatCommand =
  /**
   * `image`: a sketch or photo on the platform's own file host to start from (fetched, then checked).
   * `candidates`: front-view candidates per round (1-4) when asked for; else the workspace's default.
   */
  | {
      kind: 'create';
      prompt: string;
      image?: InputImageSource | undefined;
      candidates?: number | undefined;
    }
  | { kind: 'help' }
  | { kind: 'credits' }
  /** `position`: one design of the list in detail (1 = the newest). */
  | { kind: 'history'; position?: number | undefined }
  /** What waits for the caller's approval, privately, with Approve and Decline on each. */
  | { kind: 'pending' }
  /** This month's AI usage and estimated spend of the workspace (admins). */
  | { kind: 'usage' }
  /** Without a change: show the settings, or open the settings form where the platform has one. */
  | { kind: 'settings'; change: SettingsChange | null }
  | { kind: 'grant'; userId: string; amount: number; userIsBot?: boolean }
  /** A subcommand used wrongly: the text says how to use it. */
  | { kind: 'misuse'; text: string };

export const maxGrant = 10_000;

const grantUsage =
  'Usage: `/design grant @user <credits>`, e.g. `/design grant @maria 10` (1 to 10,000 credits; workspace admins only).';

/** How many designs `/design history` lists, and so how far back `/design history N` reaches. */
export const historyLength = 10;

const historyUsage = `Usage: \`/design history\` lists your recent designs; \`/design history 2\` shows the second of them in detail (1 to ${historyLength}).`;

const createUsage = 'Describe the product: `/design create wireless headphones in matte black`.';

/** The most front-view candidates anyone may ask for (a workspace may allow fewer). */
export const mostCandidates = 4;

export const candidatesUsage = `Nothing was started or charged: \`candidates:N\` asks for N front views to pick from (1 to ${mostCandidates}), e.g. \`/design candidates:4 wireless headphones\`. Each one after the first costs an edit, in every round.`;

/** A number of candidates as typed or sent (an option); undefined when it is not 1 to 4. */
export function candidateCount(value: unknown): number | undefined {
  const count = typeof value === 'string' && /^[1-9]\d*$/.test(value) ? Number(value) : value;
  return typeof count === 'number' && Number.isInteger(count) && count >= 1 && count <= mostCandidates
    ? count
    : undefined;
}

/**
 * A create command, with a `candidates:N` word taken out of the description wherever it stands (a
 * description rarely holds that word; one that must can say "candidates: 4" with a space).
 */
function createCommand(prompt: string): ChatCommand {
  const words = prompt.split(/\s+/);
  const asked = words.filter((word) => /^candidates:/i.test(word));
  if (asked.length === 0) return overLongPrompt(prompt) ?? { kind: 'create', prompt };
  const candidates = candidateCount(asked[0]?.slice('candidates:'.length));
  if (asked.length > 1 || candidates === undefined) return { kind: 'misuse', text: candidatesUsage };
  // Only the option goes: the description keeps its own spacing and lines.
  const rest = prompt.replace(/(^|\s)candidates:\S*(\s+|$)/i, '$1').trim();
  if (rest === '') return { kind: 'misuse', text: createUsage };
  return overLongPrompt(rest) ?? { kind: 'create', prompt: rest, candidates };
}

/** The subcommands that take nothing after them, and what each does, for the answer to a misuse. */
const bareCommands = {
  help: 'shows how Facet works',
  credits: 'shows your credits',
  history: 'lists your recent designs (`/design history 2` shows the second in detail)',
  pending: 'lists what waits for your approval',
  settings: 'shows this workspace’s settings',
  usage: 'shows this month’s AI usage and spend (workspace admins)',
} as const;

type CommandWord = keyof typeof bareCommands | 'grant' | 'create';

const commandWords: readonly CommandWord[] = [
  'help',
  'credits',
  'history',
  'pending',
  'settings',
  'usage',
  'grant',
  'create',
];

/** Shorter starts than this ("cre", "his") are too likely to be the start of a real one-word description. */
const minAbbreviation = 4;

/**
 * Which command the first word names. A word that is a command word (in any case, with punctuation
 * around it: "Help?", "credits,") names it. A word on its own that merely starts with one ("helpme",
 * "credits.please") or is a start of one ("credit", "hist") is a mistyped command: a one-word description
 * is rare, and starting a paid design from a typo is worse than asking for `create`. A first word that
 * only starts with a command word, followed by more ("helpful robot vacuum"), is a description.
 */
function commandWordOf(first: string, alone: boolean): { word: CommandWord; exact: boolean } | undefined {
  const bare = first.toLowerCase().replace(/^\p{P}+|\p{P}+$/gu, '');
  const exact = commandWords.find((word) => word === bare);
  if (exact) return { word: exact, exact: true };
  if (!alone || bare === '') return undefined;
  const typo = commandWords.find(
    (word) => bare.startsWith(word) || (bare.length >= minAbbreviation && word.startsWith(bare)),
  );
  return typo && { word: typo, exact: false };
}

function misuse(word: keyof typeof bareCommands): ChatCommand {
  return {
    kind: 'misuse',
    text: `Nothing was started or charged: \`/design ${word}\` ${bareCommands[word]} and takes nothing after it. To design something whose description begins with that word, use \`/design create <description>\`.`,
  };
}

/**
 * The description as the workflow stores and measures it (control characters become spaces, outer spaces
 * go), so that this early answer never refuses a description the workflow would take.
 */
function storedLength(prompt: string): number {
  // eslint-disable-next-line no-control-regex
  return prompt.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ').trim().length;
}

/**
 * An over-long description, answered on every platform with the workflow's own words, privately and
 * before anything is acknowledged in public (a Discord "thinking…" reply that would only be deleted).
 */
export function overLongPrompt(prompt: string): ChatCommand | undefined {
  if (storedLength(prompt) <= maxPromptLength) return undefined;
  return { kind: 'misuse', text: refusalMessage({ reason: 'prompt_too_long', max: maxPromptLength }) };
}

/**
 * Parses the text after `/design` on a platform whose command takes free text (Slack, the playground). `mention` matches
 * one word naming a user and captures their id (each platform writes mentions its own way).
 *
 * A subcommand takes nothing after it: `/design credits please` or `/design helpme` answers with that
 * subcommand's usage and starts nothing, since a paid design from a mistyped command is the costly
 * mistake. `/design create <description>` always starts a design, whatever the description begins with.
 */
export function parseDesignCommand(text: string, mention: RegExp): ChatCommand {
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'help' };
  const words = trimmed.split(/\s+/);
  const first = words[0] ?? '';
  const named = commandWordOf(first, words.length === 1);
  if (named?.word === 'create') {
    if (!named.exact) return { kind: 'misuse', text: createUsage };
    const prompt = trimmed.slice(first.length).trim();
    if (prompt === '') return { kind: 'misuse', text: createUsage };
    return createCommand(prompt);
  }
  if (named?.word === 'grant') {
    const userId = mention.exec(words[1] ?? '')?.[1];
    const amount = Number(words[2]);
    if (!userId || words.length !== 3 || !Number.isInteger(amount) || amount < 1 || amount > maxGrant)
      return { kind: 'misuse', text: grantUsage };
    return { kind: 'grant', userId, amount };
  }
  if (named?.word === 'history' && named.exact && words.length === 2) {
    const position = Number(words[1]);
    if (Number.isInteger(position) && position >= 1 && position <= historyLength)
      return { kind: 'history', position };
    return { kind: 'misuse', text: historyUsage };
  }
  if (named) {
    if (!named.exact || words.length > 1) return misuse(named.word);
    return named.word === 'settings' ? { kind: 'settings', change: null } : { kind: named.word };
  }
  return createCommand(trimmed);
}

/**
 * A new design asked for in a form (Slack's "New design" shortcut): the prompt is the whole field, so
 * no subcommand is read out of it; an empty or over-long one is refused as `/design` refuses it.
 */
export function formDesignCommand(prompt: string): ChatCommand {
  if (storedLength(prompt) === 0)
    return {
      kind: 'misuse',
      text: 'Describe the product to design, e.g. wireless headphones in matte black.',
    };
  return overLongPrompt(prompt) ?? { kind: 'create', prompt: prompt.trim() };
}
