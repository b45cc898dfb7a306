import { describe, expect, it } from 'vitest';
import { PayloadCommandOptions } from '../../../src/bots/discord/discord-payload-command-options.ts';
import { readDiscordCommand } from '../../../src/bots/discord/discord-platform.ts';
import type { PayloadCommandOption } from '../../../src/bots/discord/discord-interaction-payload.ts';

/** `/design <subcommand>` as Discord sends it over HTTP, read as the gateway mode reads it. */
const read = (subcommand: string, options: PayloadCommandOption[], resolved = {}) =>
  readDiscordCommand(
    {
      options: new PayloadCommandOptions({
        name: 'design',
        options: [{ type: 1, name: subcommand, options }],
        resolved,
      }),
    },
    { kind: 'guild', guildId: '1000000000000000001' },
  );

describe('a /design command read from the raw payload', () => {
  it('reads create, history and credits', () => {
    expect(read('create', [{ name: 'prompt', type: 3, value: 'a lamp' }])).toEqual({
      kind: 'create',
      prompt: 'a lamp',
    });
    expect(read('history', [{ name: 'design', type: 4, value: 2 }])).toEqual({
      kind: 'history',
      position: 2,
    });
    expect(read('history', [])).toEqual({ kind: 'history', position: undefined });
    expect(read('credits', [])).toEqual({ kind: 'credits' });
  });

  it('reads a grant with the resolved user, a bot being a bot', () => {
    const user = '2000000000000000009';
    const options = [
      { name: 'user', type: 6, value: user },
      { name: 'amount', type: 4, value: 5 },
    ];
    expect(read('grant', options, { users: { [user]: { id: user, bot: true } } })).toEqual({
      kind: 'grant',
      userId: user,
      amount: 5,
      userIsBot: true,
    });
  });

  it('reads settings with a role and a budget, and refuses both a role and clearing it', () => {
    const role = '3000000000000000001';
    expect(
      read('settings', [
        { name: 'approver_role', type: 8, value: role },
        { name: 'monthly_budget_usd', type: 10, value: 12.5 },
      ]),
    ).toMatchObject({ kind: 'settings', change: { approverGroup: role, monthlyBudgetCents: 1250 } });
    expect(
      read('settings', [
        { name: 'approver_role', type: 8, value: role },
        { name: 'clear_approver', type: 5, value: true },
      ]),
    ).toMatchObject({ kind: 'misuse' });
  });

  it('throws for a forged command: a required option missing, or one of another type', () => {
    expect(() => read('create', [])).toThrow(/no option prompt/);
    expect(() => read('create', [{ name: 'prompt', type: 4, value: 3 }])).toThrow(/type/);
    expect(() =>
      read('grant', [
        { name: 'user', type: 6, value: '1' },
        { name: 'amount', type: 4, value: 1.5 },
      ]),
    ).toThrow(/whole number/);
  });
});
