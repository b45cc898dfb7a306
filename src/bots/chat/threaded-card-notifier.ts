import type { ChatPosts } from '../../workflow/chat-posts.ts';
import type { DesignSnapshot } from '../../workflow/design-snapshot.ts';
import type { Notifier } from '../../workflow/ports/notifier.ts';
import { buildDesignCard, type DesignPageLinker } from '../card/design-card.ts';
import { buildDesignNotices, maxDirectApprovers, type ThreadNotice } from '../card/design-notices.ts';
import { buildDesignThread, type ThreadImage } from '../card/design-thread.ts';
import type {
  CardImageMode,
  CardMessage,
  CardOutbound,
  ThreadGallery,
  UploadedImages,
} from './card-outbound.ts';

/** The key under which a card's thread is claimed and recorded. */
const threadKey = 'thread';

/** 'upload' mode: the key under which an image's upload is claimed and its file id recorded. */
const uploadKey = (imageKey: string) => `upload:${imageKey}`;

/** A round's gallery messages, the first and any that follow once one is full. */
const galleryKey = (round: number, part: number) => `gallery:r${round}:${part}`;

/** Held while one process adds images to a design's galleries (never recorded, always released). */
const galleryLock = 'gallery-lock';

/**
 * Shows a design on a platform: the card is re-rendered whole on every change, and after approval its
 * thread holds a status message per round, edited as views finish, and each image (where the platform
 * has galleries, in one message per round that grows as they arrive); notices to
 * approvers and the requester go into the same thread, once each. Everything beyond the
 * card edit is claim -> post -> record (ChatPosts), so each message is posted once, whichever process
 * gets there first and however often a change is delivered; in 'upload' mode so is each image's upload,
 * whose file id every later edit and thread message reuses. A card not posted yet is skipped: whoever
 * posts it shows the newest snapshot right after.
 */
export class ThreadedCardNotifier<Where extends CardMessage> implements Notifier {
  constructor(
    private readonly deps: {
      outbound: CardOutbound<Where>;
      posts: ChatPosts;
      /** The card's "Open design page" link; none when left out. */
      pageLink?: DesignPageLinker | undefined;
    },
  ) {}

  async notify(design: DesignSnapshot): Promise<void> {
    const { outbound, posts } = this.deps;
    const where = outbound.locate(design.surface);
    if (!where) return;
    const mode = await outbound.imageMode();
    const card = buildDesignCard(design, this.deps.pageLink);
    const thread = buildDesignThread(design, { frontsInThread: mode === 'thread' });
    const notices = buildDesignNotices(design);
    const inThread = thread.status !== null || thread.images.length > 0 || notices.length > 0;
    const pictured = card.image !== null || (card.candidates ?? []).length > 0;
    const needsPosts = ((mode === 'attach' || mode === 'upload') && pictured) || inThread;
    const posted = needsPosts ? await posts.list(design.id) : new Map<string, string | null>();
    const uploaded = new Map<string, string>();
    // An image that cannot be uploaded must not hold back the rest: it is thrown once all else is shown.
    const failures: unknown[] = [];
    const upload = async (imageKey: string, title: string) => {
      try {
        const fileId = await this.uploadOnce(design.id, where, posted, { imageKey, title });
        if (fileId) uploaded.set(imageKey, fileId);
      } catch (error) {
        failures.push(error);
      }
    };
    if (mode === 'upload' && card.image) await upload(card.image.key, card.image.alt);
    // Candidates waiting for a pick are shown on the card too.
    if (mode === 'upload')
      for (const candidate of card.candidates ?? []) await upload(candidate.key, candidate.alt);
    await this.updateCard(design.id, where, mode, posted, card, uploaded);
    if (inThread) {
      const threadId = await this.threadOf(design, where, posted);
      // Another process is making the thread: it posts the rest.
      if (threadId) {
        if (thread.status) await this.showStatus(design.id, where, threadId, posted, thread.status);
        const gallery = outbound.gallery;
        if (gallery) await this.showGallery(design, where, threadId, posted, thread.images, gallery);
        for (const image of gallery ? [] : thread.images) {
          if (posted.has(image.postKey)) continue;
          if (mode === 'upload') {
            await upload(image.imageKey, image.title);
            // Still being uploaded by another process (which posts it next), or failed (thrown below).
            if (!uploaded.has(image.imageKey)) continue;
          }
          await posts.once(design.id, image.postKey, () =>
            outbound.postThreadImage(where, threadId, image, uploaded),
          );
        }
        // After the images: "your design is complete" comes under the views it announces.
        for (const notice of notices) {
          if (posted.has(notice.postKey)) continue;
          await posts.once(design.id, notice.postKey, () =>
            notice.direct
              ? this.askDirectly(design, where, threadId, notice, notice.direct)
              : outbound.postThreadNotice(where, threadId, notice),
          );
        }
      }
    }
    if (failures.length > 0) throw failures[0];
    // The card went out without its front view, which another process is uploading: failing this
    // delivery has it shown again, with the picture, rather than marked as shown.
    if (mode === 'upload' && card.image && !uploaded.has(card.image.key))
      throw new Error(`the front view ${card.image.key} is still being uploaded by another process`);
    await posts.shown(design.id, design.version);
  }

