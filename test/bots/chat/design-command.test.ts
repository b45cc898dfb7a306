import { describe, expect, it } from 'vitest';
import { overLongPrompt, parseDesignCommand } from '../../../src/bots/chat/design-command.ts';

const mention = /^<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>$/;
const parse = (text: string) => parseDesignCommand(text, mention);
const usageOf = (word: string) =>
  ({
    kind: 'misuse',
    text: expect.stringMatching(
      new RegExp(`^Nothing was started or charged: \`/design ${word}\` .* takes nothing after it\\.`),
    ) as unknown,
  }) as const;
const lengthLimit = {
  kind: 'misuse',
  text: 'That description is too long: keep it to 2000 characters or fewer.',
} as const;

describe('parseDesignCommand', () => {
  it('reads a subcommand on its own, in any case and with punctuation around it', () => {
    expect(parse('')).toEqual({ kind: 'help' });
    expect(parse('  help ')).toEqual({ kind: 'help' });
    expect(parse('Help?')).toEqual({ kind: 'help' });
    expect(parse('CREDITS')).toEqual({ kind: 'credits' });
    expect(parse('history.')).toEqual({ kind: 'history' });
    expect(parse('Pending')).toEqual({ kind: 'pending' });
    expect(parse('settings')).toEqual({ kind: 'settings', change: null });
    expect(parse('grant <@U22> 5')).toEqual({ kind: 'grant', userId: 'U22', amount: 5 });
  });

  it('reads a design number after history (one design in detail), and explains a bad one', () => {
    expect(parse('history 2')).toEqual({ kind: 'history', position: 2 });
    expect(parse('History 10')).toEqual({ kind: 'history', position: 10 });
    for (const bad of ['history 0', 'history 11', 'history two', 'history 1.5'])
      expect(parse(bad)).toEqual({
        kind: 'misuse',
        text: expect.stringMatching(
          /`\/design history 2` shows the second of them in detail \(1 to 10\)/,
        ) as unknown,
      });
  });

  it('answers a subcommand followed by more with its usage, starting nothing', () => {
    expect(parse('credits please')).toEqual(usageOf('credits'));
    expect(parse('help me choose a lamp')).toEqual(usageOf('help'));
    expect(parse('History of my designs')).toEqual(usageOf('history'));
    expect(parse('settings, please')).toEqual(usageOf('settings'));
    expect(parse('pending approvals')).toEqual(usageOf('pending'));
    // A description that merely starts with the word is a design.
    expect(parse('pendant lamp in brushed brass')).toEqual({
      kind: 'create',
      prompt: 'pendant lamp in brushed brass',
    });
    expect(parse('grant me 5 credits')).toMatchObject({ kind: 'misuse', text: /^Usage: `\/design grant/ });
  });

  it('answers one word that is a mistyped subcommand with its usage', () => {
    expect(parse('helpme')).toEqual(usageOf('help'));
    expect(parse('help-me')).toEqual(usageOf('help'));
    expect(parse('creditsplease')).toEqual(usageOf('credits'));
    expect(parse('credit')).toEqual(usageOf('credits'));
    expect(parse('hist')).toEqual(usageOf('history'));
    expect(parse('setting')).toEqual(usageOf('settings'));
    expect(parse('grants')).toMatchObject({ kind: 'misuse', text: /^Usage: `\/design grant/ });
    expect(parse('createlamp')).toMatchObject({ kind: 'misuse', text: /^Describe the product/ });
  });

  it('reads a description that only looks like a subcommand as a description', () => {
    expect(parse('helpful robot vacuum')).toEqual({ kind: 'create', prompt: 'helpful robot vacuum' });
    expect(parse('a lamp to help me read')).toEqual({ kind: 'create', prompt: 'a lamp to help me read' });
    // Too short to be read as a command: a one-word description.
    expect(parse('his')).toEqual({ kind: 'create', prompt: 'his' });
    for (const word of ['helmet', 'credenza', 'settee', 'granite', 'historical', 'lamp'])
      expect(parse(word)).toEqual({ kind: 'create', prompt: word });
  });

  it('starts a design after `create`, whatever the description begins with', () => {
    expect(parse('create help me choose a lamp')).toEqual({
      kind: 'create',
      prompt: 'help me choose a lamp',
    });
    expect(parse('Create   credits please')).toEqual({ kind: 'create', prompt: 'credits please' });
    expect(parse('create helpme')).toEqual({ kind: 'create', prompt: 'helpme' });
    expect(parse('create')).toMatchObject({ kind: 'misuse', text: /^Describe the product/ });
  });

  it('answers an over-long description with the length limit, measured as the workflow stores it', () => {
    expect(parse('x'.repeat(2000))).toEqual({ kind: 'create', prompt: 'x'.repeat(2000) });
    expect(parse('x'.repeat(2001))).toEqual(lengthLimit);
    expect(parse(`create ${'x'.repeat(10_001)}`)).toEqual(lengthLimit);
    expect(parse(`help ${'x'.repeat(10_001)}`)).toEqual(usageOf('help'));
    // The workflow turns control characters into spaces and trims them: this one is 2000 characters.
    expect(parse(`${'x'.repeat(2000)}\u0001`).kind).toBe('create');
    expect(overLongPrompt(` ${'x'.repeat(2000)} `)).toBeUndefined();
    expect(overLongPrompt('x'.repeat(2001))).toEqual(lengthLimit);
  });
});

describe('parseDesignCommand: front-view candidates', () => {
  it('takes candidates:N out of the description, wherever it stands', () => {
    expect(parse('candidates:4 wireless headphones')).toEqual({
      kind: 'create',
      prompt: 'wireless headphones',
      candidates: 4,
    });
    expect(parse('wireless headphones Candidates:2')).toEqual({
      kind: 'create',
      prompt: 'wireless headphones',
      candidates: 2,
    });
    expect(parse('create a lamp candidates:1 in brass')).toEqual({
      kind: 'create',
      prompt: 'a lamp in brass',
      candidates: 1,
    });
    // Without the option the workspace's default applies: nothing is said.
    expect(parse('a lamp')).toEqual({ kind: 'create', prompt: 'a lamp' });
    // A subcommand word after the option is a description.
    expect(parse('candidates:3 help desk lamp')).toEqual({
      kind: 'create',
      prompt: 'help desk lamp',
      candidates: 3,
    });
  });

  it('explains a number outside 1 to 4, twice the option, or nothing to design, and starts nothing', () => {
    for (const bad of [
      'candidates:0 lamp',
      'candidates:5 lamp',
      'candidates:two lamp',
      'candidates:04 lamp',
      'candidates: lamp',
      'candidates:2 lamp candidates:3',
    ])
      expect(parse(bad), bad).toEqual({
        kind: 'misuse',
        text: expect.stringContaining(
          '`candidates:N` asks for N front views to pick from (1 to 4)',
        ) as unknown,
      });
    expect(parse('candidates:2')).toMatchObject({ kind: 'misuse' });
    expect(parse('create candidates:2')).toEqual({
      kind: 'misuse',
      text: 'Describe the product: `/design create wireless headphones in matte black`.',
    });
  });
});
