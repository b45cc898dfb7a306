import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/*
 * Static checks of the Dockerfile and .dockerignore (the image cannot be built here: no registry for
 * base images). Above all: the final stage ships every file the app reads at run time, at the path the
 * code looks for it, and .dockerignore does not keep any of them out of the build context.
 */

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

type Instruction = { keyword: string; args: string; line: number };
type Stage = { name: string | undefined; base: string; instructions: Instruction[] };

/** Instructions with continuation lines joined and comments dropped, split into stages at each FROM. */
function parseDockerfile(text: string): Stage[] {
  const instructions: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed.startsWith('#')) return; // comments, also between continuation lines
    if (!pending && trimmed === '') return;
    const continues = trimmed.endsWith('\\');
    const part = continues ? trimmed.slice(0, -1).trim() : trimmed;
    pending = pending ? { ...pending, text: `${pending.text} ${part}` } : { text: part, line: index + 1 };
    if (continues) return;
    const match = /^(\S+)\s*(.*)$/.exec(pending.text);
    if (match?.[1])
      instructions.push({ keyword: match[1].toUpperCase(), args: match[2] ?? '', line: pending.line });
    pending = undefined;
  });
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const words = instruction.args.split(/\s+/).filter((word) => !word.startsWith('--'));
      const alias = words[1]?.toUpperCase() === 'AS' ? words[2] : undefined;
      stages.push({ name: alias, base: words[0] ?? '', instructions: [] });
    } else {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`line ${instruction.line}: ${instruction.keyword} before any FROM`);
      stage.instructions.push(instruction);
    }
  }
  return stages;
}

/** An exec-form argument list (`["node", "x"]`), or undefined for shell form. */
function execForm(args: string): string[] | undefined {
  if (!args.trim().startsWith('[')) return undefined;
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((item): item is string => typeof item === 'string'))
    throw new Error(`not a list of strings: ${args}`);
  return parsed;
}

