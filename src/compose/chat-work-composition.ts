import type { Logger } from 'pino';
import type { ChatWorkHandler, ChatWorkQueue } from '../bots/chat/work/chat-work.ts';
import { InProcessChatWorkQueue } from '../bots/chat/work/in-process-chat-work-queue.ts';
import type { Config } from '../config.ts';
import type { CreditLedger } from '../credits/ledger.ts';
import type { Platform } from '../platform.ts';
import type { DesignService } from '../workflow/design-service.ts';
import type { PlatformComposition } from './platform-composition.ts';

/**
 * Where requests answered before their work wait for it: in Redis when there is one (any job worker
 * process works on them; a web process only receives), else in this process.
 */
export async function composeChatWork(config: Readonly<Config>, logger: Logger): Promise<ChatWorkQueue> {
  if (!config.redis) return new InProcessChatWorkQueue(logger);
  const { BullMQChatWorkQueue } = await import('../bots/chat/work/bullmq-chat-work-queue.ts');
  return new BullMQChatWorkQueue({ redisUrl: config.redis.url, logger });
}

/**
 * The worker role's side: each piece of chat work goes to the platform it came from; undefined when no
 * platform here hands work over (nothing to listen for).
 */
export function chatWorkHandler(
  platforms: readonly PlatformComposition[],
  service: DesignService,
  ledger: CreditLedger,
  logger: Logger,
): ChatWorkHandler | undefined {
  const handlers = new Map<Platform, ChatWorkHandler>();
  for (const platform of platforms) {
    const handler = platform.work?.(service, ledger);
    if (handler) handlers.set(platform.platform, handler);
  }
  if (handlers.size === 0) return undefined;
  return async (work) => {
    const handler = handlers.get(work.platform);
    if (handler) return handler(work);
    // A process configured differently from the one that received it (a rolling deploy): it fails, loudly.
    logger.error({ platform: work.platform }, 'chat work for a platform this process does not run');
    throw new Error(`no ${work.platform} here to work on its requests`);
  };
}
