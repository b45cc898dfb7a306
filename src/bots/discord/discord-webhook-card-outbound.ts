import { DiscordAPIError, Routes, type REST } from 'discord.js';
import { z } from 'zod';
import type { Clock } from '../../clock.ts';
import type { CardTokens } from '../../workflow/card-tokens.ts';
import type { ImageStore } from '../../workflow/ports/image-store.ts';
import type { DesignCard } from '../card/design-card.ts';
import type { ThreadNotice } from '../card/design-notices.ts';
import type { ThreadImage, ThreadStatus } from '../card/design-thread.ts';
import { imageFileName } from '../card/image-file-name.ts';
import type { CardImageMode, CardMessage, CardOutbound, ThreadGallery } from '../chat/card-outbound.ts';
import { discordCardLimits, renderDiscordCard } from './discord-card.ts';
import { shownFileIds } from './discord-card-outbound.ts';
import { renderDiscordChatText } from './discord-chat-text.ts';
import { renderDiscordThreadGallery, renderDiscordThreadStatus } from './discord-thread-messages.ts';
import type { DiscordTokenSeal } from './discord-token-seal.ts';
import { readWebhookCardPlace } from './discord-webhook-card-place.ts';

/** How long Discord honours an interaction token. */
const tokenLifetimeMs = 15 * 60_000;
/** Spent before Discord's end, so a request never starts with a token about to die. */
const tokenMarginMs = 30_000;

/** Discord's answers to a dead token (401 Invalid Webhook Token) or interaction (Unknown Webhook). */
const deadTokenCodes = new Set([50027, 10015]);
/** Discord's answer to a message the token did not make (a status posted under an older token). */
const unknownMessage = 10008;

const createdSchema = z.object({ id: z.string().min(1) });

/** A webhook card: where it is, and that only its interaction tokens may touch it. */
export type WebhookCardMessage = CardMessage & { via: 'webhook' };

/**
 * The card's last token died (15 minutes after the last click): nothing can reach the card until someone
 * clicks it again, which refreshes the token and shows the newest state.
 */
export class CardTokenExpired extends Error {
  constructor(readonly cardMessageId: string) {
    super(`the interaction token of Discord card ${cardMessageId} has expired; the next click refreshes it`);
    this.name = 'CardTokenExpired';
  }
}

/**
 * Any other failure of a webhook request, without what Discord's error carries that must not reach a
 * log: its URL and request hold the interaction token.
 */
export class WebhookCardError extends Error {
  constructor(
    readonly cardMessageId: string,
    readonly status: number,
    readonly code: number | string,
    message: string,
  ) {
    super(`Discord refused a webhook request for card ${cardMessageId}: ${status} ${code} ${message}`);
    this.name = 'WebhookCardError';
  }
}

/** A token as an interaction gives it: when Discord made the interaction, and what the card is to it. */
export type FreshToken = { token: string; createdAt: Date; messageRef: string };

/**
 * Cards and their views where the bot cannot post (a user install in a server without the bot, a DM, a
 * group DM): everything goes through the interaction webhook, with the newest token of the card, kept
 * sealed in Postgres. The card is edited as the token's @original (or the follow-up it was sent as);
 * there is no thread, so the views and notices go as follow-up messages under it. Each follow-up can be
 * edited only with the token that sent it: the views' status message stops changing once a newer click
 * takes over (the card itself shows the state). No token alive: CardTokenExpired, and the card waits
 * for the next click.
 */
export class DiscordWebhookCardOutbound implements CardOutbound<WebhookCardMessage> {
  readonly platform = 'discord' as const;
  readonly repliesAreThread = false;

  constructor(
    private readonly deps: {
      tokens: CardTokens;
      rest: REST;
      images: ImageStore;
      applicationId: string;
      seal: DiscordTokenSeal;
      clock: Clock;
    },
  ) {}

  locate(surface: Record<string, unknown>): WebhookCardMessage | undefined {
    const place = readWebhookCardPlace(surface);
    return place?.messageId
      ? { channelId: place.channelId, messageId: place.messageId, via: 'webhook' }
      : undefined;
  }

  imageMode(): Promise<CardImageMode> {
    return Promise.resolve('attach');
  }

