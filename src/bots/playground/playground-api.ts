import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import { remainingViews } from '../../workflow/views.ts';
import { ChatBot, type ChatCore } from '../chat/chat-bot.ts';
import type { ChatOrigin } from '../chat/chat-request.ts';
import type { InputImageSource } from '../chat/input-image-source.ts';
import { plainChatText } from '../chat/chat-text.ts';
import { WaitingForYou, type ChatHome } from '../chat/waiting-for-you.ts';
import { parseDesignCommand } from '../chat/design-command.ts';
import type { PlaygroundHub } from './playground-hub.ts';
import { playgroundPlatform } from './playground-platform.ts';
import { PlaygroundReplies, type PlaygroundAnswer } from './playground-replies.ts';
import type { PlaygroundDesign } from './playground-design.ts';
import { parsePlaygroundSettings } from './playground-settings-command.ts';
import {
  isPlaygroundUser,
  playgroundActor,
  playgroundMention,
  playgroundUsers,
  playgroundWorkspace,
  type PlaygroundUserId,
} from './playground-users.ts';

const userSchema = z.string().refine(isPlaygroundUser, 'unknown playground user');

export const commandRequestSchema = z.object({
  userId: userSchema,
  // Only the body limit bounds it: an over-long description gets the length answer every platform gives.
  text: z.string(),
  /** Chosen by the page per submission: a resubmitted form starts one design. */
  requestId: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[\w.:-]+$/, 'letters, digits and . : _ - only'),
});
export const actionRequestSchema = z.object({ userId: userSchema, actionId: z.string().max(200) });
/**
 * A form coming back: a reason to decline an iteration (`form: decline`), changes to an iteration's front
 * view, or to one view (`view`) of a finished design. The decline comes first: the others would read it too.
 */
export const feedbackRequestSchema = z.union([
  z.object({
    userId: userSchema,
    designId: z.uuid(),
    iteration: z.number().int().positive(),
    form: z.literal('decline'),
    feedback: z.string(),
  }),
  z.object({
    userId: userSchema,
    designId: z.uuid(),
    iteration: z.number().int().positive(),
    // No cap here: the body limit (32 KB) bounds it, and the chat layer answers an over-long one by its limit.
    feedback: z.string(),
  }),
  z.object({ userId: userSchema, designId: z.uuid(), view: z.enum(remainingViews), feedback: z.string() }),
]);

/** A message written in a design's thread panel; `requestId` (the page's) makes a resend count once. */
export const replyRequestSchema = z.object({
  userId: userSchema,
  designId: z.uuid(),
  // Only the body limit bounds it: an over-long reply gets the form's length answer.
  text: z.string(),
  requestId: commandRequestSchema.shape.requestId,
});

/** The mark on a reply taken as Request changes, as Slack and Discord show it. */
export const playgroundReplyReaction = '👀';

export type { PlaygroundAnswer };

/** The side panel's lists; the settings (admins) as plain text, as the page's notes are. */
export type PlaygroundHome = Omit<ChatHome, 'settings'> & { settings: string | null };

export const homeRequestSchema = z.object({ user: userSchema });

export type PlaygroundApiDeps = {
  core: ChatCore;
  hub: PlaygroundHub;
  logger: Logger;
};

/** The playground page's commands, clicks and forms, answered by the same chat layer as Slack and Discord. */
export class PlaygroundApi {
  private readonly bot: ChatBot;
  private readonly waiting: WaitingForYou;

  constructor(private readonly deps: PlaygroundApiDeps) {
    this.bot = new ChatBot({ ...deps.core, platform: playgroundPlatform, logger: deps.logger });
    this.waiting = new WaitingForYou({ ...deps.core, platform: playgroundPlatform });
  }

  /** The side panel: what waits for this user's approval, and their designs (Slack's Home tab, here). */
  async home(userId: PlaygroundUserId): Promise<PlaygroundHome> {
    const home = await this.waiting.home(await this.workspace(), playgroundActor(userId));
    return { ...home, settings: home.settings && plainChatText(home.settings, (id) => `@${id}`) };
  }

  workspace() {
    return this.deps.core.workspaces.ensure(
      playgroundWorkspace.platform,
      playgroundWorkspace.externalId,
      'Playground',
    );
  }

  async users(): Promise<
    { id: string; name: string; role: string; balance: number; held: number; available: number }[]
  > {
    const workspace = await this.workspace();
    return Promise.all(
      playgroundUsers.map(async (user) => ({
        ...user,
        ...(await this.deps.core.credits.balance({ workspaceId: workspace.id, userId: user.id })),
      })),
    );
  }

