import { DiscordAPIError, Routes } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discordRest, registerDiscordCommands } from '../../../src/bots/discord/discord-bot.ts';
import { discordCommands } from '../../../src/bots/discord/discord-command-definition.ts';
import { commandTranslations } from '../../../src/bots/discord/discord-command-locales.ts';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/fake-discord.ts';

/** Discord's rule for chat-input command and option names (and their localisations). */
const namePattern = /^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;
const locales = ['de', 'fr', 'es-ES', 'es-419', 'ja'] as const;

type Part = {
  name: string;
  description?: string;
  name_localizations?: Record<string, string> | null;
  description_localizations?: Record<string, string> | null;
  options?: Part[];
  choices?: { name: string; value: unknown; name_localizations?: Record<string, string> | null }[];
};

/** Every command, subcommand and option with its path of English names; choices as `option=value`. */
function partsOf(part: Part, path: string): { path: string; part: Part; choice: boolean }[] {
  return [
    { path, part, choice: false },
    ...(part.choices ?? []).map((choice) => ({
      path: `${path}=${String(choice.value)}`,
      part: choice,
      choice: true,
    })),
    ...(part.options ?? []).flatMap((option) => partsOf(option, `${path}.${option.name}`)),
  ];
}

const definition = discordCommands as unknown as Part[];
const parts = definition.flatMap((command) => partsOf(command, command.name));

describe('the /design definition', () => {
  it('installs to servers and users, and runs in servers, bot DMs and private channels', () => {
    expect(discordCommands[0]).toMatchObject({ integration_types: [0, 1], contexts: [0, 1, 2] });
  });

  it('localises every part for de, fr, es (both Spanish locales) and ja, within Discord rules', () => {
    expect(parts.length).toBeGreaterThan(20);
    for (const { path, part, choice } of parts) {
      for (const locale of locales) {
        const name = part.name_localizations?.[locale];
        expect(name, `${path} name in ${locale}`).toBeTypeOf('string');
        if (choice) expect(name!.length, `${path} in ${locale}`).toBeLessThanOrEqual(100);
        else {
          expect(name, `${path} name in ${locale}`).toMatch(namePattern);
          expect(name, `${path} name in ${locale}`).toBe(name!.toLowerCase());
          const description = part.description_localizations?.[locale];
          expect(description, `${path} description in ${locale}`).toBeTypeOf('string');
          expect(description!.length, `${path} description in ${locale}`).toBeGreaterThan(0);
          expect(description!.length, `${path} description in ${locale}`).toBeLessThanOrEqual(100);
        }
      }
    }
  });

  it('gives siblings distinct names in every locale (Discord refuses duplicates)', () => {
    const siblingsOf = (part: Part): Part[][] => [
      ...(part.options ? [part.options] : []),
      ...(part.options ?? []).flatMap(siblingsOf),
    ];
    for (const siblings of definition.flatMap(siblingsOf))
      for (const locale of locales) {
        const names = siblings.map((part) => part.name_localizations?.[locale]);
        expect(new Set(names).size, `${siblings.map((p) => p.name).join(',')} in ${locale}`).toBe(
          names.length,
        );
      }
  });

  it('has no translation for a part that does not exist (a renamed option would lose its own)', () => {
    const paths = new Set(parts.map(({ path }) => path));
    expect(Object.keys(commandTranslations).filter((path) => !paths.has(path))).toEqual([]);
  });

  it('autocompletes the design of `/design history`', () => {
    const history = parts.find(({ path }) => path === 'design.history.design')?.part;
    expect(history).toMatchObject({ autocomplete: true });
  });
});

describe('registering /design with the loopback Discord', () => {
  let fake: FakeDiscord;

  beforeAll(async () => {
    fake = await startFakeDiscord({ token: 'definition-token' });
  });

  afterAll(async () => {
    await fake.close();
  });

  it('sends the localisations, install types and contexts, and Discord accepts them', async () => {
    const count = await registerDiscordCommands({
      token: 'definition-token',
      applicationId: fake.applicationId,
      apiUrl: fake.apiUrl,
    });
    expect(count).toBe(1);
    const [put] = fake.callsTo('PUT', `/applications/${fake.applicationId}/commands`);
    expect(put?.status).toBe(200);
    const [registered] = fake.commands();
    expect(registered).toMatchObject({ integration_types: [0, 1], contexts: [0, 1, 2] });
    expect(registered?.name_localizations).toMatchObject({ de: 'design', ja: 'デザイン', 'es-ES': 'diseño' });
    const history = (registered?.options as Part[]).find((option) => option.name === 'history');
    expect(history?.name_localizations).toMatchObject({ fr: 'historique', 'es-419': 'historial' });
    expect(history?.options?.[0]?.description_localizations?.de).toBe(
      'Einen deiner Entwürfe im Detail zeigen',
    );
  });

  it.each([
    ['an uppercase localised name', { name_localizations: { de: 'Design' } }],
    ['a localised name with a space', { name_localizations: { fr: 'mon design' } }],
    ['an unknown locale', { name_localizations: { es: 'diseño' } }],
    ['a 101-character localised description', { description_localizations: { ja: 'あ'.repeat(101) } }],
    ['an empty localised description', { description_localizations: { de: '' } }],
    ['an unknown context', { contexts: [0, 3] }],
    ['an unknown install type', { integration_types: [2] }],
  ])('refuses %s like Discord (50035) and keeps what was registered', async (_what, change) => {
    const before = fake.commands();
    const rest = discordRest('definition-token', fake.apiUrl);
    const body = [{ ...discordCommands[0], ...change }];
    const error = await rest
      .put(Routes.applicationCommands(fake.applicationId), { body })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect((error as DiscordAPIError).code).toBe(50035);
    expect(fake.commands()).toEqual(before);
  });
});
