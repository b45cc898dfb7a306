import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from 'pino';

/**
 * Bolt's and its OAuth installer's log lines, through Facet's pino logger: with its level, its redaction
 * of secrets, as JSON. Bolt's own console logger ignored LOG_LEVEL and wrote a stack trace to stderr for
 * every cancelled install or forged OAuth state, which anyone can cause: those (the installer's
 * `slack_oauth_*` errors) are the visitor's doing and are logged as warnings.
 */
export function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'bolt' });
  let level = LogLevel.ERROR;
  const text = (parts: unknown[]) =>
    parts.map((part) => (part instanceof Error ? part.message : String(part))).join(' ');
  // Bolt logs several debug lines per request: nothing is formatted unless its level is on.
  return {
    debug: (...parts) => {
      if (child.isLevelEnabled('debug')) child.debug(text(parts));
    },
    info: (...parts) => {
      if (child.isLevelEnabled('info')) child.info(text(parts));
    },
    warn: (...parts) => child.warn(text(parts)),
    error: (...parts) => {
      const visitors = parts.some((part) => {
        const code: unknown = part instanceof Error ? (part as { code?: unknown }).code : undefined;
        return typeof code === 'string' && code.startsWith('slack_oauth_');
      });
      if (visitors) child.warn(text(parts));
      else child.error(text(parts));
    },
    setLevel: (next) => (level = next),
    getLevel: () => level,
    setName: () => undefined,
  };
}