  async designs(): Promise<PlaygroundDesign[]> {
    const workspace = await this.workspace();
    const views: PlaygroundDesign[] = [];
    for (const id of await this.deps.core.designs.latestIds(workspace.id, 20)) {
      const snapshot = await this.deps.core.service.snapshot(id);
      if (snapshot) views.push(await this.deps.hub.present(snapshot));
    }
    return views;
  }

  async command(request: z.infer<typeof commandRequestSchema>): Promise<PlaygroundAnswer> {
    const typed = request.text.trim();
    if (!typed.startsWith('/design'))
      return {
        reply: 'Commands start with `/design`, e.g. `/design a ceramic desk lamp`. Try `/design help`.',
      };
    const replies = new PlaygroundReplies();
    await this.bot.command(
      // The page chooses its ids: kept apart from any other platform's request keys.
      { origin: origin(request.userId, `playground:${request.requestId}`), replies },
      parsePlaygroundSettings(typed) ??
        parseDesignCommand(typed.replace(/^\/design\b/, ''), playgroundMention),
    );
    return replies.answer;
  }

  /**
   * `/design <description>` sent with an image uploaded from the page (the request's body, read only up
   * to the limit). Anything but a new design's description is answered without reading the image.
   */
  async commandWithImage(
    request: z.infer<typeof commandRequestSchema>,
    image: InputImageSource,
  ): Promise<PlaygroundAnswer> {
    const typed = request.text.trim();
    const command = typed.startsWith('/design')
      ? parseDesignCommand(typed.replace(/^\/design\b/, ''), playgroundMention)
      : undefined;
    if (command?.kind !== 'create' && command?.kind !== 'misuse')
      return {
        reply:
          'An image goes with a new design: type `/design <description>` and attach it. Nothing was started.',
      };
    const replies = new PlaygroundReplies();
    await this.bot.command(
      { origin: origin(request.userId, `playground:${request.requestId}`), replies },
      command.kind === 'create' ? { ...command, image } : command,
    );
    return replies.answer;
  }

  async action(request: z.infer<typeof actionRequestSchema>): Promise<PlaygroundAnswer> {
    const replies = new PlaygroundReplies();
    await this.bot.click({ origin: origin(request.userId, randomUUID()), replies }, request.actionId);
    return replies.answer;
  }

  reply(request: z.infer<typeof replyRequestSchema>): Promise<PlaygroundAnswer> {
    return playgroundThreadReply(this.bot, request);
  }

  async feedback(request: z.infer<typeof feedbackRequestSchema>): Promise<PlaygroundAnswer> {
    const replies = new PlaygroundReplies();
    await this.bot.submit(
      { origin: origin(request.userId, randomUUID()), replies },
      'view' in request
        ? { kind: 'view_edit', designId: request.designId, view: request.view, instruction: request.feedback }
        : 'form' in request
          ? {
              kind: 'decline',
              designId: request.designId,
              iteration: request.iteration,
              reason: request.feedback,
            }
          : {
              kind: 'feedback',
              designId: request.designId,
              iteration: request.iteration,
              feedback: request.feedback,
            },
    );
    return replies.answer;
  }
}

/** The page's thread panel: a reply there is read as in a Slack or Discord card's thread. */
export async function playgroundThreadReply(
  bot: ChatBot,
  request: z.infer<typeof replyRequestSchema>,
): Promise<PlaygroundAnswer> {
  const answer: PlaygroundAnswer = {};
  const requestId = `playground:${request.requestId}`;
  await bot.threadReply(
    {
      origin: origin(request.userId, requestId),
      answers: {
        react: () => {
          answer.reaction = playgroundReplyReaction;
          return Promise.resolve();
        },
        tell: (text) => {
          answer.reply = text;
          return Promise.resolve();
        },
      },
    },
    { threadOf: { designId: request.designId }, text: request.text, messageId: requestId },
  );
  return answer;
}

function origin(userId: PlaygroundUserId, requestId: string): ChatOrigin {
  return {
    platform: 'playground',
    workspace: playgroundWorkspace.externalId,
    workspaceName: 'Playground',
    channelId: 'playground',
    userId,
    requestId,
    missingPermissions: [],
    inThread: false,
    actor: () => Promise.resolve(playgroundActor(userId)),
  };
}
