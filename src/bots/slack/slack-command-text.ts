/** What `/design <text>` asks for. */
export type SlackCommand = { kind: 'create'; prompt: string } | { kind: 'help' } | { kind: 'credits' };

const subcommands = new Set(['help', 'credits']);

export function parseSlackCommand(text: string): SlackCommand {
  const trimmed = text.trim();
  const first = trimmed.split(/\s+/, 1)[0]?.toLowerCase() ?? '';
  if (trimmed === '' || first === 'help') return { kind: 'help' };
  if (subcommands.has(first) && trimmed.toLowerCase() === first) return { kind: first as 'credits' };
  const prompt = first === 'create' ? trimmed.slice('create'.length).trim() : trimmed;
  return { kind: 'create', prompt };
}

export const slackHelpText = [
  '*Facet designs products with you, right here.*',
  '`/design <description>`: start a design, e.g. `/design wireless headphones in matte black`. The front view comes first; approve it, use a quick edit, or request changes.',
  '`/design credits`: your balance, what is reserved, and recent entries.',
  '`/design help`: this message.',
  'Credits are reserved when you start (3, plus 1 per edit) and charged only when the design is complete; a failure, cancel or expiry returns them.',
].join('\n');