/** `ENV A=1 B="two"` (and the legacy `ENV A 1`) as pairs. */
function envPairs(args: string): [string, string][] {
  const pairs = [...args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|\S*)/g)].map(
    (match): [string, string] => [match[1] ?? '', (match[2] ?? '').replace(/^(["'])(.*)\1$/, '$2')],
  );
  if (pairs.length > 0) return pairs;
  const legacy = /^(\S+)\s+(.*)$/.exec(args.trim());
  return legacy ? [[legacy[1] ?? '', legacy[2] ?? '']] : [];
}

/** A Docker-style glob: `**` spans directories, `*` and `?` stay within one path segment. */
function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern.charAt(i);
    if (pattern.startsWith('**/', i)) {
      source += '(?:.*/)?';
      i += 2;
    } else if (pattern.startsWith('**', i)) {
      source += '.*';
      i += 1;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

type IgnoreRule = { exclude: boolean; pattern: RegExp };

/** .dockerignore as Docker reads it: cleaned patterns, `!` re-includes, the last matching rule wins. */
function parseDockerignore(text: string): IgnoreRule[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const exclude = !line.startsWith('!');
      const cleaned = path.posix.normalize(exclude ? line : line.slice(1).trim()).replace(/^\/+|\/+$/g, '');
      return { exclude, pattern: globToRegExp(cleaned) };
    });
}

/** Whether a file of the repository is left out of the build context (a rule may match a parent folder). */
function isIgnored(rules: IgnoreRule[], file: string): boolean {
  const parts = file.split('/');
  let ignored = false;
  for (const rule of rules) {
    for (let depth = 1; depth <= parts.length; depth++) {
      if (rule.pattern.test(parts.slice(0, depth).join('/'))) {
        ignored = rule.exclude;
        break;
      }
    }
  }
  return ignored;
}

/** Every file under a folder of the repository, as repository paths. */
function filesUnder(folder: string): string[] {
  return readdirSync(path.join(root, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

type Copy = { from: string | undefined; sources: string[]; destination: string; workdir: string };

/** The COPY (and ADD) instructions of a stage, each with the WORKDIR in force. */
function copiesOf(stage: Stage): Copy[] {
  let workdir = '/';
  const copies: Copy[] = [];
  for (const { keyword, args } of stage.instructions) {
    if (keyword === 'WORKDIR') workdir = path.posix.resolve(workdir, args.trim());
    if (keyword !== 'COPY' && keyword !== 'ADD') continue;
    const words = args.split(/\s+/);
    const flags = words.filter((word) => word.startsWith('--'));
    const rest = args.replace(/^(\s*--\S+\s+)*/, '');
    const paths = execForm(rest) ?? rest.split(/\s+/).filter((word) => word !== '');
    const from = flags.find((flag) => flag.startsWith('--from='))?.slice('--from='.length);
    copies.push({ from, sources: paths.slice(0, -1), destination: paths.at(-1) ?? '', workdir });
  }
  return copies;
}

function workdirOf(stage: Stage): string {
  return stage.instructions
    .filter((instruction) => instruction.keyword === 'WORKDIR')
    .reduce((workdir, instruction) => path.posix.resolve(workdir, instruction.args.trim()), '/');
}

const ignoreRules = parseDockerignore(read('.dockerignore'));

/** Context paths a COPY source names: a glob in its last segment is expanded against the repository. */
function expandSource(source: string): string[] {
  const cleaned = path.posix.normalize(source).replace(/^(\.\/|\/)+/, '');
  if (!/[*?[]/.test(cleaned)) return existsSync(path.join(root, cleaned)) ? [cleaned] : [];
  const folder = path.posix.dirname(cleaned);
  const name = globToRegExp(path.posix.basename(cleaned));
  return readdirSync(path.join(root, folder))
    .filter((entry) => name.test(entry))
    .map((entry) => (folder === '.' ? entry : `${folder}/${entry}`));
}

/**
 * Where each repository file lands in a stage's file system: image path -> repository path. Sources
 * from the context are filtered by .dockerignore; `--from=<stage>` sources are followed into that stage.
 */
function placedFiles(stages: Stage[], stage: Stage, missing: string[] = []): Map<string, string> {
  const placed = new Map<string, string>();
  for (const copy of copiesOf(stage)) {
    const destination = path.posix.resolve(copy.workdir, copy.destination);
    const intoFolder = copy.destination.endsWith('/') || copy.destination === '.' || copy.sources.length > 1;
    const target = (source: string, file: string, sourceIsFolder: boolean) =>
      sourceIsFolder
        ? path.posix.join(destination, path.posix.relative(source, file))
        : intoFolder
          ? path.posix.join(destination, path.posix.basename(source))
          : destination;
    for (const source of copy.sources) {
      if (copy.from === undefined) {
        const expanded = expandSource(source);
        if (expanded.length === 0) missing.push(source);
        for (const entry of expanded) {
          const isFolder = statSync(path.join(root, entry)).isDirectory();
          const files = isFolder ? filesUnder(entry) : [entry];
          for (const file of files.filter((f) => !isIgnored(ignoreRules, f)))
            placed.set(target(entry, file, isFolder), file);
        }
        continue;
      }
      const origin = stages.find((other) => other.name === copy.from && other !== stage);
      if (!origin) {
        missing.push(`${source} (from unknown stage ${copy.from})`);
        continue;
      }
      const absolute = path.posix.resolve(workdirOf(origin), source);
      let found = false;
      for (const [imagePath, file] of placedFiles(stages, origin)) {
        if (imagePath === absolute) placed.set(target(absolute, imagePath, false), file);
        else if (imagePath.startsWith(`${absolute}/`)) placed.set(target(absolute, imagePath, true), file);
        else continue;
        found = true;
      }
      if (!found) missing.push(`${source} (from stage ${copy.from})`);
    }
  }
  return placed;
}

const stages = parseDockerfile(read('Dockerfile'));
const final = stages.at(-1);
if (!final) throw new Error('the Dockerfile has no FROM');
const finalOf = (keyword: string) =>
  final.instructions.filter((instruction) => instruction.keyword === keyword);
const finalEnv = new Map(finalOf('ENV').flatMap((instruction) => envPairs(instruction.args)));

describe('Dockerfile', () => {
  it('builds in at least two stages, each on a slim base of the current Node LTS (26)', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    // Node 26 is the Active LTS from 2026-10-28 (Node 24 went to maintenance on 2026-10-20).
    const nodeSlim = /^node:26(\.\d+){0,2}-(trixie-)?slim(@sha256:[0-9a-f]{64})?$/;
    const stageNames = stages.flatMap((stage) => (stage.name ? [stage.name] : []));
    for (const stage of stages) {
      if (stageNames.includes(stage.base)) continue; // FROM an earlier stage
      expect(stage.base).toMatch(nodeSlim);
    }
    expect(final.base).toMatch(nodeSlim);
  });

  it('type-checks in the build stage, which the final stage depends on (BuildKit skips unused stages)', () => {
    const build = stages.slice(0, -1);
    const typecheck = build.find((stage) =>
      stage.instructions.some((i) => i.keyword === 'RUN' && /\bnpm (ci|install)\b/.test(i.args)),
    );
    expect(typecheck?.instructions.some((i) => i.keyword === 'RUN' && /npm run typecheck/.test(i.args))).toBe(
      true,
    );
    expect(copiesOf(final).some((copy) => copy.from !== undefined && copy.from === typecheck?.name)).toBe(
      true,
    );
  });

  it('installs only production dependencies in the final stage', () => {
    const installs = finalOf('RUN').filter((i) => /\bnpm (ci|install|i)\b/.test(i.args));
    expect(installs.length).toBeGreaterThan(0);
    for (const install of installs) expect(install.args).toMatch(/\bnpm ci\b[^&|;]*--omit=dev/);
    expect(finalEnv.get('NODE_ENV')).toBe('production');
  });

  it('runs every process on jemalloc, which it installs in the final stage (sharp fragments glibc malloc)', () => {
    const preload = finalEnv.get('LD_PRELOAD') ?? '';
    expect(preload).toMatch(/^libjemalloc\.so\.2$/);
    const installs = finalOf('RUN').filter((i) => /\bapt-get install\b/.test(i.args));
    expect(installs.some((i) => /\blibjemalloc2\b/.test(i.args))).toBe(true);
  });

  it('runs as a non-root user', () => {
    const user = finalOf('USER').at(-1)?.args.trim().split(':')[0];
    expect(user).toBeDefined();
    expect(['root', '0', '']).not.toContain(user);
  });

  it('checks health with node against /healthz and exposes port 3000', () => {
    const healthchecks = finalOf('HEALTHCHECK');
    expect(healthchecks).toHaveLength(1);
    const check = healthchecks[0]?.args ?? '';
    const command = check.replace(/^(\s*--\S+\s+)*/, '');
    expect(command).toMatch(/^CMD\s/);
    const argv = execForm(command.replace(/^CMD\s+/, '')) ?? command.replace(/^CMD\s+/, '').split(/\s+/);
    expect(argv[0]).toBe('node'); // slim images have no curl or wget
    expect(command).toContain('127.0.0.1');
    expect(command).toContain('/healthz');
    expect(finalOf('EXPOSE').flatMap((i) => i.args.split(/\s+/))).toContain('3000');
  });

  it('listens beyond loopback on PORT 3000 and keeps its data in a volume', () => {
    expect(finalEnv.get('FACET_HOST')).toBe('0.0.0.0');
    expect(finalEnv.get('PORT')).toBe('3000');
    const dataDir = finalEnv.get('FACET_DATA_DIR');
    expect(dataDir).toBe('/data');
    const volumes = finalOf('VOLUME').flatMap((i) => execForm(i.args) ?? i.args.split(/\s+/));
    expect(volumes).toContain(dataDir);
  });

  it('starts through bin/facet.js, `start` by default', () => {
    expect(execForm(finalOf('ENTRYPOINT').at(-1)?.args ?? '')).toEqual(['node', 'bin/facet.js']);
    expect(execForm(finalOf('CMD').at(-1)?.args ?? '')).toEqual(['start']);
  });

  it('copies only paths that exist in the repository (or in the stage they come from)', () => {
    const missing: string[] = [];
    for (const stage of stages) placedFiles(stages, stage, missing);
    expect(missing).toEqual([]);
    expect(copiesOf(final).length).toBeGreaterThan(0);
  });

  it('ships every file the app reads at run time, where the code looks for it', () => {
    const workdir = workdirOf(final);
    const placed = placedFiles(stages, final);
    const migrations = readdirSync(path.join(root, 'migrations'))
      .filter((name) => name.endsWith('.sql'))
      .map((name) => `migrations/${name}`);
    const page = filesUnder('src/bots/playground/page');
    expect(migrations.length).toBeGreaterThan(0);
    expect(page).toEqual(
      expect.arrayContaining([
        'src/bots/playground/page/index.html',
        'src/bots/playground/page/app.js',
        'src/bots/playground/page/style.css',
      ]),
    );
    // Sources run as they are (tsx or a bundle made from them); package.json makes bin/ ES modules;
    // tsconfig.json is read by tsx and keys bin/facet.js's bundle cache.
    const runtime = [
      ...new Set([
        ...migrations,
        ...page,
        ...filesUnder('src'),
        'bin/facet.js',
        'package.json',
        'package-lock.json',
        'tsconfig.json',
      ]),
    ];
    const ignored = runtime.filter((file) => isIgnored(ignoreRules, file));
    expect(ignored).toEqual([]);
    const notShipped = runtime.filter((file) => placed.get(path.posix.join(workdir, file)) !== file);
    expect(notShipped).toEqual([]);
  });
});

describe('.dockerignore', () => {
  it('keeps dependencies, local state and secrets out of the build context', () => {
    for (const file of [
      'node_modules/kysely/package.json',
      '.env',
      '.env.production',
      '.facet/db/PG_VERSION',
      '.git/HEAD',
      'test-output/screenshot.png',
    ])
      expect(isIgnored(ignoreRules, file), file).toBe(true);
  });

  it('is read the way Docker reads it', () => {
    const rules = parseDockerignore('node_modules\n**/*.log\ntest/\n!test/keep.ts\n/docs/*.md\n');
    expect(isIgnored(rules, 'node_modules/a/b.js')).toBe(true);
    expect(isIgnored(rules, 'src/node_modules/a.js')).toBe(false);
    expect(isIgnored(rules, 'npm-debug.log')).toBe(true);
    expect(isIgnored(rules, 'a/b/c.log')).toBe(true);
    expect(isIgnored(rules, 'test/a.test.ts')).toBe(true);
    expect(isIgnored(rules, 'test/keep.ts')).toBe(false);
    expect(isIgnored(rules, 'docs/deploy.md')).toBe(true);
    expect(isIgnored(rules, 'docs/sub/deploy.md')).toBe(false);
    expect(isIgnored(rules, 'src/main.ts')).toBe(false);
  });
});