  /** Keeps an interaction's token for this card if it is newer than the one kept. */
  async remember(cardMessageId: string, designId: string, fresh: FreshToken): Promise<boolean> {
    return this.deps.tokens.keep(cardMessageId, {
      designId,
      sealedToken: this.deps.seal.seal(fresh.token),
      messageRef: fresh.messageRef,
      expiresAt: new Date(fresh.createdAt.getTime() + tokenLifetimeMs - tokenMarginMs),
    });
  }

  /**
   * Sends a new card as a follow-up of an interaction (a variation started from a card's button) and
   * keeps that interaction's token for it; returns the card's message id.
   */
  async sendFollowUp(
    designId: string,
    card: DesignCard,
    fresh: Omit<FreshToken, 'messageRef'>,
  ): Promise<string> {
    const sent = await this.deps.rest
      .post(Routes.webhook(this.deps.applicationId, fresh.token), {
        body: renderDiscordCard(card, null),
        auth: false,
      })
      .catch((error: unknown) => {
        if (!(error instanceof DiscordAPIError)) throw error;
        throw new WebhookCardError('(new)', error.status, error.code, error.message);
      });
    const id = createdSchema.parse(sent).id;
    await this.remember(id, designId, { ...fresh, messageRef: id });
    return id;
  }

  /** The design of a card reached through its webhook (a token was kept for it), else undefined. */
  async designOf(cardMessageId: string): Promise<string | undefined> {
    return (await this.deps.tokens.read(cardMessageId))?.designId;
  }

  /**
   * Edits the card whole. The front view is kept by the id the message shows it under (read with the
   * token, as the gallery does), and sent only when the message does not carry it: sending it on every
   * edit cost a 1-2 MB upload per card change.
   */
  async editCard(where: WebhookCardMessage, card: DesignCard): Promise<void> {
    await this.withToken(where, async (token, ref) => {
      const route = Routes.webhookMessage(this.deps.applicationId, token, ref);
      if (!card.image) {
        await this.deps.rest.patch(route, {
          body: { ...renderDiscordCard(card, null), attachments: [] },
          auth: false,
        });
        return;
      }
      const name = imageFileName(card.image.key);
      const body = renderDiscordCard(card, name);
      const carriedId = shownFileIds(await this.deps.rest.get(route, { auth: false })).get(name);
      if (carriedId !== undefined) {
        const kept = await this.deps.rest
          .patch(route, { body: { ...body, attachments: [{ id: carriedId }] }, auth: false })
          .then(
            () => true,
            (error: unknown) => {
              // Replaced since it was read (another process sent it): sent again below.
              if (error instanceof DiscordAPIError && error.status === 400) return false;
              throw error;
            },
          );
        if (kept) return;
      }
      const files = [{ name, data: await this.deps.images.get(card.image.key), contentType: 'image/png' }];
      await this.deps.rest.patch(route, {
        body: { ...body, attachments: [{ id: 0, filename: name }] },
        files,
        auth: false,
      });
    });
  }

  /** No thread can be made where the bot is not: the card's follow-ups stand in for it. */
  openThread(where: WebhookCardMessage): Promise<string> {
    return Promise.resolve(where.messageId);
  }

  postThreadStatus(where: WebhookCardMessage, _threadId: string, status: ThreadStatus): Promise<string> {
    return this.followUp(where, { body: renderDiscordThreadStatus(status) });
  }

  async editThreadStatus(
    where: WebhookCardMessage,
    _threadId: string,
    messageId: string,
    status: ThreadStatus,
  ): Promise<void> {
    await this.withToken(where, async (token) => {
      await this.deps.rest
        .patch(Routes.webhookMessage(this.deps.applicationId, token, messageId), {
          body: renderDiscordThreadStatus(status),
          auth: false,
        })
        .catch((error: unknown) => {
          // Sent under an older click's token, which alone may edit it: the card shows the state.
          if (error instanceof DiscordAPIError && error.code === unknownMessage) return;
          throw error;
        });
    });
  }

  postThreadNotice(where: WebhookCardMessage, _threadId: string, notice: ThreadNotice): Promise<string> {
    return this.followUp(where, {
      body: {
        content: renderDiscordChatText(notice.text),
        allowed_mentions: { parse: [], users: notice.pings.users, roles: notice.pings.groups },
      },
    });
  }

