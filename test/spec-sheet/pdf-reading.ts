import { inflateSync } from 'node:zlib';
import { PDFArray, PDFDict, PDFName, PDFRawStream, type PDFDocument, type PDFPage } from 'pdf-lib';

/** The content streams of a page, inflated: pdf-lib writes them Flate-compressed. */
function contentStreams(document: PDFDocument, page: PDFPage): string[] {
  const contents = page.node.Contents();
  const streams =
    contents instanceof PDFArray ? contents.asArray().map((ref) => document.context.lookup(ref)) : [contents];
  return streams.flatMap((stream) => {
    if (!(stream instanceof PDFRawStream)) return [];
    const filter = stream.dict.get(PDFName.of('Filter'));
    const bytes = Buffer.from(stream.getContents());
    return [(filter === PDFName.of('FlateDecode') ? inflateSync(bytes) : bytes).toString('latin1')];
  });
}

/** Every string the page shows, in drawing order; pdf-lib writes them as hex strings before Tj. */
export function pageStrings(document: PDFDocument, page: PDFPage): string[] {
  return contentStreams(document, page).flatMap((content) =>
    Array.from(content.matchAll(/<([0-9A-Fa-f]*)>\s*Tj/g), (match) =>
      Buffer.from(match[1] ?? '', 'hex').toString('latin1'),
    ),
  );
}

/** The images the page can draw, from its resources. */
export function pageImages(
  document: PDFDocument,
  page: PDFPage,
): { width: number; height: number; filter: string }[] {
  const xObjects = page.node.Resources()?.lookupMaybe(PDFName.of('XObject'), PDFDict);
  if (xObjects === undefined) return [];
  return xObjects.values().flatMap((ref) => {
    const object = document.context.lookup(ref);
    if (!(object instanceof PDFRawStream)) return [];
    if (object.dict.get(PDFName.of('Subtype')) !== PDFName.of('Image')) return [];
    const number = (key: string) => Number(object.dict.get(PDFName.of(key))?.toString());
    return [
      {
        width: number('Width'),
        height: number('Height'),
        filter: String(object.dict.get(PDFName.of('Filter'))),
      },
    ];
  });
}
