import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ImageRequest, ReferenceImage } from '../../workflow/ports/image-model.ts';
import { quickEditPresets, type PresetId } from '../../workflow/prompts.ts';
import type { ViewName } from '../../workflow/views.ts';
import { colourWords, hsl, hueOf, outlineFor, tint } from './offline-colours.ts';

/** The product families the offline renderer can draw; `box` (a phone, a speaker, a router...) is the fallback. */
export const offlineFamilies = [
  'headphones',
  'kettle',
  'bottle',
  'mug',
  'chair',
  'lamp',
  'shoe',
  'box',
] as const;
export type OfflineFamily = (typeof offlineFamilies)[number];

// Words that name a family; the one named first in a description wins ("a lamp for a desk chair": a lamp).
const familyWords: readonly [OfflineFamily, RegExp][] = [
  ['headphones', /\b(head ?phones?|head ?sets?|ear ?phones?|ear ?buds?|ear ?muffs?)\b/i],
  ['kettle', /\b(kettles?|tea ?pots?|jugs?|pitchers?|coffee ?pots?|percolators?)\b/i],
  ['bottle', /\b(bottles?|flasks?|thermos(es)?|tumblers?|vases?|carafes?|canisters?)\b/i],
  ['mug', /\b(mugs?|cups?|teacups?)\b/i],
  ['chair', /\b(chairs?|armchairs?|stools?|seats?|recliners?|rockers?|benches?)\b/i],
  [
    'lamp',
    /\b(lamps?|lanterns?|luminaires?|sconces?|torch(es)?|flashlights?|(desk|floor|night|reading|pendant|ceiling|table|bedside) ?lights?)\b/i,
  ],
  ['shoe', /\b(shoes?|sneakers?|trainers?|boots?|sandals?|loafers?|slippers?|footwear)\b/i],
  ['box', /\b(phones?|smartphones?|speakers?|boxe?s?|routers?|radios?|consoles?)\b/i],
];

