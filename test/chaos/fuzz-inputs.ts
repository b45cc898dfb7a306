import fc from 'fast-check';

/**
 * Inputs for the fuzz tests: hostile text, the card ids Facet parses, and an oracle for `/design <text>`
 * written from the help text (not from Facet's parser), so a disagreement is a finding, not a tautology.
 */

/** FUZZ_SEED=<seed> replays a run; FUZZ_RUNS=<n> scales the cases of every property by n / 100. */
const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const scale = process.env.FUZZ_RUNS === undefined ? 1 : Number(process.env.FUZZ_RUNS) / 100;

export function fuzzParameters(baseRuns: number): fc.Parameters<unknown> {
  return { numRuns: Math.max(1, Math.round(baseRuns * scale)), ...(seed === undefined ? {} : { seed }) };
}

/**
 * An async property whose shrinking stops after `shrinkMs`: every case talks to real servers, so
 * shrinking a long counterexample could outlast the test. After the budget, candidates are not run
 * (they pass) and fast-check reports the smallest failure found so far.
 */
export function budgetedProperty<Ts extends [unknown, ...unknown[]]>(
  arbitraries: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> },
  predicate: (...args: Ts) => Promise<void>,
  shrinkMs = 8_000,
): fc.IAsyncPropertyWithHooks<Ts> {
  let failedAt: number | undefined;
  return fc.asyncProperty<Ts>(...arbitraries, async (...args: Ts) => {
    if (failedAt !== undefined && Date.now() - failedAt > shrinkMs) return;
    try {
      await predicate(...args);
    } catch (error) {
      if (!(error instanceof fc.PreconditionFailure)) failedAt ??= Date.now();
      throw error;
    }
  });
}

/** Text that means something to Slack mrkdwn, Discord markdown, JSON, XML or a terminal. */
export const hostileFragments = [
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<!here|here>',
  '@everyone',
  '@here',
  '@channel',
  '<@U123>',
  '<@U123|bob>',
  '<@W0FACET>',
  '<#C1>',
  '<#C1|general>',
  '<!subteam^S1>',
  '<!subteam^S1|@leads>',
  '<!date^1392734382^{date}|Feb 18>',
  '<https://evil.example|click me>',
  '<mailto:a@evil.example|mail>',
  '<@2000000000000000002>',
  '<@!2000000000000000002>',
  '<@&3000000000000000001>',
  '<#1000000000000000001>',
  '</design create:1>',
  '<:emoji:1234>',
  '<a:wave:1234>',
  '<t:1700000000:R>',
  '@\u200beveryone',
  '＠everyone',
  '<<@U1>>',
  '<@',
  '<!',
  '<',
  '>',
  '&',
  '&lt;!channel&gt;',
  '&amp;',
  '*bold*',
  '_italic_',
  '~strike~',
  '||spoiler||',
  '> quoted',
  '# heading',
  '-# small',
  '[link](https://evil.example)',
  '`',
  '```',
  '```json\n{"blocks":[{"type":"section","text":{"type":"mrkdwn","text":"<!channel>"}}]}\n```',
  '"}]},{"type":"section","text":{"type":"mrkdwn","text":"<!channel>"}}],"x":["',
  '{"response_type":"in_channel","text":"<!everyone>"}',
  '\\',
  '\\<!channel>',
  ']]>',
  '<![CDATA[',
  '<script>alert(1)</script>',
  "'; drop table designs; --",
  '%00',
  '%s%n',
  '{{7*7}}',
  '${process.exit(1)}',
  ':smile:',
  '\u0000',
  '\u0007',
  '\u001b[31m',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u200b',
  '\u200d',
  '\u2028',
  '\u202e',
  '\u2066',
  '\ufeff',
  '\ufffd',
  '\uffff',
  '\t',
  '\n',
  '\r\n',
  '😀',
  '👨‍👩‍👧‍👦',
  'e\u0301',
  'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̚̚o͔̮',
  '\ud83d',
  '\ude00',
  '𝕳𝖊𝖑𝖑𝖔',
  'ﷺ',
  'İ',
] as const;

/** Any Unicode text: control, zero-width, bidi and astral characters, and halves of surrogate pairs. */
export function anyText(maxLength = 40): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: 'grapheme', maxLength }),
    fc.string({ maxLength }),
  );
}

/** Hostile fragments, random text and whitespace, glued together. */
export function hostileText(maxPieces = 8): fc.Arbitrary<string> {
  return fc
    .array(
      fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...hostileFragments) },
        { weight: 2, arbitrary: anyText(12) },
        { weight: 1, arbitrary: fc.constantFrom(' ', '  ', '\n', '\t') },
      ),
      { maxLength: maxPieces },
    )
    .map((pieces) => pieces.join(''));
}

