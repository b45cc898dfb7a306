import type { Prices } from '../../credits/pricing.ts';
import { parseDesignCommand, type DesignCommand } from '../card/design-command.ts';

/** Slack escapes a mentioned user as `<@U123>` or `<@U123|name>` when the command asks it to. */
const slackMention = /^<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>$/;

export type SlackCommand = DesignCommand;

export function parseSlackCommand(text: string): SlackCommand {
  return parseDesignCommand(text, slackMention);
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
