import sharp from '../../sharp.ts';
import { PermanentError } from '../../workflow/errors/permanent-error.ts';
import { TransientError } from '../../workflow/errors/transient-error.ts';
import type {
  ExtractedFeatures,
  FeatureExtractor,
  FeatureRequest,
} from '../../workflow/ports/feature-extractor.ts';
import { productFeaturesSchema } from '../../workflow/product-features.ts';
import type { ProductFeatures } from '../../workflow/product-features.ts';
import { clip } from '../../text.ts';

type Rgb = readonly [number, number, number];
type Dimensions = ProductFeatures['dimensions'];
type Color = ProductFeatures['colors'][number];

const SAMPLE_SIZE = 64;
/** 8 levels per channel: coarse enough to merge shading, fine enough to keep red apart from orange. */
const BUCKET_SHIFT = 5;
const MAX_COLORS = 5;
/** A colour must cover this share of the product's pixels to count; drops anti-aliasing and noise. */
const MIN_SHARE = 0.03;

const NAMED_COLORS: readonly { name: string; rgb: Rgb }[] = [
  { name: 'black', rgb: [0, 0, 0] },
  { name: 'dark grey', rgb: [72, 72, 72] },
  { name: 'grey', rgb: [128, 128, 128] },
  { name: 'silver', rgb: [192, 192, 192] },
  { name: 'white', rgb: [255, 255, 255] },
  { name: 'red', rgb: [220, 20, 30] },
  { name: 'dark red', rgb: [128, 16, 24] },
  { name: 'orange', rgb: [245, 130, 30] },
  { name: 'yellow', rgb: [245, 215, 30] },
  { name: 'green', rgb: [40, 160, 60] },
  { name: 'dark green', rgb: [20, 80, 40] },
  { name: 'teal', rgb: [0, 128, 128] },
  { name: 'light blue', rgb: [120, 180, 235] },
  { name: 'blue', rgb: [20, 70, 220] },
  { name: 'navy', rgb: [20, 30, 100] },
  { name: 'purple', rgb: [128, 40, 160] },
  { name: 'pink', rgb: [240, 130, 180] },
  { name: 'brown', rgb: [120, 70, 40] },
  { name: 'beige', rgb: [225, 205, 165] },
];

/** Typical sizes (width, height, depth in cm) for products people often ask for. */
const PRODUCT_SIZES: readonly {
  words: readonly string[];
  label: string;
  size: readonly [number, number, number];
}[] = [
  { words: ['headphone', 'headphones', 'headset'], label: 'headphones', size: [18, 20, 8] },
  { words: ['earbud', 'earbuds'], label: 'earbuds case', size: [6, 5, 3] },
  { words: ['chair', 'armchair'], label: 'chair', size: [50, 90, 55] },
  { words: ['stool'], label: 'stool', size: [40, 65, 40] },
  { words: ['sofa', 'couch'], label: 'sofa', size: [200, 85, 90] },
  { words: ['table', 'desk'], label: 'table', size: [120, 75, 60] },
  { words: ['lamp'], label: 'lamp', size: [25, 45, 25] },
  { words: ['bottle', 'flask'], label: 'bottle', size: [7, 25, 7] },
  { words: ['mug', 'cup'], label: 'mug', size: [12, 10, 9] },
  { words: ['phone', 'smartphone'], label: 'phone', size: [7.5, 15, 0.8] },
  { words: ['tablet'], label: 'tablet', size: [18, 25, 0.7] },
  { words: ['laptop'], label: 'laptop', size: [31, 2, 22] },
  { words: ['watch', 'smartwatch'], label: 'watch', size: [4, 4.5, 1.2] },
  { words: ['sneaker', 'sneakers', 'shoe', 'shoes', 'boot', 'boots'], label: 'shoe', size: [11, 12, 30] },
  { words: ['backpack'], label: 'backpack', size: [30, 45, 15] },
  { words: ['bag', 'handbag', 'tote'], label: 'bag', size: [30, 25, 12] },
  { words: ['speaker'], label: 'speaker', size: [10, 18, 10] },
  { words: ['keyboard'], label: 'keyboard', size: [44, 4, 13] },
  { words: ['mouse'], label: 'mouse', size: [6.5, 4, 12] },
  { words: ['camera'], label: 'camera', size: [13, 9, 8] },
  { words: ['sunglasses', 'glasses'], label: 'glasses', size: [14, 5, 15] },
  { words: ['vase'], label: 'vase', size: [15, 30, 15] },
];
const GENERIC_SIZE = [20, 20, 10] as const;