const products = [
  'a desk lamp',
  'wireless earbuds',
  'a camping mug',
  'lamp',
  'a mechanical keyboard',
  'a kettle',
] as const;

/** Product descriptions salted with hostile text, mostly valid, some around the 2000-character limit. */
export const hostilePrompt: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(hostileText(6), fc.constantFrom(...products), hostileText(6))
      .map(([before, product, after]) => `${before} ${product} ${after}`),
  },
  { weight: 2, arbitrary: hostileText(10) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(hostileText(4), fc.integer({ min: 1990, max: 2010 }))
      .map(([chunk, length]) => `${products[0]} ${chunk || 'x'}`.repeat(length).slice(0, length)),
  },
  {
    // Around the truncation points of the cards: Discord's embed title (256), Slack's title (2500 after
    // escaping, where `&` becomes `&amp;`), with emoji (two UTF-16 units each) straddling them.
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.oneof(fc.constant(0), fc.integer({ min: 470, max: 500 })),
        fc.integer({ min: 1, max: 300 }),
        fc.constantFrom('😀', '👨‍👩‍👧‍👦', '<', '*', 'é'),
        fc.constantFrom('', ' ', 'x'),
      )
      .map(([ampersands, count, unit, pad]) =>
        `${products[1]}${pad} ${'&'.repeat(ampersands)}${unit.repeat(count)}`.slice(0, 2000),
      ),
  },
);

/** What Slack, Discord and browsers do to text in transit: half a surrogate pair becomes U+FFFD. */
export function wellFormed(text: string): string {
  return text.replace(/\p{Cs}/gu, '\ufffd');
}

export function isWellFormedText(text: string): boolean {
  return !/\p{Cs}/u.test(text);
}

/** The control characters Facet drops from user text (tab and newline stay). */
export function cleanUserText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ').trim();
}

export const maxPrompt = 2000;
export const maxFeedback = 1000;

/** The subcommands that take nothing after them. */
export type BareSubcommand = 'help' | 'credits' | 'history' | 'pending' | 'settings' | 'usage';

export type ExpectedCommand =
  | { kind: BareSubcommand | 'create_usage' | 'refused' }
  /** `history` with something after it that is not a design's number (1 to 10): its usage. */
  | { kind: 'history_usage' }
  /** A subcommand with something after it, or mistyped: its usage, and nothing started. */
  | { kind: 'misused'; command: BareSubcommand }
  | { kind: 'grant'; valid: boolean; target?: string; amount?: number }
  | { kind: 'create'; prompt: string };

const subcommands = [
  'help',
  'credits',
  'history',
  'pending',
  'settings',
  'usage',
  'grant',
  'create',
] as const;

/**
 * The subcommand a first word names, as the help text promises: the word itself in any case, punctuation
 * around it allowed ("Help?", "credits,"). Typed alone, a word that starts with one ("helpme") or is at
 * least four letters of one ("credit", "hist") is a mistyped subcommand rather than a description.
 */
function subcommandOf(word: string, alone: boolean) {
  const letters = word
    .toLowerCase()
    .replace(/^\p{P}+/u, '')
    .replace(/\p{P}+$/u, '');
  const exact = subcommands.find((name) => letters === name);
  if (exact !== undefined) return { name: exact, exact: true };
  if (!alone || letters === '') return undefined;
  const typo = subcommands.find(
    (name) => letters.startsWith(name) || (letters.length >= 4 && name.startsWith(letters)),
  );
  return typo === undefined ? undefined : { name: typo, exact: false };
}

/** A description: 1 to 2000 characters once cleaned as the workflow stores it. */
function described(prompt: string): ExpectedCommand {
  const cleaned = cleanUserText(prompt);
  if (cleaned.length > maxPrompt) return { kind: 'create_usage' };
  return cleaned === '' ? { kind: 'refused' } : { kind: 'create', prompt: cleaned };
}

/**
 * `/design <text>` as the help text describes it: help, credits, history, settings and usage alone (anything
 * after them, or a mistyped one, gets its usage), grant @user n, `create` and a description (always a
 * design), and otherwise a description. `mention` captures a user.
 */
