import type { Clock } from '../../clock.ts';
import type { ChatPosts } from '../../workflow/chat-posts.ts';
import type { DesignSnapshot } from '../../workflow/design-snapshot.ts';
import type { Notifier } from '../../workflow/ports/notifier.ts';
import { buildDesignCard } from '../card/design-card.ts';
import { buildDesignThread } from '../card/design-thread.ts';
import type { CardImageMode, CardMessage, CardOutbound } from './card-outbound.ts';

/** The key under which a card's thread is claimed and recorded. */
const threadKey = 'thread';

/**
 * Shows a design on a platform: the card is re-rendered whole on every change, and after approval its
 * thread holds a status message per round, edited as views finish, and each image. Everything beyond the
 * card edit is claim -> post -> record (ChatPosts), so each message is posted once, whichever process
 * gets there first and however often a change is delivered. A card not posted yet is skipped: whoever
 * posts it shows the newest snapshot right after.
 */
export class ThreadedCardNotifier<Where extends CardMessage> implements Notifier {
  constructor(private readonly deps: { outbound: CardOutbound<Where>; posts: ChatPosts; clock: Clock }) {}

  async notify(design: DesignSnapshot): Promise<void> {
    const { outbound, posts } = this.deps;
    const where = outbound.locate(design.surface);
    if (!where) return;
    const mode = await outbound.imageMode();
    const now = this.deps.clock();
    const card = buildDesignCard(design, now);
    const thread = buildDesignThread(design, now, { frontsInThread: mode === 'thread' });
    const needsPosts =
      (mode === 'attach' && card.image !== null) || thread.status !== null || thread.images.length > 0;
    const posted = needsPosts ? await posts.list(design.id) : new Map<string, string | null>();
    await this.updateCard(design.id, where, mode, posted, card);
    if (thread.status || thread.images.length > 0) {
      const threadId = await this.threadOf(design, where, posted);
      // Another process is making the thread: it posts the rest.
      if (threadId) {
        if (thread.status) await this.showStatus(design.id, where, threadId, posted, thread.status);
        for (const image of thread.images) {
          if (posted.has(image.postKey)) continue;
          await posts.once(design.id, image.postKey, () => outbound.postThreadImage(where, threadId, image));
        }
      }
    }
    await posts.shown(design.id, design.version);
  }

  private async updateCard(
    designId: string,
    where: Where,
    mode: CardImageMode,
    posted: Map<string, string | null>,
    card: ReturnType<typeof buildDesignCard>,
  ): Promise<void> {
    const { outbound, posts } = this.deps;
    const imageKey = mode === 'attach' && card.image ? `card-image:${card.image.key}` : undefined;
    const upload = imageKey !== undefined && !posted.has(imageKey) && (await posts.claim(designId, imageKey));
    if (!upload || !imageKey) return outbound.editCard(where, card, { upload: false });
    try {
      await outbound.editCard(where, card, { upload: true });
    } catch (error) {
      await posts.release(designId, imageKey);
      throw error;
    }
    await posts.record(designId, imageKey, 'attached');
  }

  private async threadOf(
    design: DesignSnapshot,
    where: Where,
    posted: Map<string, string | null>,
  ): Promise<string | null> {
    const { outbound, posts } = this.deps;
    if (outbound.repliesAreThread) return where.messageId;
    const known = posted.get(threadKey);
    if (known !== undefined) return known;
    return posts.once(design.id, threadKey, () => outbound.openThread(where, `Views: ${design.prompt}`));
  }

  private async showStatus(
    designId: string,
    where: Where,
    threadId: string,
    posted: Map<string, string | null>,
    status: NonNullable<ReturnType<typeof buildDesignThread>['status']>,
  ): Promise<void> {
    const { outbound, posts } = this.deps;
    const ref = posted.get(status.postKey);
    if (ref) return outbound.editThreadStatus(where, threadId, ref, status);
    // Null: claimed by someone posting it now.
    if (ref === undefined)
      await posts.once(designId, status.postKey, () => outbound.postThreadStatus(where, threadId, status));
  }
}
