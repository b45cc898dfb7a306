import type { Logger } from 'pino';
import type { DesignPageLinker } from '../bots/card/design-card.ts';
import type { Config } from '../config.ts';
import { designPageRoute } from '../http/design-page/design-page-route.ts';
import type { HttpRoute } from '../http/health-server.ts';
import type { Platform } from '../platform.ts';
import type { FacetDatabase } from '../storage/database.ts';
import { loadOrCreateUrlSecret } from '../storage/images/url-secret.ts';
import { DesignLinks, designPageLinker } from '../workflow/design-links.ts';
import { loadSnapshot } from '../workflow/design-snapshot.ts';
import type { ImageStore } from '../workflow/ports/image-store.ts';

export type DesignPages = {
  /** The page's route, for the web role. */
  route: HttpRoute;
  /** The card link a platform shows, or none where its readers could not open it. */
  linkFor(platform: Platform): DesignPageLinker | undefined;
  /** The links as Slack and Discord readers reach them (a public https PUBLIC_URL), to read shared ones. */
  publicLinks: { baseUrl: string; links: DesignLinks } | undefined;
};

/**
 * The design pages. Their links are signed with a key derived from the data folder's URL secret (the one
 * local image links use): every web process of a deployment must share that file. Slack and Discord
 * readers reach the page only at a public https PUBLIC_URL; the playground's reader is on this machine.
 */
export async function composeDesignPages(
  config: Readonly<Config>,
  db: FacetDatabase,
  images: ImageStore,
  logger: Logger,
  serverUrl: string,
): Promise<DesignPages> {
  const links = new DesignLinks(db, await loadOrCreateUrlSecret(config.dataDir));
  const publicUrl = config.publicUrl?.startsWith('https://') ? config.publicUrl : undefined;
  return {
    route: designPageRoute({ links, images, loadDesign: (id) => loadSnapshot(db, id), logger }),
    publicLinks: publicUrl === undefined ? undefined : { baseUrl: publicUrl, links },
    linkFor(platform) {
      const base = platform === 'playground' ? (config.publicUrl ?? serverUrl) : publicUrl;
      return base === undefined ? undefined : designPageLinker(base, links);
    },
  };
}
