import { PlaygroundApi } from '../bots/playground/playground-api.ts';
import { PlaygroundHub } from '../bots/playground/playground-hub.ts';
import { playgroundRoute } from '../bots/playground/playground-routes.ts';
import { composeChatCore } from './chat-core.ts';
import type { PlatformComposition, PlatformDeps } from './platform-composition.ts';

/** The local playground: a page at / that drives the workflow like a chat platform. */
export function composePlayground(deps: PlatformDeps, publicUrl: string | undefined): PlatformComposition {
  const hub = new PlaygroundHub({ images: deps.images, pageLink: deps.designPageLink });
  const logger = deps.logger.child({ platform: 'playground' });
  return {
    platform: 'playground',
    notifier: hub,
    receives: 'web',
    description: 'the page at /',
    attach(service, ledger) {
      // The page shows every change of this process by itself.
      const core = composeChatCore(deps, { service, ledger }, (design) => hub.notify(design));
      const route = playgroundRoute({
        api: new PlaygroundApi({ core, hub, logger }),
        hub,
        logger,
        publicUrl,
      });
      return Promise.resolve({
        route,
        stop: () => {
          hub.close();
          return Promise.resolve();
        },
      });
    },
    // The page is told of each change as it happens: nothing waits to be sent.
    flush: () => Promise.resolve(),
  };
}