  /**
   * The views of a round as one gallery follow-up under the card, as the bot's thread shows them; an edit
   * sends only the files the message does not carry yet.
   */
  readonly gallery: ThreadGallery<WebhookCardMessage> = {
    maxImages: discordCardLimits.galleryItems,
    post: async (where, _threadId, images) => this.followUp(where, await this.galleryRequest(images)),
    edit: (where, _threadId, messageId, images) => this.editGallery(where, messageId, images),
  };

  /** One image as a gallery of its own (the notifier uses the gallery; kept for the CardOutbound contract). */
  async postThreadImage(where: WebhookCardMessage, _threadId: string, image: ThreadImage): Promise<string> {
    return this.followUp(where, await this.galleryRequest([image]));
  }

  /**
   * The gallery grown to `images`: the files it carries already are kept by id (read with the token),
   * only the new ones are sent, as the bot's thread gallery does.
   */
  private async editGallery(
    where: WebhookCardMessage,
    messageId: string,
    images: ThreadImage[],
  ): Promise<void> {
    await this.withToken(where, async (token) => {
      const route = Routes.webhookMessage(this.deps.applicationId, token, messageId);
      const carried = await this.deps.rest.get(route, { auth: false }).then(
        (message) => shownFileIds(message),
        (error: unknown) => {
          if (error instanceof DiscordAPIError && error.code === unknownMessage) return undefined;
          throw error;
        },
      );
      if (carried === undefined) {
        // Posted under an older click's token, which alone may edit it: the round's images go again
        // in a gallery of the newer token, so none is lost.
        await this.deps.rest.post(Routes.webhook(this.deps.applicationId, token), {
          ...(await this.galleryRequest(images)),
          auth: false,
        });
        return;
      }
      const { body, files } = await this.galleryRequest(images, carried);
      await this.deps.rest.patch(route, { body, ...(files.length > 0 ? { files } : {}), auth: false });
    });
  }

  /** A gallery message's body and the files it needs sent (all but those `carried` already, by name). */
  private async galleryRequest(
    images: ThreadImage[],
    carried: ReadonlyMap<string, string> = new Map(),
  ): Promise<{ body: unknown; files: { name: string; data: Buffer; contentType: string }[] }> {
    const { files: wanted, ...body } = renderDiscordThreadGallery(images);
    const keep = wanted.flatMap((file) => {
      const id = carried.get(file.name);
      return id === undefined ? [] : [{ id }];
    });
    const files = await Promise.all(
      wanted
        .filter((file) => !carried.has(file.name))
        .map(async (file) => ({
          name: file.name,
          data: await this.deps.images.get(file.imageKey),
          contentType: 'image/png',
        })),
    );
    return {
      body: { ...body, attachments: [...keep, ...files.map((file, id) => ({ id, filename: file.name }))] },
      files,
    };
  }

  private followUp(
    where: WebhookCardMessage,
    request: { body: unknown; files?: { name: string; data: Buffer; contentType: string }[] },
  ): Promise<string> {
    return this.withToken(where, async (token) => {
      const sent = await this.deps.rest.post(Routes.webhook(this.deps.applicationId, token), {
        ...request,
        auth: false,
      });
      return createdSchema.parse(sent).id;
    });
  }

  /** Runs `use` with the card's live token; a token Discord no longer honours is an expiry too. */
  private async withToken<T>(
    where: WebhookCardMessage,
    use: (token: string, messageRef: string) => Promise<T>,
  ): Promise<T> {
    const stored = await this.deps.tokens.read(where.messageId);
    const token =
      stored && stored.expiresAt > this.deps.clock() ? this.deps.seal.open(stored.sealedToken) : undefined;
    if (!stored || token === undefined) throw new CardTokenExpired(where.messageId);
    try {
      return await use(token, stored.messageRef);
    } catch (error) {
      if (
        error instanceof DiscordAPIError &&
        typeof error.code === 'number' &&
        deadTokenCodes.has(error.code)
      )
        throw new CardTokenExpired(where.messageId);
      throw error;
    }
  }
}
