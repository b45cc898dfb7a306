import { crc32 } from 'node:zlib';

const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A copy of a PNG with a tEXt chunk (Latin-1 keyword and text) right after its header chunk. */
export function withTextChunk(png: Buffer, keyword: string, text: string): Buffer {
  if (!png.subarray(0, 8).equals(signature)) throw new RangeError('not a PNG');
  const headerEnd = 8 + 12 + png.readUInt32BE(8);
  const type = Buffer.from('tEXt', 'latin1');
  const data = Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0]), Buffer.from(text, 'latin1')]);
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  type.copy(chunk, 4);
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(Buffer.concat([type, data])), 8 + data.length);
  return Buffer.concat([png.subarray(0, headerEnd), chunk, png.subarray(headerEnd)]);
}

/** The text of a PNG's first tEXt chunk with this keyword, before the image data; undefined when none. */
export function readTextChunk(png: Buffer, keyword: string): string | undefined {
  if (png.length < 8 || !png.subarray(0, 8).equals(signature)) return undefined;
  let offset = 8;
  while (offset + 12 <= png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const end = offset + 12 + length;
    if (end > png.length || type === 'IDAT' || type === 'IEND') return undefined;
    if (type === 'tEXt') {
      const data = png.subarray(offset + 8, offset + 8 + length);
      const separator = data.indexOf(0);
      if (separator >= 0 && data.toString('latin1', 0, separator) === keyword)
        return data.toString('latin1', separator + 1);
    }
    offset = end;
  }
  return undefined;
}
