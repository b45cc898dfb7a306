/** What a model's answer says it consumed, in the provider's own tokens (billing is per token). */
export type TokenUsage = { tokensIn: number; tokensOut: number };
