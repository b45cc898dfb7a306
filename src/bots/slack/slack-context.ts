import type { WebClient } from '@slack/web-api';
import { failSafely } from '../card-actions.ts';
import { overLimitMessage, unlimited } from '../rate-limit/rate-limiter.ts';
import { designBelongsTo } from '../design-ownership.ts';
import { ensureWorkspace, findWorkspace } from '../../storage/workspaces.ts';
import type { Workspace } from '../../storage/schema.ts';
import type { Actor } from '../../workflow/actor.ts';
import { loadSnapshot } from '../../workflow/design-snapshot.ts';
import type { SlackAppDeps } from './slack-app.ts';
import { recordCardTs } from './slack-surface.ts';

/** What every Slack listener shares: the workspace row, who is acting, posting cards, failing safely. */
export class SlackContext {
  constructor(readonly deps: SlackAppDeps) {}

  /**
   * Called right after ack(): in a burst, every other request waiting on this event loop is parsed and
   * acked before any listener starts its slow part (measured by bench/slack.ts: p99 roughly halves).
   */
  yieldToOtherAcks(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }

  /** The slow-down answer when this person has sent too many commands and clicks this minute. */
  overLimit(teamId: string, userId: string): Promise<string | undefined> {
    return overLimitMessage(this.deps.limiter ?? unlimited, `slack:${teamId}:${userId}`);
  }

  workspace(teamId: string): Promise<Workspace> {
    return ensureWorkspace(this.deps.db, 'slack', teamId);
  }

  /**
   * The workspace a click or form names, if it exists: a card can only come from a workspace that made
   * a design, so an unknown team is refused without a row being created for it.
   */
  knownWorkspace(teamId: string): Promise<Workspace | undefined> {
    return findWorkspace(this.deps.db, 'slack', teamId);
  }

  actor(client: WebClient, workspace: Workspace, userId: string): Promise<Actor> {
    return this.deps.actors.actorFor(client, workspace, userId);
  }

  failSafe(
    context: Record<string, unknown>,
    work: () => Promise<void>,
    tell: (text: string) => Promise<unknown>,
  ): Promise<void> {
    return failSafely(this.deps.logger, { surface: 'slack', ...context }, work, tell);
  }

  belongsTo(designId: string, workspaceId: string): Promise<boolean> {
    return designBelongsTo(this.deps.db, designId, workspaceId);
  }

  /** Posts the card, records where it is, then shows the newest state (changes made meanwhile were skipped). */
  async postCard(client: WebClient, designId: string, channelId: string): Promise<void> {
    const first = await loadSnapshot(this.deps.db, designId);
    if (!first) return;
    const message = await this.deps.cards.render(first);
    const posted = await client.chat.postMessage({ channel: channelId, ...message });
    if (!posted.ts) throw new Error('chat.postMessage returned no ts');
    await recordCardTs(this.deps.db, designId, posted.ts);
    const latest = await loadSnapshot(this.deps.db, designId);
    if (latest) await this.deps.redeliver(latest);
  }
}