const MATERIALS: readonly { words: readonly string[]; material: string }[] = [
  { words: ['matte', 'matt'], material: 'matte finish' },
  { words: ['glossy', 'gloss'], material: 'glossy finish' },
  { words: ['aluminium', 'aluminum'], material: 'aluminium' },
  { words: ['steel', 'stainless'], material: 'steel' },
  { words: ['titanium'], material: 'titanium' },
  { words: ['brass'], material: 'brass' },
  { words: ['copper'], material: 'copper' },
  { words: ['chrome'], material: 'chrome' },
  { words: ['metal', 'metallic'], material: 'metal' },
  { words: ['leather'], material: 'leather' },
  { words: ['suede'], material: 'suede' },
  { words: ['wood', 'wooden', 'oak', 'walnut', 'bamboo'], material: 'wood' },
  { words: ['plastic'], material: 'plastic' },
  { words: ['glass'], material: 'glass' },
  { words: ['ceramic', 'porcelain'], material: 'ceramic' },
  { words: ['fabric', 'textile', 'cloth', 'knit', 'mesh'], material: 'fabric' },
  { words: ['cotton'], material: 'cotton' },
  { words: ['wool'], material: 'wool' },
  { words: ['linen'], material: 'linen' },
  { words: ['canvas'], material: 'canvas' },
  { words: ['velvet'], material: 'velvet' },
  { words: ['nylon'], material: 'nylon' },
  { words: ['denim'], material: 'denim' },
  { words: ['rubber'], material: 'rubber' },
  { words: ['silicone'], material: 'silicone' },
  { words: ['marble'], material: 'marble' },
  { words: ['stone'], material: 'stone' },
  { words: ['concrete'], material: 'concrete' },
  { words: ['carbon'], material: 'carbon fibre' },
  { words: ['foam'], material: 'foam' },
];

const STOPWORDS = new Set(
  (
    'a an the and or but of for with without in on at to from by as is are be it its this that these those ' +
    'my our your their i we you me us them some any very really more most less few many much so such ' +
    'make made design designed create render show like looks look style styled new modern sleek simple ' +
    'please want need would could should can will just also into onto over under about front view product ' +
    'cm mm in inch inches x'
  ).split(' '),
);
const NON_ELEMENT_WORDS = new Set([
  ...STOPWORDS,
  ...NAMED_COLORS.flatMap((c) => c.name.split(' ')),
  ...MATERIALS.flatMap((m) => m.words),
  'gray',
  'light',
  'dark',
]);
const MAX_KEY_ELEMENTS = 8;

/** Estimates features without a model: palette from pixel statistics, the rest from the description's words. */
export class OfflineFeatureExtractor implements FeatureExtractor {
  readonly name = 'offline';
  readonly model = offlineExtractorModel;

  async extract(request: FeatureRequest): Promise<ExtractedFeatures> {
    if (request.signal?.aborted) throw new TransientError('offline feature extraction was aborted');
    const words = tokenize(request.productDescription);
    const product = detectProduct(words);
    const colors = await readPalette(request.png);
    const dimensions = explicitDimensions(request.productDescription) ?? {
      width: (product?.size ?? GENERIC_SIZE)[0],
      height: (product?.size ?? GENERIC_SIZE)[1],
      depth: (product?.size ?? GENERIC_SIZE)[2],
      unit: 'cm' as const,
    };
    const foundMaterials = detectMaterials(words);
    const materials = foundMaterials.length > 0 ? foundMaterials : ['unspecified'];
    const keyElements = detectKeyElements(words, product?.label);
    const features: ProductFeatures = {
      colors,
      dimensions,
      materials,
      keyElements,
      description: describe(product?.label, colors, foundMaterials, dimensions, request.productDescription),
    };
    // The tables above are ours, but the description is not; parse so a surprise fails here, not downstream.
    return { features: productFeaturesSchema.parse(features), model: this.model };
  }
}

