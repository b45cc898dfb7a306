import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const ivBytes = 12;
const tagBytes = 16;

/**
 * Seals interaction tokens for the database with AES-256-GCM under a key derived from the bot token
 * (HKDF-SHA256), so a database dump alone cannot edit anyone's cards. A new bot token makes the sealed
 * ones unreadable: those cards wait for their next click, as after any expiry.
 */
export class DiscordTokenSeal {
  private readonly key: Buffer;

  constructor(botToken: string) {
    this.key = Buffer.from(hkdfSync('sha256', botToken, 'facet', 'discord card tokens v1', 32));
  }

  seal(token: string): string {
    const iv = randomBytes(ivBytes);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const sealed = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
  }

  /** The token, or undefined when it was sealed under another key or altered. */
  open(sealed: string): string | undefined {
    const bytes = Buffer.from(sealed, 'base64url');
    if (bytes.length <= ivBytes + tagBytes) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, ivBytes));
      decipher.setAuthTag(bytes.subarray(ivBytes, ivBytes + tagBytes));
      return Buffer.concat([decipher.update(bytes.subarray(ivBytes + tagBytes)), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      return undefined;
    }
  }
}
