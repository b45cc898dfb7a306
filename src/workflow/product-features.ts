import { z } from 'zod';

/** What the feature extractor reads off a front view; every provider's answer is parsed with this. */
export const productFeaturesSchema = z.object({
  colors: z
    .array(
      z.object({
        hex: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour is #rrggbb'),
        name: z.string().min(1).max(60),
        usage: z.string().min(1).max(120),
      }),
    )
    .min(1)
    .max(8),
  dimensions: z.object({
    width: z.number().positive(),
    height: z.number().positive(),
    depth: z.number().positive(),
    unit: z.enum(['mm', 'cm', 'in']),
  }),
  materials: z.array(z.string().min(1).max(80)).max(10),
  keyElements: z.array(z.string().min(1).max(120)).max(12),
  description: z.string().min(1).max(1000),
});

export type ProductFeatures = z.infer<typeof productFeaturesSchema>;