export const offlineExtractorModel = 'offline-palette';

/** The product's colours in an image, most used first, its backdrop left out (also a sketch's palette). */
export async function readPalette(png: Buffer): Promise<Color[]> {
  let pixels: Buffer;
  try {
    pixels = await sharp(png)
      .flatten({ background: '#ffffff' })
      .removeAlpha()
      .toColourspace('srgb')
      // Nearest keeps real pixel colours; smoothing would invent blends (purple between red and blue).
      .resize(SAMPLE_SIZE, SAMPLE_SIZE, { fit: 'fill', kernel: 'nearest' })
      .raw()
      .toBuffer();
  } catch (error) {
    throw new PermanentError('invalid_input', 'The image could not be read.', {
      cause: error,
      detail: 'sharp could not decode the front view',
    });
  }

  const buckets = new Map<number, { count: number; sum: [number, number, number] }>();
  const keys: number[] = [];
  for (let i = 0; i + 2 < pixels.length; i += 3) {
    const r = pixels[i] ?? 0;
    const g = pixels[i + 1] ?? 0;
    const b = pixels[i + 2] ?? 0;
    const key = ((r >> BUCKET_SHIFT) << 6) | ((g >> BUCKET_SHIFT) << 3) | (b >> BUCKET_SHIFT);
    keys.push(key);
    const bucket = buckets.get(key) ?? { count: 0, sum: [0, 0, 0] };
    bucket.count += 1;
    bucket.sum[0] += r;
    bucket.sum[1] += g;
    bucket.sum[2] += b;
    buckets.set(key, bucket);
  }

  const background = findBackground(keys, buckets);
  const ranked = [...buckets.entries()]
    .map(([key, { count, sum }]) => ({
      key,
      count,
      rgb: [sum[0] / count, sum[1] / count, sum[2] / count] as const,
    }))
    .sort((a, b) => b.count - a.count || a.key - b.key);
  const productPixels = ranked.filter((bucket) => bucket.key !== background);
  // A white product on a white backdrop: the "background" is all there is, so report it.
  const source = productPixels.length > 0 ? productPixels : ranked;
  const total = source.reduce((sum, bucket) => sum + bucket.count, 0);

  // Shading splits one colour over several buckets; merge by name and keep the largest bucket's colour.
  const byName = new Map<string, { count: number; rgb: Rgb }>();
  for (const bucket of source) {
    const name = nearestName(bucket.rgb);
    const group = byName.get(name);
    if (group) group.count += bucket.count;
    else byName.set(name, { count: bucket.count, rgb: bucket.rgb });
  }
  const groups = [...byName.entries()].sort((a, b) => b[1].count - a[1].count || a[0].localeCompare(b[0]));
  const kept = groups.filter(([, group], index) => index === 0 || group.count / total >= MIN_SHARE);
  return kept.slice(0, MAX_COLORS).map(([name, group], index) => ({
    hex: toHex(group.rgb),
    name,
    usage: `${index === 0 ? 'dominant' : index === 1 ? 'secondary' : 'accent'} (about ${Math.round((group.count / total) * 100)}% of the product)`,
  }));
}

/** The backdrop is the light, nearly neutral colour covering most of the border; saturated borders are product. */
function findBackground(
  keys: readonly number[],
  buckets: ReadonlyMap<number, { count: number; sum: readonly number[] }>,
): number | undefined {
  const borderCounts = new Map<number, number>();
  let borderTotal = 0;
  for (let y = 0; y < SAMPLE_SIZE; y += 1) {
    for (let x = 0; x < SAMPLE_SIZE; x += 1) {
      if (x !== 0 && y !== 0 && x !== SAMPLE_SIZE - 1 && y !== SAMPLE_SIZE - 1) continue;
      const key = keys[y * SAMPLE_SIZE + x];
      if (key === undefined) continue;
      borderCounts.set(key, (borderCounts.get(key) ?? 0) + 1);
      borderTotal += 1;
    }
  }
  const top = [...borderCounts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0];
  if (!top || top[1] < borderTotal / 2) return undefined;
  const bucket = buckets.get(top[0]);
  if (!bucket) return undefined;
  const rgb = bucket.sum.map((channel) => channel / bucket.count);
  const isLightNeutral = Math.min(...rgb) >= 200 && Math.max(...rgb) - Math.min(...rgb) <= 24;
  return isLightNeutral ? top[0] : undefined;
}

