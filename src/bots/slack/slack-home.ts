import type { WebClient } from '@slack/web-api';
import type { ImageStore } from '../../workflow/ports/image-store.ts';
import type { WorkspaceDirectory } from '../../workflow/workspace-directory.ts';
import type { WaitingEntry, WaitingForYou } from '../chat/waiting-for-you.ts';
import type { SlackActors } from './slack-actors.ts';
import { slackCanFetch } from './slack-card-outbound.ts';
import { renderSlackHome } from './slack-home-view.ts';

/** A week, as card images: Slack fetches a Home's images when it is published and keeps its copy. */
const thumbnailLifetimeSeconds = 7 * 24 * 3600;

/**
 * Publishes one person's Home tab (views.publish): what waits for their approval, their designs and
 * credits, read fresh for them alone. Published when they open it and after their own clicks there.
 */
export class SlackHome {
  constructor(
    private readonly deps: {
      waiting: WaitingForYou;
      workspaces: WorkspaceDirectory;
      actors: SlackActors;
      /** Thumbnails where Slack can fetch the store's URLs (PUBLIC_URL or S3); none without it. */
      images?: ImageStore | undefined;
    },
  ) {}

  /** `notes`: answers to the person's own click on the Home (there is no channel to answer in). */
  async publish(
    client: WebClient,
    teamId: string,
    userId: string,
    notes: readonly string[] = [],
  ): Promise<void> {
    const workspace = await this.deps.workspaces.ensure('slack', teamId);
    const actor = await this.deps.actors.actorFor(client, workspace, userId);
    const home = await this.deps.waiting.home(workspace, actor);
    const view = renderSlackHome(home, { notes, thumbnails: await this.thumbnails(home.waiting) });
    await client.views.publish({ user_id: userId, view });
  }

  /**
   * Image URLs Slack can fetch, by key. Slack refuses a whole view whose image it cannot fetch, so with a
   * store Slack cannot reach (cards then upload their images, for their own messages) none are shown.
   */
  private async thumbnails(waiting: WaitingEntry[]): Promise<Map<string, string>> {
    const urls = new Map<string, string>();
    const { images } = this.deps;
    if (!images) return urls;
    for (const entry of waiting) {
      if (entry.imageKey === null) continue;
      const url = await images.url(entry.imageKey, { expiresInSeconds: thumbnailLifetimeSeconds });
      if (!slackCanFetch(url)) return new Map();
      urls.set(entry.imageKey, url);
    }
    return urls;
  }
}
