import { buildDesignCard, type DesignCard, type DesignPageLinker } from '../card/design-card.ts';
import { buildDesignNotices } from '../card/design-notices.ts';
import { buildDesignThread, type ThreadStatus } from '../card/design-thread.ts';
import { plainChatText } from '../chat/chat-text.ts';
import { mayAct, needsApprover } from '../../workflow/actor.ts';
import type { DesignSnapshot } from '../../workflow/design-snapshot.ts';
import { playgroundActor, playgroundUsers } from './playground-users.ts';

/** What the playground page draws for one design: the card, its image, and its thread. */
export type PlaygroundDesign = {
  id: string;
  version: number;
  createdAt: string;
  card: DesignCard;
  imageUrl: string | null;
  /** The sketch or photo the design was started from ("From your sketch"), shown small; null without one. */
  sourceImageUrl: string | null;
  /** The card's candidates (`card.candidates`) with their image URLs, same order; empty for one. */
  candidates: { number: number; key: string; alt: string; picked: boolean; url: string }[];
  /**
   * Who the design waits for: the people who may approve it where someone other than the requester has
   * to (the page shows them a badge). Empty otherwise.
   */
  approvers: string[];
  /**
   * `key` names the stored image: the page keeps an image element while its key stays the same.
   * `notices` are what Slack and Discord post in the thread to approvers and the requester.
   */
  thread: {
    status: ThreadStatus | null;
    images: { key: string; title: string; url: string }[];
    notices: string[];
  };
};

/** The image keys a view needs URLs for, so the caller can sign them before rendering. */
export function imageKeysOf(design: DesignSnapshot): string[] {
  const card = buildDesignCard(design);
  const thread = buildDesignThread(design, { frontsInThread: false });
  return [
    ...(card.image ? [card.image.key] : []),
    ...(card.sourceImage ? [card.sourceImage.key] : []),
    ...(card.candidates ?? []).map((candidate) => candidate.key),
    ...thread.images.map((image) => image.imageKey),
  ];
}

/** Pure: the same card model as Slack and Discord, with image URLs resolved by the caller. */
export function playgroundDesign(
  design: DesignSnapshot,
  urls: ReadonlyMap<string, string>,
  pageLink?: DesignPageLinker,
): PlaygroundDesign {
  const card = buildDesignCard(design, pageLink);
  const thread = buildDesignThread(design, { frontsInThread: false });
  return {
    id: design.id,
    version: design.version,
    createdAt: design.createdAt.toISOString(),
    card,
    imageUrl: card.image ? (urls.get(card.image.key) ?? null) : null,
    sourceImageUrl: card.sourceImage ? (urls.get(card.sourceImage.key) ?? null) : null,
    candidates: (card.candidates ?? []).flatMap((candidate) => {
      const url = urls.get(candidate.key);
      return url ? [{ ...candidate, url }] : [];
    }),
    approvers: approversOf(design),
    thread: {
      notices: buildDesignNotices(design).map((notice) =>
        plainChatText(notice.text, (id) => `@${playgroundUsers.find((user) => user.id === id)?.name ?? id}`),
      ),
      status: thread.status,
      images: thread.images.flatMap((image) => {
        const url = urls.get(image.imageKey);
        return url ? [{ key: image.imageKey, title: image.title, url }] : [];
      }),
    },
  };
}

function approversOf(design: DesignSnapshot): string[] {
  if (design.state !== 'awaiting_approval' || !needsApprover(design.approval)) return [];
  return playgroundUsers
    .filter((user) => mayAct('approve', playgroundActor(user.id), design.requesterId, design.approval))
    .map((user) => user.id);
}
