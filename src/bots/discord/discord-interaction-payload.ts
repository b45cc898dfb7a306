import { z } from 'zod';
import { discordOwnersSchema } from './discord-install.ts';

/**
 * An interaction as Discord POSTs it to the interactions endpoint, reduced to what Facet reads. Parsed
 * once at the edge (after the signature check); unknown fields are kept out, unknown types refused.
 */
const snowflake = z.string().regex(/^\d{1,25}$/);

const userSchema = z.object({ id: snowflake, bot: z.boolean().optional(), username: z.string().optional() });

export type PayloadCommandOption = {
  name: string;
  type: number;
  value?: string | number | boolean | undefined;
  options?: PayloadCommandOption[] | undefined;
  /** Autocomplete: the option being typed. */
  focused?: boolean | undefined;
};

const optionSchema: z.ZodType<PayloadCommandOption> = z.lazy(() =>
  z.object({
    name: z.string(),
    type: z.number().int(),
    value: z.union([z.string(), z.number(), z.boolean()]).optional(),
    options: z.array(optionSchema).optional(),
    focused: z.boolean().optional(),
  }),
);

const commandDataSchema = z.object({
  name: z.string(),
  options: z.array(optionSchema).optional(),
  resolved: z
    .object({
      users: z.record(z.string(), userSchema).optional(),
      roles: z.record(z.string(), z.object({ id: snowflake })).optional(),
      attachments: z
        .record(
          z.string(),
          z.object({ id: snowflake, url: z.string(), size: z.number().int().nonnegative() }),
        )
        .optional(),
    })
    .optional(),
});

const componentDataSchema = z.object({ custom_id: z.string().max(100), component_type: z.number().int() });

/** A text input as submitted: inside an action row (1) or a label (18). */
const textInputSchema = z.object({
  type: z.number().int(),
  custom_id: z.string(),
  value: z.string().optional(),
});
const modalDataSchema = z.object({
  custom_id: z.string().max(100),
  components: z.array(
    z.object({
      type: z.number().int(),
      components: z.array(textInputSchema).optional(),
      component: textInputSchema.optional(),
    }),
  ),
});

const base = {
  id: snowflake,
  application_id: snowflake,
  token: z.string().min(1).max(500),
  guild_id: snowflake.optional(),
  channel_id: snowflake.optional(),
  channel: z.object({ id: snowflake, type: z.number().int() }).optional(),
  member: z
    .object({ user: userSchema, roles: z.array(snowflake), permissions: z.string().regex(/^\d+$/) })
    .optional(),
  user: userSchema.optional(),
  app_permissions: z.string().regex(/^\d+$/).optional(),
  /** InteractionContextType: 0 a server, 1 the bot's DM, 2 any other DM (absent on older payloads). */
  context: z.number().int().optional(),
  authorizing_integration_owners: discordOwnersSchema.optional(),
  /** The message a button (or the form it opened) was on. */
  message: z.object({ id: snowflake }).optional(),
};

export const interactionPayloadSchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal(1), id: snowflake, application_id: snowflake }),
    z.object({ ...base, type: z.literal(2), data: commandDataSchema }),
    z.object({ ...base, type: z.literal(3), data: componentDataSchema }),
    z.object({ ...base, type: z.literal(4), data: commandDataSchema }),
    z.object({ ...base, type: z.literal(5), data: modalDataSchema }),
  ])
  .refine((payload) => payload.type === 1 || payload.member !== undefined || payload.user !== undefined, {
    message: 'an interaction names who sent it (member or user)',
  });

export type InteractionPayload = z.infer<typeof interactionPayloadSchema>;
/** Every interaction but PING: someone did something. */
export type ActingPayload = Exclude<InteractionPayload, { type: 1 }>;
export type CommandPayload = Extract<InteractionPayload, { type: 2 }>;
export type ModalPayload = Extract<InteractionPayload, { type: 5 }>;

/** The text inputs of a submitted form, by their custom id. */
export function submittedValues(payload: ModalPayload): Map<string, string> {
  const values = new Map<string, string>();
  for (const row of payload.data.components)
    for (const input of [...(row.components ?? []), ...(row.component ? [row.component] : [])])
      if (input.value !== undefined) values.set(input.custom_id, input.value);
  return values;
}

/** The person acting: the member in a server, the user elsewhere. */
export function payloadUserId(payload: ActingPayload): string {
  // The schema refuses a payload with neither.
  return payload.member?.user.id ?? payload.user?.id ?? '';
}
