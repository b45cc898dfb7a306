import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig, secretsOf } from '../src/config.ts';
import { createLogger } from '../src/log.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, destination };
}

describe('logger', () => {
  it('blanks configured secret values wherever they appear: messages, errors, URLs, nested text', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://facet:p%40ss-w0rd-long@db.internal:5432/facet',
      SLACK_BOT_TOKEN: 'xoxb-1111-2222-abcdefghijkl',
      SLACK_SIGNING_SECRET: 'signing-secret-0123456789',
      GEMINI_API_KEY: 'AIzaSy-log-test-key-000',
    });
    const secrets = secretsOf(config, { AWS_SECRET_ACCESS_KEY: 'aws/secret+key/EXAMPLE' });
    expect(secrets).toEqual([
      'xoxb-1111-2222-abcdefghijkl',
      'signing-secret-0123456789',
      'AIzaSy-log-test-key-000',
      'p@ss-w0rd-long',
      'aws/secret+key/EXAMPLE',
    ]);
    const { lines, destination } = capture();
    const logger = createLogger('info', { destination, secrets });
    logger.error({ err: new Error('API key not valid: AIzaSy-log-test-key-000') }, 'model failed');
    logger.warn({ detail: { url: 'https://x/?key=aws%2Fsecret%2Bkey%2FEXAMPLE' } }, 'signed url');
    logger.info('token "xoxb-1111-2222-abcdefghijkl" and password p@ss-w0rd-long');
    logger.info({ botToken: 'xoxb-other-token-not-configured' }, 'named fields are redacted by path');
    const written = lines.join('');
    for (const secret of [...secrets, encodeURIComponent('aws/secret+key/EXAMPLE'), 'xoxb-other-token'])
      expect(written).not.toContain(secret);
    expect(written.match(/\[redacted\]/g)?.length).toBe(6); // the message and the stack of the error, the URL, the two in the text, the named field
    // Ordinary words are left alone: short values are never treated as secrets.
    expect(written).toContain('API key not valid');
  });
});
