import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** A ustar archive of `directory`, as PGlite's loadDataDir reads it. */
export async function clusterTarball(directory: string): Promise<Blob> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  const parts: Uint8Array[] = [];
  for (const entry of entries) {
    const name = path.relative(directory, path.join(entry.parentPath, entry.name)).split(path.sep).join('/');
    if (entry.isDirectory()) {
      parts.push(tarHeader(`${name}/`, 0, 0o700, '5'));
    } else if (entry.isFile()) {
      const data = await readFile(path.join(directory, name));
      parts.push(tarHeader(name, data.length, 0o600, '0'), data, new Uint8Array(-data.length & 511));
    }
  }
  parts.push(new Uint8Array(1024));
  return new Blob(parts, { type: 'application/x-tar' });
}

function tarHeader(name: string, size: number, mode: number, type: '0' | '5'): Uint8Array {
  if (Buffer.byteLength(name) > 100) throw new Error(`path too long for a tar header: ${name}`);
  const header = Buffer.alloc(512);
  header.write(name, 0, 100);
  header.write(`${mode.toString(8).padStart(7, '0')}\0`, 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  header.write(
    `${Math.floor(Date.now() / 1000)
      .toString(8)
      .padStart(11, '0')}\0`,
    136,
  );
  header.write(' '.repeat(8), 148);
  header.write(type, 156);
  header.write('ustar\u000000', 257);
  let checksum = 0;
  for (const byte of header) checksum += byte;
  header.write(`${checksum.toString(8).padStart(6, '0')}\0 `, 148);
  return header;
}
