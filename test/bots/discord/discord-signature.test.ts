import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkDiscordSignature, discordPublicKey } from '../../../src/bots/discord/discord-signature.ts';

const pair = generateKeyPairSync('ed25519');
/** The raw 32-byte key, as the Developer Portal shows it (hex). */
const portalKey = pair.publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
const key = discordPublicKey(portalKey);
const nowMs = 1_800_000_000_000;
const body = Buffer.from('{"type":1}');

function signed(timestamp: string, payload = body) {
  return sign(null, Buffer.concat([Buffer.from(timestamp), payload]), pair.privateKey).toString('hex');
}

describe('Discord request signatures', () => {
  it('accepts what the application key signed, over timestamp and body, within five minutes', () => {
    const timestamp = String(nowMs / 1000 - 299);
    expect(checkDiscordSignature(key, { signature: signed(timestamp), timestamp, body }, nowMs)).toBe(
      'valid',
    );
  });

  it('refuses another body, another timestamp, another key, junk and missing headers', () => {
    const timestamp = String(nowMs / 1000);
    const signature = signed(timestamp);
    const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' });
    const check = (request: Partial<{ signature: string; timestamp: string; body: Buffer }>, using = key) =>
      checkDiscordSignature(using, { signature, timestamp, body, ...request }, nowMs);
    expect(check({ body: Buffer.from('{"type":2}') })).toBe('forged');
    expect(check({ timestamp: String(nowMs / 1000 + 1) })).toBe('forged');
    expect(check({}, discordPublicKey(other.subarray(-32).toString('hex')))).toBe('forged');
    expect(check({ signature: 'zz' })).toBe('forged');
    expect(check({ signature: '0'.repeat(128) })).toBe('forged');
    expect(checkDiscordSignature(key, { signature: undefined, timestamp, body }, nowMs)).toBe('forged');
    expect(checkDiscordSignature(key, { signature, timestamp: undefined, body }, nowMs)).toBe('forged');
  });

  it('refuses a genuine signature whose timestamp is more than five minutes off, either way', () => {
    for (const offset of [-301, 301]) {
      const timestamp = String(nowMs / 1000 + offset);
      expect(checkDiscordSignature(key, { signature: signed(timestamp), timestamp, body }, nowMs)).toBe(
        'stale',
      );
    }
  });

  it('takes only a 64-hex-character key', () => {
    expect(() => discordPublicKey('abc')).toThrow(/64 hex/);
  });
});