export function expectedCommand(text: string, mention: RegExp): ExpectedCommand {
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'help' };
  const words = trimmed.split(/\s+/);
  const first = words[0]!;
  const named = subcommandOf(first, words.length === 1);
  if (named === undefined) return described(trimmed);
  if (named.name === 'create') {
    const rest = trimmed.slice(first.length).trim();
    return !named.exact || rest === '' ? { kind: 'create_usage' } : described(rest);
  }
  if (named.name === 'grant') {
    const target = mention.exec(words[1] ?? '')?.[1];
    const amount = Number(words[2]);
    const valid =
      !!target && words.length === 3 && Number.isInteger(amount) && amount >= 1 && amount <= 10_000;
    return valid ? { kind: 'grant', valid, target, amount } : { kind: 'grant', valid };
  }
  // `history 2` is the second design in detail; any other word after it gets history's own usage.
  if (named.name === 'history' && named.exact && words.length === 2) {
    const position = Number(words[1]);
    return Number.isInteger(position) && position >= 1 && position <= 10
      ? { kind: 'history' }
      : { kind: 'history_usage' };
  }
  if (!named.exact || words.length > 1) return { kind: 'misused', command: named.name };
  return { kind: named.name };
}

/** Text after `/design`: subcommands, near-misses and hostile descriptions. */
export const commandText: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: hostilePrompt },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.constantFrom(
          'help',
          'HELP',
          'credits',
          'history',
          'history 2',
          'history 11',
          'pending',
          'pending please',
          'settings',
          'usage',
          'usage please',
          'grant',
          'create',
          'Create',
          'help me',
          'helpme',
          'credits please',
          'credit',
          'Help?',
        ),
        fc.constantFrom('', ' ', '\n', '\u00a0', '\u200b'),
        fc.oneof(
          fc.constant(''),
          hostileText(3),
          fc.constantFrom('<@U2> 5', '<@U2|x> 10001', '<@U2> -1', '@ben 5'),
        ),
      )
      .map((parts) => parts.join('')),
  },
  { weight: 2, arbitrary: anyText(60) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', '   ', '\u0001\u0002', '\t\n', '\u200b', 'x'.repeat(2001), 'create'),
  },
);

const cardKinds = [
  'approve',
  'decline',
  'edit',
  'request_changes',
  'cancel',
  'retry',
  'variation',
  'edit_view',
] as const;
const presets = ['minimal', 'color', 'premium', 'playful', 'rugged', 'compact'] as const;
const badIterations = ['0', '-1', '01', '1.0', ' 1', '1e3', '9999999999', 'NaN', '', '２'] as const;

/** A design a card id may name: a real one (with its current iteration) or none. */
export type KnownDesign = { id: string; iteration: number };

/**
 * Button ids: random text, `facet1:` followed by junk, and well-formed ids naming real or unknown designs
 * with right, wrong or malformed iterations, presets and views. `iteration` is relative to the design's.
 */
export function cardActionId(designs: () => KnownDesign[]): fc.Arbitrary<string> {
  const designId = fc.oneof(
    fc.nat().map((n) => {
      const known = designs();
      return known.length === 0 ? '00000000-0000-4000-8000-000000000000' : known[n % known.length]!.id;
    }),
    fc.uuid(),
    fc.constantFrom(
      'not-a-uuid',
      '',
      'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
      '00000000-0000-0000-0000-000000000000',
    ),
    anyText(40),
  );
  const iteration = fc.oneof(
    fc.integer({ min: 1, max: 1_000_000_000 }).map(String),
    fc.constantFrom(...badIterations),
  );
  const structured = fc
    .tuple(
      fc.oneof(
        { weight: 5, arbitrary: fc.constantFrom(...cardKinds) },
        { weight: 1, arbitrary: anyText(10) },
      ),
      designId,
      iteration,
      fc.oneof(
        fc.constantFrom(...presets),
        fc.constantFrom('front', 'back', 'side', 'top', 'bottom'),
        anyText(8),
      ),
      fc.boolean(),
    )
    .map(([kind, id, it, extra, more]) => {
      const parts = ['facet1', kind, id];
      if (kind === 'approve' || kind === 'decline' || kind === 'request_changes') parts.push(it);
      else if (kind === 'edit') parts.push(it, extra);
      else if (kind === 'edit_view') parts.push(extra);
      if (more) parts.push(extra);
      return parts.join(':');
    });
  return fc.oneof(
    { weight: 6, arbitrary: structured },
    { weight: 2, arbitrary: anyText(40).map((junk) => `facet1:${junk}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('facet1:', 'facet1::::', 'FACET1:approve', 'facet2:approve:x:1'),
    },
    { weight: 1, arbitrary: anyText(120) },
  );
}

/** Feedback typed into a Request changes form: empty, blank, control-only, hostile, over the limit. */
export const feedbackText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: hostileText(6) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', '   ', '\n\t', '\u0001', '\u200b', 'x'.repeat(maxFeedback + 1)),
  },
  { weight: 1, arbitrary: fc.integer({ min: 990, max: 1010 }).map((n) => 'y'.repeat(n)) },
);
