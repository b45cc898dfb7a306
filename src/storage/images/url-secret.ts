import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The key that signs local image URLs, made once per data folder and kept there, so links handed to
 * chat platforms stay valid across restarts.
 */
export async function loadOrCreateUrlSecret(dataDir: string): Promise<Buffer> {
  const file = path.join(dataDir, 'image-url-secret');
  const existing = await readSecret(file);
  if (existing) return existing;
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(secretBytes);
  // Written whole under a name of its own, then linked into place: link() fails if the file exists, so two
  // processes starting at once cannot overwrite each other's secret, and neither ever reads a file that
  // the other has created but not yet written (an empty secret).
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(draft, secret.toString('hex'), { mode: 0o600 });
  try {
    await link(draft, file);
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const theirs = await readSecret(file);
    if (!theirs) throw new Error(`${file} vanished while being read`, { cause: error });
    return theirs;
  } finally {
    await unlink(draft).catch(() => undefined);
  }
}

const secretBytes = 32;

/**
 * The secret in `file`, or undefined when there is none. A file that is there but not a whole key was
 * being written by an older version at this moment (it created, then wrote): read again shortly.
 */
async function readSecret(file: string): Promise<Buffer | undefined> {
  for (let attempt = 1; ; attempt++) {
    let text: string;
    try {
      text = (await readFile(file, 'utf8')).trim();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const secret = Buffer.from(text, 'hex');
    if (secret.length === secretBytes && text.length === 2 * secretBytes) return secret;
    if (attempt >= 10)
      throw new Error(
        `${file} does not hold a ${secretBytes}-byte hex key; delete it to have a new one made`,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