/** Everything that makes one design's drawing; kept in its PNG so edits and the other views build on it. */
export const offlineDesignSchema = z.object({
  family: z.enum(offlineFamilies),
  /** One of three shapes of the family (proportions, shade, arms...). */
  variant: z.number().int().min(0).max(2),
  body: z.string().regex(/^#[0-9a-f]{6}$/),
  accent: z.string().regex(/^#[0-9a-f]{6}$/),
  /** 2: every detail; 1 and 0: fewer ("more minimal"). */
  detail: z.number().int().min(0).max(2),
  premium: z.boolean(),
  playful: z.boolean(),
  rugged: z.boolean(),
  /** Drawing scale: below 1 after "more compact". */
  scale: z.number().min(0.4).max(1.3),
  /** How many edits led here. */
  edits: z.number().int().min(0).max(100_000),
  /** The newest change, as a caption drawn on the image. */
  caption: z.string().max(200).optional(),
});
export type OfflineDesign = z.infer<typeof offlineDesignSchema>;

export type OfflinePalette = { body: string; accent: string; outline: string; background: string };

/** What one image shows, before it is drawn. */
export type OfflineDrawing = {
  view: ViewName;
  design: OfflineDesign;
  palette: OfflinePalette;
  description: string;
};

/**
 * Decides what to draw for a request. A first front view comes from the description alone; an edit, a
 * variation and the remaining views start from the design carried by their reference image (see
 * `readDesign`), so the five views share one palette and each edit builds on the one before.
 */
export function offlineDrawing(
  request: Pick<ImageRequest, 'view' | 'prompt' | 'productDescription' | 'designId'>,
  reference?: {
    design: OfflineDesign | undefined;
    role: ReferenceImage['role'];
    /** An input image's colours, most used first (`input_image` only). */
    palette?: readonly string[] | undefined;
  },
): OfflineDrawing {
  const fromDescription = designFromDescription(request.productDescription);
  let design = reference?.design ?? fromDescription;
  if (reference?.role === 'input_image') {
    // A sketch or photo gives the palette; the description still names the product family.
    const body = reference.palette?.[0] ?? design.body;
    const accent = reference.palette?.[1] ?? accentFor(body, byte(digest(request.designId), 5));
    design = { ...design, body, accent, caption: 'from your sketch' };
  } else if (reference?.role === 'previous_front') {
    design = applyEdit(design, requestedChange(request.prompt), request.productDescription);
  } else if (reference?.role === 'parent_front') {
    const turn = 1 + (byte(digest(request.designId), 0) % 2);
    design = {
      ...design,
      variant: (design.variant + turn) % 3,
      edits: 0,
      caption: 'variation',
    };
  } else if (reference?.role === 'approved_front') {
    const instruction = quotedAfter(request.prompt, 'Requested change to this view');
    if (instruction !== undefined) design = { ...design, caption: clipCaption(instruction) };
  }
  return { view: request.view, design, palette: paletteOf(design), description: request.productDescription };
}

export function paletteOf(design: OfflineDesign): OfflinePalette {
  const { hue, saturation } = hueOf(design.body);
  return {
    body: design.body,
    accent: design.accent,
    outline: outlineFor(design.body),
    background: saturation < 0.08 ? '#eeeff1' : hsl(hue, 22, 94),
  };
}

export function familyOf(description: string): OfflineFamily {
  let found: { family: OfflineFamily; index: number } | undefined;
  for (const [family, pattern] of familyWords) {
    const index = pattern.exec(description)?.index;
    if (index !== undefined && (found === undefined || index < found.index)) found = { family, index };
  }
  return found?.family ?? 'box';
}

export function designFromDescription(description: string): OfflineDesign {
  const seed = digest(description);
  const named = colourWords(description);
  const seededHue = ((byte(seed, 1) << 8) | byte(seed, 2)) % 360;
  const body = named.body ?? hsl(seededHue, 50 + (byte(seed, 3) % 15), 40 + (byte(seed, 4) % 16));
  return {
    family: familyOf(description),
    variant: byte(seed, 0) % 3,
    body,
    accent: named.accent ?? accentFor(body, byte(seed, 5)),
    detail: 2,
    premium: false,
    playful: false,
    rugged: false,
    scale: 1,
    edits: 0,
  };
}

/** A vivid accent that stands apart from the body: far round the colour wheel from a coloured body. */
function accentFor(body: string, seed: number): string {
  const { hue, saturation } = hueOf(body);
  const accentHue = saturation < 0.12 ? (seed * 360) / 256 : (hue + 140 + (seed % 80)) % 360;
  return hsl(accentHue, 78, 54);
}

export type RequestedChange = { preset: PresetId } | { feedback: string };

/** The change in an edit prompt (src/workflow/prompts.ts editedFrontPrompt): a preset's text or quoted feedback. */
export function requestedChange(prompt: string): RequestedChange {
  const preset = quickEditPresets.find((candidate) =>
    prompt.includes(`Requested change: ${candidate.instruction}`),
  );
  if (preset) return { preset: preset.id };
  const feedback = quotedAfter(prompt, 'Requested change, in the requester');
  // A prompt not built by prompts.ts: its words are the change.
  return { feedback: feedback ?? prompt };
}

/** The JSON string literal that follows `lead` and a colon on the same line. */
function quotedAfter(prompt: string, lead: string): string | undefined {
  for (const line of prompt.split('\n')) {
    if (!line.startsWith(lead)) continue;
    const literal = /: ("(?:[^"\\]|\\.)*")\s*$/.exec(line)?.[1];
    if (literal === undefined) return undefined;
    try {
      const value: unknown = JSON.parse(literal);
      return typeof value === 'string' ? value : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export function applyEdit(
  design: OfflineDesign,
  change: RequestedChange,
  description: string,
): OfflineDesign {
  const edits = design.edits + 1;
  const next: OfflineDesign = { ...design, edits };
  if ('preset' in change) {
    const label = quickEditPresets.find((preset) => preset.id === change.preset)?.label ?? change.preset;
    return { ...applyPreset(next, change.preset, description), caption: label.toLowerCase() };
  }
  const words = change.feedback.toLowerCase();
  let edited = next;
  let matched = false;
  for (const [preset, pattern] of feedbackWords) {
    if (pattern.test(words)) {
      edited = applyPreset(edited, preset, description);
      matched = true;
    }
  }
  if (/\b(bigger|larger|taller|wider|oversized?)\b/.test(words)) {
    edited = { ...edited, scale: Math.min(1.15, edited.scale + 0.12) };
    matched = true;
  }
  const named = colourWords(change.feedback);
  if (named.body !== undefined || named.accent !== undefined) {
    edited = {
      ...edited,
      body: named.body ?? edited.body,
      accent: named.accent ?? (named.body ? accentFor(named.body, edits * 37) : edited.accent),
    };
    matched = true;
  }
  // Words we cannot draw still change the shape, so every request shows on the picture.
  if (!matched) edited = { ...edited, variant: (edited.variant + 1 + (byte(digest(words), 0) % 2)) % 3 };
  return { ...edited, caption: clipCaption(change.feedback) };
}

const feedbackWords: readonly [PresetId, RegExp][] = [
  ['minimal', /\b(minimal\w*|simpl\w*|cleaner|plainer|fewer)\b/],
  ['premium', /\b(premium|luxur\w*|metal\w*|chrome|brushed|glossy|leather|glass|high[- ]end)\b/],
  ['playful', /\b(playful|fun|funny|friendl\w*|round\w*|cute|bold)\b/],
  ['rugged', /\b(rugged|tough\w*|durable|sturdy|outdoor|robust|heavy[- ]duty|reinforced)\b/],
  ['compact', /\b(compact|small\w*|tiny|mini|slim\w*|lighter|lightweight|thinner|portable)\b/],
];

function applyPreset(design: OfflineDesign, preset: PresetId, description: string): OfflineDesign {
  switch (preset) {
    case 'minimal':
      // Already bare: the accent goes too, so the click still shows.
      return design.detail > 0
        ? { ...design, detail: design.detail - 1 }
        : { ...design, accent: tint(design.body, 0.25) };
    case 'color': {
      const { hue, saturation } = hueOf(design.body);
      const turn = 100 + (byte(digest(`${description}:${design.edits}`), 0) % 120);
      const body = hsl((saturation < 0.08 ? turn * 2 : hue + turn) % 360, 58, 46);
      return { ...design, body, accent: accentFor(body, design.edits * 53) };
    }
    case 'premium':
      return design.premium
        ? { ...design, detail: Math.min(2, design.detail + 1) }
        : { ...design, premium: true };
    case 'playful':
      return { ...design, playful: true, accent: hsl(hueOf(design.accent).hue, 95, 55) };
    case 'rugged':
      return { ...design, rugged: true };
    case 'compact':
      return { ...design, scale: Math.max(0.5, Math.round(design.scale * 0.8 * 100) / 100) };
  }
}

function clipCaption(text: string): string {
  const clean = Array.from(text.replace(/[\s\p{Cc}]+/gu, ' ').trim());
  return clean.length <= 60 ? clean.join('') : `${clean.slice(0, 59).join('').trimEnd()}…`;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function byte(bytes: Buffer, index: number): number {
  return bytes[index] ?? 0;
}
