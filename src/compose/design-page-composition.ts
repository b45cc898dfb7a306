import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { designPageRoute } from '../http/design-page/design-page-route.ts';
import type { HttpRoute } from '../http/health-server.ts';
import type { FacetDatabase } from '../storage/database.ts';
import { loadOrCreateUrlSecret } from '../storage/images/url-secret.ts';
import { DesignLinks } from '../workflow/design-links.ts';
import { loadSnapshot } from '../workflow/design-snapshot.ts';
import type { ImageStore } from '../workflow/ports/image-store.ts';

/**
 * The design page route of the web role. Its links are signed with a key derived from the data folder's
 * URL secret (the one local image links use): every web process of a deployment must share that file.
 */
export async function composeDesignPage(
  config: Readonly<Config>,
  db: FacetDatabase,
  images: ImageStore,
  logger: Logger,
): Promise<HttpRoute> {
  const links = new DesignLinks(db, await loadOrCreateUrlSecret(config.dataDir));
  return designPageRoute({ links, images, loadDesign: (id) => loadSnapshot(db, id), logger });
}