/** "Redmean" distance: cheap, and closer to how people group colours than plain RGB distance. */
function nearestName(rgb: Rgb): string {
  let best = NAMED_COLORS[0]?.name ?? 'grey';
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const named of NAMED_COLORS) {
    const meanRed = (rgb[0] + named.rgb[0]) / 2;
    const dr = rgb[0] - named.rgb[0];
    const dg = rgb[1] - named.rgb[1];
    const db = rgb[2] - named.rgb[2];
    const distance = (2 + meanRed / 256) * dr * dr + 4 * dg * dg + (2 + (255 - meanRed) / 256) * db * db;
    if (distance < bestDistance) {
      bestDistance = distance;
      best = named.name;
    }
  }
  return best;
}

function toHex(rgb: Rgb): string {
  return `#${rgb.map((channel) => Math.round(channel).toString(16).padStart(2, '0')).join('')}`;
}

function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[a-z][a-z-]*[a-z]|[a-z]/g) ?? [];
}

function detectProduct(words: readonly string[]): (typeof PRODUCT_SIZES)[number] | undefined {
  // The first product word wins: "a lamp shaped like a bottle" is a lamp.
  for (const word of words) {
    const match = PRODUCT_SIZES.find((product) => product.words.includes(word));
    if (match) return match;
  }
  return undefined;
}

/** Honours sizes the person spelled out, e.g. "20 x 30 x 10 cm". */
function explicitDimensions(text: string): Dimensions | undefined {
  const match =
    /(\d+(?:\.\d+)?)\s*[x×]\s*(\d+(?:\.\d+)?)\s*[x×]\s*(\d+(?:\.\d+)?)\s*(mm|cm|in\b|inch(?:es)?|")/i.exec(
      text,
    );
  if (!match) return undefined;
  const [width, height, depth] = [match[1], match[2], match[3]].map(Number);
  const rawUnit = (match[4] ?? '').toLowerCase();
  const unit = rawUnit === 'mm' || rawUnit === 'cm' ? rawUnit : 'in';
  // Zero or absurdly long numbers are typos, not sizes; the schema wants finite positive numbers.
  if (!width || !height || !depth || ![width, height, depth].every(Number.isFinite)) return undefined;
  return { width, height, depth, unit };
}

function detectMaterials(words: readonly string[]): string[] {
  const found: string[] = [];
  for (const word of words) {
    const material = MATERIALS.find((entry) => entry.words.includes(word))?.material;
    if (material && !found.includes(material)) found.push(material);
  }
  return found.slice(0, 10);
}

function detectKeyElements(words: readonly string[], productLabel: string | undefined): string[] {
  const elements: string[] = productLabel ? [productLabel] : [];
  const productWords = new Set(PRODUCT_SIZES.flatMap((product) => product.words));
  for (const word of words) {
    if (word.length < 3 || NON_ELEMENT_WORDS.has(word) || productWords.has(word)) continue;
    const element = clip(word, 120);
    if (!elements.includes(element)) elements.push(element);
    if (elements.length >= MAX_KEY_ELEMENTS) break;
  }
  return elements;
}

function describe(
  productLabel: string | undefined,
  colors: readonly Color[],
  materials: readonly string[],
  dimensions: Dimensions,
  brief: string,
): string {
  const subject = productLabel ?? 'product';
  const [main, ...others] = colors.map((color) => color.name);
  const palette =
    others.length > 0 ? `mostly ${main ?? 'grey'} with ${others.join(', ')} accents` : (main ?? 'grey');
  const made = materials.length > 0 ? `, in ${materials.join(', ')}` : '';
  const size = `about ${dimensions.width} x ${dimensions.height} x ${dimensions.depth} ${dimensions.unit} (width x height x depth)`;
  const cleanBrief = clip(brief.replace(/\s+/g, ' ').trim(), 400);
  const briefPart = cleanBrief ? ` Brief: "${cleanBrief}".` : '';
  return `${subject.charAt(0).toUpperCase()}${subject.slice(1)}: ${palette}${made}, ${size}.${briefPart}`;
}
