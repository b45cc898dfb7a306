import { PDFDocument, rgb, StandardFonts, type PDFFont, type PDFImage, type RGB } from 'pdf-lib';
import type { ViewName } from '../workflow/views.ts';
import type { SheetElement } from './sheet-elements.ts';
import type { SpecSheet } from './spec-sheet.ts';
import { layoutSpecSheet } from './spec-sheet-layout.ts';
import { viewAsJpeg } from './view-images.ts';
import { pdfPixelsPerPoint } from './view-pixels.ts';

/** The spec sheet as a one-page PDF in the standard Helvetica fonts, views embedded as JPEG. */
export async function renderSpecSheetPdf(sheet: SpecSheet): Promise<Buffer> {
  const layout = layoutSpecSheet(sheet);
  const document = await PDFDocument.create();
  // Document metadata is UTF-16 in PDF, so the title keeps any script the page itself cannot draw.
  document.setTitle(`${sheet.title} - spec sheet`);
  document.setSubject(`Facet design ${sheet.designId}`);
  document.setCreator('Facet');
  document.setProducer('Facet');
  // Both dates from the sheet (pdf-lib stamps "now" otherwise): a sheet rendered twice is the same bytes,
  // so two first downloads at once may both render it without the stored copy changing.
  if (!Number.isNaN(sheet.date.getTime())) {
    document.setCreationDate(sheet.date);
    document.setModificationDate(sheet.date);
  }

  const page = document.addPage([layout.width, layout.height]);
  const fonts = {
    regular: await document.embedFont(StandardFonts.Helvetica),
    bold: await document.embedFont(StandardFonts.HelveticaBold),
  };
  const images = new Map<ViewName, PDFImage>();
  await Promise.all(
    layout.elements.map(async (element) => {
      if (element.kind !== 'view') return;
      const source = sheet.views[element.view];
      if (source === undefined) return;
      const jpeg = await viewAsJpeg(source, Math.round(element.size * pdfPixelsPerPoint));
      images.set(element.view, await document.embedJpg(jpeg));
    }),
  );

  const flip = (top: number, height = 0) => layout.height - top - height;
  for (const element of layout.elements) drawElement(element);
  return Buffer.from(await document.save());

  function drawElement(element: SheetElement): void {
    switch (element.kind) {
      case 'text':
        page.drawText(element.text, {
          x: element.x,
          y: flip(element.y),
          size: element.size,
          font: fontFor(element.weight),
          color: colourOf(element.colour),
        });
        return;
      case 'box':
        page.drawRectangle({
          x: element.x,
          y: flip(element.y, element.height),
          width: element.width,
          height: element.height,
          color: colourOf(element.fill),
          ...(element.stroke === undefined
            ? {}
            : { borderColor: colourOf(element.stroke), borderWidth: 0.5 }),
        });
        return;
      case 'view': {
        const image = images.get(element.view);
        if (image === undefined) return;
        page.drawImage(image, {
          x: element.x,
          y: flip(element.y, element.size),
          width: element.size,
          height: element.size,
        });
        return;
      }
    }
  }

  function fontFor(weight: 'regular' | 'bold'): PDFFont {
    return weight === 'bold' ? fonts.bold : fonts.regular;
  }
}

function colourOf(hex: string): RGB {
  const value = Number.parseInt(hex.slice(1), 16);
  return rgb(((value >> 16) & 255) / 255, ((value >> 8) & 255) / 255, (value & 255) / 255);
}