  /** 'upload' mode: an image's file id, uploaded now if nobody has; null while another process uploads it. */
  private async uploadOnce(
    designId: string,
    where: Where,
    posted: Map<string, string | null>,
    image: { imageKey: string; title: string },
  ): Promise<string | null> {
    const { outbound, posts } = this.deps;
    const key = uploadKey(image.imageKey);
    const known = posted.get(key);
    if (known !== undefined) return known;
    const uploadImage = outbound.uploadImage?.bind(outbound);
    if (!uploadImage) throw new Error(`${outbound.platform} has an 'upload' image mode but no uploadImage`);
    const fileId = await posts.once(designId, key, () => uploadImage(where, image));
    posted.set(key, fileId);
    return fileId;
  }

  private async updateCard(
    designId: string,
    where: Where,
    mode: CardImageMode,
    posted: Map<string, string | null>,
    card: ReturnType<typeof buildDesignCard>,
    uploaded: UploadedImages,
  ): Promise<void> {
    const { outbound, posts } = this.deps;
    const imageKey = mode === 'attach' && card.image ? `card-image:${card.image.key}` : undefined;
    const upload = imageKey !== undefined && !posted.has(imageKey) && (await posts.claim(designId, imageKey));
    if (!upload || !imageKey) return outbound.editCard(where, card, { upload: false, uploaded });
    try {
      await outbound.editCard(where, card, { upload: true, uploaded });
    } catch (error) {
      await posts.release(designId, imageKey);
      throw error;
    }
    await posts.record(designId, imageKey, 'attached');
  }

  /**
   * Asks each member of the approver group by direct message, each message claimed on its own (a retry
   * after a failure asks only those not asked yet); a group too large, empty or unknown to the platform is
   * mentioned in the thread instead. Returns what the notice's own claim records.
   */
  private async askDirectly(
    design: DesignSnapshot,
    where: Where,
    threadId: string,
    notice: ThreadNotice,
    direct: NonNullable<ThreadNotice['direct']>,
  ): Promise<string> {
    const { outbound, posts } = this.deps;
    const postDirect = outbound.postDirect?.bind(outbound);
    const members = outbound.groupMembers ? await outbound.groupMembers(where, direct.group) : [];
    const asked = members.filter((member) => member !== design.requesterId);
    if (!postDirect || asked.length === 0 || asked.length > maxDirectApprovers)
      return outbound.postThreadNotice(where, threadId, notice);
    for (const member of asked)
      await posts.once(design.id, `${notice.postKey}:dm:${member}`, () =>
        postDirect(where, member, direct.text),
      );
    return `direct:${asked.length}`;
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

  /**
   * The thread's images in galleries: the round's gallery message is posted with the first image and
   * edited as the others arrive, each image recorded (under its own post key) with the gallery that
   * shows it, so a restarted process adds only what no gallery shows yet. One process adds at a time:
   * two edits at once would each drop the other's image. While another holds the lock or is posting the
   * gallery, this delivery fails and is tried again, rather than being marked as shown without them.
   */
  private async showGallery(
    design: DesignSnapshot,
    where: Where,
    threadId: string,
    posted: Map<string, string | null>,
    images: ThreadImage[],
    gallery: ThreadGallery<Where>,
  ): Promise<void> {
    const { posts } = this.deps;
    if (images.every((image) => posted.has(image.postKey))) return;
    if (!(await posts.claim(design.id, galleryLock)))
      throw new Error(`another process is adding images to the thread of ${design.id}`);
    try {
      // Read again under the lock: the process that held it before may have shown some of them.
      const fresh = await posts.list(design.id);
      let todo = images.filter((image) => !fresh.has(image.postKey));
      for (let part = 1; todo.length > 0; part += 1) {
        const key = galleryKey(design.round, part);
        const ref = fresh.get(key);
        if (ref === null) throw new Error(`the gallery ${key} of ${design.id} is being posted`);
        const shown = ref === undefined ? [] : images.filter((image) => fresh.get(image.postKey) === ref);
        const adding = todo.slice(0, Math.max(0, gallery.maxImages - shown.length));
        if (adding.length === 0) continue;
        todo = todo.slice(adding.length);
        let messageId = ref;
        if (messageId === undefined) {
          messageId =
            (await posts.once(design.id, key, () => gallery.post(where, threadId, adding))) ?? undefined;
          if (messageId === undefined) throw new Error(`the gallery ${key} of ${design.id} is being posted`);
        } else await gallery.edit(where, threadId, messageId, [...shown, ...adding]);
        for (const image of adding)
          if (await posts.claim(design.id, image.postKey))
            await posts.record(design.id, image.postKey, messageId);
      }
    } finally {
      await posts.release(design.id, galleryLock);
    }
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
