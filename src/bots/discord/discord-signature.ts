import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/** The DER header of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it. */
const ed25519SpkiPrefix = Buffer.from('302a300506032b6570032100', 'hex');

/** How far a request's timestamp may be from our clock (Discord's signatures stay replayable otherwise). */
export const maxSignatureSkewSeconds = 5 * 60;

/** The application's public key (64 hex characters, the Developer Portal's "Public Key") as a key. */
export function discordPublicKey(hex: string): KeyObject {
  if (!/^[0-9a-f]{64}$/i.test(hex)) throw new Error('a Discord public key is 64 hex characters');
  return createPublicKey({
    key: Buffer.concat([ed25519SpkiPrefix, Buffer.from(hex, 'hex')]),
    format: 'der',
    type: 'spki',
  });
}

export type SignatureCheck = 'valid' | 'forged' | 'stale';

/**
 * Whether Discord signed this request: Ed25519 over the timestamp header followed by the raw body, and a
 * timestamp within maxSignatureSkewSeconds of `nowMs`. Pure but for the clock it is given.
 */
export function checkDiscordSignature(
  key: KeyObject,
  request: { signature: string | undefined; timestamp: string | undefined; body: Buffer },
  nowMs: number,
): SignatureCheck {
  const { signature, timestamp } = request;
  if (signature === undefined || timestamp === undefined) return 'forged';
  if (!/^[0-9a-f]{128}$/i.test(signature) || !/^\d{1,12}$/.test(timestamp)) return 'forged';
  const signed = verify(
    null,
    Buffer.concat([Buffer.from(timestamp, 'utf8'), request.body]),
    key,
    Buffer.from(signature, 'hex'),
  );
  if (!signed) return 'forged';
  // Checked after the signature: a stale answer tells nothing to someone who cannot sign.
  return Math.abs(nowMs / 1000 - Number(timestamp)) > maxSignatureSkewSeconds ? 'stale' : 'valid';
}
