import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import type { DesignSnapshot } from '../../workflow/design-snapshot.ts';
import type { ImageStore } from '../../workflow/ports/image-store.ts';
import type { Notifier } from '../../workflow/ports/notifier.ts';
import { buildDesignCard } from '../card/design-card.ts';
import { renderSlackCard } from './slack-blocks.ts';
import { readSlackSurface } from './slack-surface.ts';

/** Slack fetches image_url itself when the message is posted: a loopback address can never work. */
export function slackCanFetch(url: string): boolean {
  try {
    const { protocol, hostname } = new URL(url);
    if (protocol !== 'https:' && protocol !== 'http:') return false;
    return !(
      hostname === 'localhost' ||
      hostname.startsWith('127.') ||
      hostname === '[::1]' ||
      hostname === '0.0.0.0'
    );
  } catch {
    return false;
  }
}

/**
 * Re-renders a design's card whole on every change (chat.update). A card not posted yet is skipped:
 * the process that posts it renders the newest snapshot right after, so nothing is lost.
 */
export class SlackCardNotifier implements Notifier {
  constructor(
    private readonly deps: { client: WebClient; images: ImageStore; clock: Clock; logger: Logger },
  ) {}

  async notify(design: DesignSnapshot): Promise<void> {
    const surface = readSlackSurface(design.surface);
    if (!surface?.ts) return;
    const message = await this.render(design);
    await this.deps.client.chat.update({ channel: surface.channelId, ts: surface.ts, ...message });
  }

  async render(design: DesignSnapshot): Promise<ReturnType<typeof renderSlackCard>> {
    const card = buildDesignCard(design, this.deps.clock());
    let imageUrl: string | null = null;
    if (card.image) {
      const url = await this.deps.images.url(card.image.key, { expiresInSeconds: 7 * 24 * 3600 });
      if (slackCanFetch(url)) imageUrl = url;
      else
        this.deps.logger.warn(
          { designId: design.id },
          'image URL not reachable by Slack; set PUBLIC_URL or S3',
        );
    }
    return renderSlackCard(card, imageUrl);
  }
}
