import type { ServerResponse } from 'node:http';
import type { DesignSnapshot } from '../../workflow/design-snapshot.ts';
import type { ImageStore } from '../../workflow/ports/image-store.ts';
import type { Notifier } from '../../workflow/ports/notifier.ts';
import type { DesignPageLinker } from '../card/design-card.ts';
import { imageKeysOf, playgroundDesign, type PlaygroundDesign } from './playground-design.ts';

/** Designs kept for the elapsed-time ticker; the page reloads older ones from the API. */
const rememberedDesigns = 200;
/**
 * An image keeps its URL while it is the same image: a fresh signature per update (a new expiry each
 * second) would make the page download it again, and blank it while it does. A URL signed for a day is
 * handed out again for 12 hours.
 */
const urlLifetimeSeconds = 24 * 60 * 60;
const urlReuseMs = 12 * 60 * 60 * 1000;
const rememberedUrls = 2_000;
/** How soon a page whose stream broke tries again (the browser's default is about 3 s). */
const reconnectMs = 1_000;

/**
 * Pushes every playground design change to the open pages (server-sent events), and once a second
 * re-sends the designs still working so their elapsed times move.
 */
export class PlaygroundHub implements Notifier {
  private readonly clients = new Set<ServerResponse>();
  private readonly latest = new Map<string, DesignSnapshot>();
  private readonly urls = new Map<string, { url: string; until: number }>();
  private readonly ticker: NodeJS.Timeout;

  constructor(
    private readonly deps: {
      images: ImageStore;
      /** The card's "Open design page" link; none when left out. */
      pageLink?: DesignPageLinker | undefined;
    },
    tickMs = 1_000,
  ) {
    let ticking = false;
    this.ticker = setInterval(() => {
      if (ticking) return;
      ticking = true;
      // A tick that fails (the image store briefly down) is skipped; the next one tries again.
      this.tick()
        .catch(() => undefined)
        .finally(() => (ticking = false));
    }, tickMs);
    this.ticker.unref();
  }

  async notify(design: DesignSnapshot): Promise<void> {
    if (!('playground' in design.surface)) return;
    const known = this.latest.get(design.id);
    if (known && known.version > design.version) return;
    this.latest.delete(design.id);
    this.latest.set(design.id, design);
    if (this.latest.size > rememberedDesigns) this.latest.delete(this.latest.keys().next().value ?? '');
    if (this.clients.size > 0) this.broadcast(await this.present(design));
  }

  async present(design: DesignSnapshot): Promise<PlaygroundDesign> {
    const urls = new Map<string, string>();
    for (const key of imageKeysOf(design)) urls.set(key, await this.urlOf(key));
    return playgroundDesign(design, urls, this.deps.pageLink);
  }

  private async urlOf(key: string): Promise<string> {
    const now = Date.now();
    const known = this.urls.get(key);
    if (known && known.until > now) return known.url;
    const url = await this.deps.images.url(key, { expiresInSeconds: urlLifetimeSeconds });
    this.urls.delete(key);
    this.urls.set(key, { url, until: now + urlReuseMs });
    if (this.urls.size > rememberedUrls) this.urls.delete(this.urls.keys().next().value ?? '');
    return url;
  }

  /** Keeps an SSE response open until the page goes away. */
  subscribe(response: ServerResponse): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    response.write(`retry: ${reconnectMs}\n: connected\n\n`);
    this.clients.add(response);
    response.on('close', () => this.clients.delete(response));
  }

  close(): void {
    clearInterval(this.ticker);
    for (const client of this.clients) client.end();
    this.clients.clear();
  }

  private broadcast(view: PlaygroundDesign): void {
    const frame = `event: design\ndata: ${JSON.stringify(view)}\n\n`;
    for (const client of this.clients) client.write(frame);
  }

  private async tick(): Promise<void> {
    if (this.clients.size === 0) return;
    for (const design of this.latest.values()) {
      const view = await this.present(design);
      if (view.card.tone === 'working') this.broadcast(view);
    }
  }
}
