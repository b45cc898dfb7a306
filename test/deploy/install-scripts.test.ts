import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/*
 * npm 11 warns at every install about dependencies whose install scripts package.json's `allowScripts`
 * has not decided on (and npm 12 skips them). Every such dependency in the lockfile has a decision, and
 * no decision names a package that no longer has one, so a fresh `npm ci` is quiet and deliberate.
 */

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string): unknown => JSON.parse(readFileSync(path.join(root, file), 'utf8'));

type Lockfile = { packages: Record<string, { version?: string; hasInstallScript?: boolean }> };
type PackageJson = { allowScripts?: Record<string, boolean>; scripts?: Record<string, string> };

const lockfile = read('package-lock.json') as Lockfile;
const manifest = read('package.json') as PackageJson;

/** `name` or `name@version` (a scoped name starts with @) -> name. */
const nameOf = (key: string) => key.replace(/(?<=.)@[^@/]*$/, '');

const withInstallScripts = [
  ...new Set(
    Object.entries(lockfile.packages)
      .filter(([location, entry]) => location !== '' && entry.hasInstallScript === true)
      .map(([location]) => location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length)),
  ),
].sort();

describe('install scripts', () => {
  it('package.json decides on exactly the dependencies that have install scripts', () => {
    const decided = Object.keys(manifest.allowScripts ?? {})
      .map(nameOf)
      .sort();
    expect(withInstallScripts.length).toBeGreaterThan(0);
    expect(decided).toEqual(withInstallScripts);
  });

  it('approves only what the project needs: esbuild (bin/facet.js bundles src/ with it)', () => {
    const approved = Object.entries(manifest.allowScripts ?? {})
      .filter(([, allowed]) => allowed)
      .map(([key]) => nameOf(key));
    expect(approved).toEqual(['esbuild']);
  });

  it("keeps the project's own postinstall, which prepares the embedded database", () => {
    expect(manifest.scripts?.postinstall).toContain("'bin/facet.js', 'prepare'");
  });
});
