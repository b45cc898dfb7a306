import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateUrlSecret } from '../../src/storage/images/url-secret.ts';

describe('the image URL secret of a data folder', () => {
  it('is made once, whole, even when many starts race for it, and kept', async () => {
    for (let round = 0; round < 10; round++) {
      const dir = await mkdtemp(path.join(tmpdir(), 'facet-url-secret-'));
      try {
        // Processes of one deployment starting together (here: many calls at once).
        const secrets = await Promise.all(Array.from({ length: 20 }, () => loadOrCreateUrlSecret(dir)));
        for (const secret of secrets) {
          expect(secret.length).toBe(32);
          expect(secret.equals(secrets[0]!)).toBe(true);
        }
        expect((await loadOrCreateUrlSecret(dir)).equals(secrets[0]!)).toBe(true);
        expect(await readdir(dir)).toEqual(['image-url-secret']);
        expect((await stat(path.join(dir, 'image-url-secret'))).mode & 0o777).toBe(0o600);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  });

  it('waits for a secret another process has created but not yet written, and never returns it empty', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'facet-url-secret-'));
    try {
      const file = path.join(dir, 'image-url-secret');
      // What an older version leaves for an instant: the file created ('wx'), its key not yet written.
      await writeFile(file, '');
      const key = 'ab'.repeat(32);
      setTimeout(() => void writeFile(file, key), 120);
      expect((await loadOrCreateUrlSecret(dir)).toString('hex')).toBe(key);

      await writeFile(file, 'not a key');
      await expect(loadOrCreateUrlSecret(dir)).rejects.toThrow(/delete it to have a new one made/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
