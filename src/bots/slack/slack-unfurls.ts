import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { DesignLinks } from '../../workflow/design-links.ts';
import type { DesignSnapshot } from '../../workflow/design-snapshot.ts';
import type { WorkspaceDirectory } from '../../workflow/workspace-directory.ts';
import type { SlackBlock } from './slack-blocks.ts';
import { renderSlackUnfurl, unfurlFrontKey } from './slack-unfurl-blocks.ts';
import { designPageImageUrl, readDesignPageLink } from './slack-unfurl-links.ts';

/** What unfurling needs: where the design pages are, and who may see which design. */
export type SlackUnfurlDeps = {
  /** PUBLIC_URL: the host of the links (manifest.yml's unfurl_domains names it). */
  baseUrl: string;
  links: DesignLinks;
  loadDesign: (designId: string) => Promise<DesignSnapshot | undefined>;
  workspaces: Pick<WorkspaceDirectory, 'find'>;
  logger: Logger;
};

const linkSharedSchema = z.object({
  team_id: z.string().min(1),
  event: z.object({
    channel: z.string(),
    message_ts: z.string(),
    unfurl_id: z.string().optional(),
    source: z.enum(['composer', 'conversations_history']).optional(),
    links: z.array(z.object({ url: z.string() })).max(50),
  }),
});

/**
 * The previews of the design page links shared in one Slack team, by URL. A link unfurls only when it is
 * its design's current, unrevoked link and the design belongs to this same team. The link is a secret
 * anyone holding it may open, but an unfurl is Facet itself posting the design's image and prompt for the
 * whole channel to see: Facet never shows one workspace's design inside another on its own, whatever
 * link was pasted there. Refused links are logged at debug, by design id (never the signature).
 */
export async function designUnfurls(
  deps: SlackUnfurlDeps,
  teamId: string,
  urls: readonly string[],
): Promise<Record<string, { blocks: SlackBlock[] }>> {
  const unfurls: Record<string, { blocks: SlackBlock[] }> = {};
  const workspace = await deps.workspaces.find('slack', teamId);
  await Promise.all(
    [...new Set(urls)].map(async (url) => {
      const link = readDesignPageLink(deps.baseUrl, url);
      if (!link) return;
      const refuse = (reason: string) =>
        deps.logger.debug({ teamId, designId: link.designId, reason }, 'design link not unfurled');
      if (!(await deps.links.verify(link.designId, link.signature))) return refuse('not a current link');
      const design = await deps.loadDesign(link.designId);
      if (!design) return refuse('no such design');
      if (!workspace || design.workspaceId !== workspace.id) return refuse('design of another workspace');
      const front = unfurlFrontKey(design);
      unfurls[url] = renderSlackUnfurl(design, {
        page: url.replaceAll('&amp;', '&'),
        image: front ? designPageImageUrl(deps.baseUrl, link, front.key) : null,
      });
    }),
  );
  return unfurls;
}

/** link_shared for Facet's domain: answered with chat.unfurl, or not at all when nothing may unfurl. */
export function registerSlackUnfurls(app: App, deps: SlackUnfurlDeps): void {
  app.event('link_shared', async ({ body, client }) => {
    const parsed = linkSharedSchema.safeParse(body);
    if (!parsed.success) {
      deps.logger.debug({ issues: parsed.error.issues.length }, 'unreadable link_shared event ignored');
      return;
    }
    const { team_id: teamId, event } = parsed.data;
    const unfurls = await designUnfurls(
      deps,
      teamId,
      event.links.map((link) => link.url),
    );
    if (Object.keys(unfurls).length === 0) return;
    // A link still in the composer has no message yet: Slack names it by unfurl_id and source.
    const target =
      event.unfurl_id !== undefined && event.source !== undefined
        ? { unfurl_id: event.unfurl_id, source: event.source }
        : { channel: event.channel, ts: event.message_ts };
    await client.chat.unfurl({ ...target, unfurls });
  });
}
