import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { boltLogger } from '../../../src/bots/slack/slack-bolt-logger.ts';

function capture(level: pino.LevelWithSilent) {
  const lines: { level: number; msg: string; component?: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]);
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

describe("Bolt's log lines through pino", () => {
  it("logs a visitor's failed install as a warning, Bolt's own errors as errors, at pino's level", () => {
    const { logger, lines } = capture('warn');
    const bolt = boltLogger(logger);
    const cancelled = Object.assign(new Error('User cancelled the OAuth installation flow!'), {
      code: 'slack_oauth_installer_authorization_error',
    });
    bolt.error(cancelled);
    bolt.error('HTTPReceiver encountered an unexpected error');
    bolt.info('not shown at warn');
    expect(lines).toMatchObject([
      { level: 40, msg: 'User cancelled the OAuth installation flow!', component: 'bolt' },
      { level: 50, msg: 'HTTPReceiver encountered an unexpected error', component: 'bolt' },
    ]);
  });

  it('writes nothing when Facet is silent', () => {
    const { logger, lines } = capture('silent');
    boltLogger(logger).error(new Error('anything'));
    expect(lines).toEqual([]);
  });
});
