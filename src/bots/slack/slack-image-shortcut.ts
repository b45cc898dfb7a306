import type { App, MessageShortcut } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { z } from 'zod';
import { maxPromptLength } from '../../workflow/prompts.ts';
import type { ChatBot } from '../chat/chat-bot.ts';
import { overLongPrompt, type ChatCommand } from '../chat/design-command.ts';
import { hostBoundImageSource } from '../chat/host-bound-image-source.ts';
import type { InputImageSource } from '../chat/input-image-source.ts';
import type { ChatOrigin } from '../chat/chat-request.ts';
import type { SlackActors } from './slack-actors.ts';
import { SlackReplies } from './slack-replies.ts';

/** The message shortcut "Design from this image" (manifest.yml) and the form it opens. */
export const imageShortcutCallbackId = 'facet_design_from_image';
export const imageFormCallbackId = 'facet_design_from_image_form';
const promptBlockId = 'facet_image_prompt_block';
const promptActionId = 'facet_image_prompt_text';

/** Slack serves files from here; a configured API base URL (a proxy, the fake in tests) adds its host. */
export function slackImageHostsFor(apiUrl: string | undefined): string[] {
  return ['files.slack.com', ...(apiUrl ? [new URL(apiUrl).host] : [])];
}

const shortcutSchema = z.object({
  trigger_id: z.string(),
  team: z.object({ id: z.string() }).nullish(),
  user: z.object({ id: z.string(), team_id: z.string().optional() }),
  channel: z.object({ id: z.string() }),
  message: z.object({
    thread_ts: z.string().optional(),
    files: z
      .array(z.object({ id: z.string(), mimetype: z.string().optional(), filetype: z.string().optional() }))
      .optional(),
  }),
});

/** What the form carries back: ids only; the file's URL is asked of Slack again on submission. */
const metadataSchema = z.object({ channelId: z.string().min(1), fileId: z.string().min(1) });

/** files.info's answer, as far as it is read. */
const fileInfoSchema = z.object({
  file: z.object({
    /** Where the file is shared: public channels, private ones, direct messages. */
    channels: z.array(z.string()).optional(),
    groups: z.array(z.string()).optional(),
    ims: z.array(z.string()).optional(),
    size: z.number().int().nonnegative().optional(),
    url_private_download: z.string().optional(),
    url_private: z.string().optional(),
  }),
});

const submissionSchema = z.object({
  id: z.string(),
  private_metadata: z.string(),
  state: z.object({
    values: z.record(z.string(), z.record(z.string(), z.object({ value: z.string().nullish() }))),
  }),
});

const noImage =
  'That message has no image file. Use “Design from this image” on a message with a PNG, JPEG or WebP image attached; nothing was started or charged.';

/** The first file of a message that says it is an image (its bytes are checked once fetched). */
function imageFileOf(message: z.infer<typeof shortcutSchema>['message']): string | undefined {
  return message.files?.find(
    (file) =>
      file.mimetype?.startsWith('image/') === true ||
      ['png', 'jpg', 'jpeg', 'webp'].includes(file.filetype ?? ''),
  )?.id;
}

function imageForm(metadata: z.infer<typeof metadataSchema>) {
  return {
    type: 'modal' as const,
    callback_id: imageFormCallbackId,
    private_metadata: JSON.stringify(metadata),
    title: { type: 'plain_text' as const, text: 'Design from this image' },
    submit: { type: 'plain_text' as const, text: 'Start design' },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: promptBlockId,
        label: { type: 'plain_text' as const, text: 'What should it become?' },
        hint: {
          type: 'plain_text' as const,
          text: 'The image is the starting point; describe the product, its materials and colours.',
        },
        element: {
          type: 'plain_text_input',
          action_id: promptActionId,
          multiline: true,
          max_length: maxPromptLength,
          placeholder: { type: 'plain_text' as const, text: 'e.g. a desk lamp in brushed aluminium' },
        },
      },
    ],
  };
}

/**
 * The file behind a form, fetched with the bot token from Slack's file host only. Its URL is asked of
 * Slack (files.info) rather than taken from the form, whose metadata could be forged; and the file must be
 * shared in the channel the form names, so a forged file id cannot fetch one from elsewhere.
 */
function slackFileSource(
  client: WebClient,
  token: string,
  target: z.infer<typeof metadataSchema>,
  hosts: readonly string[],
): InputImageSource {
  return {
    async read(maxBytes) {
      const info = fileInfoSchema.safeParse(
        await client.files.info({ file: target.fileId }).catch(() => undefined),
      );
      const file = info.data?.file;
      const url = file?.url_private_download ?? file?.url_private;
      if (!file || url === undefined) return { kind: 'unavailable', detail: 'files.info failed' };
      const sharedIn = [...(file.channels ?? []), ...(file.groups ?? []), ...(file.ims ?? [])];
      if (!sharedIn.includes(target.channelId))
        return { kind: 'unavailable', detail: 'the file is not shared in the form’s channel' };
      const size = file.size;
      if (size !== undefined && size > maxBytes)
        return { kind: 'read', bytes: Buffer.alloc(0), truncated: true, totalBytes: size };
      return hostBoundImageSource({
        url,
        allowedHosts: hosts,
        headers: { authorization: `Bearer ${token}` },
      }).read(maxBytes);
    },
  };
}

/**
 * "Design from this image": on a message with an image file, a form asks for the description; its
 * submission is `/design create` with that image. Registered by slack-listeners.ts.
 */
export function registerSlackImageShortcut(
  app: App,
  deps: { bot: ChatBot; actors: SlackActors; imageHosts: readonly string[]; logger: Logger },
) {
  app.shortcut<MessageShortcut>(
    { callback_id: imageShortcutCallbackId, type: 'message_action' },
    async ({ ack, shortcut, client, respond }) => {
      await ack();
      const parsed = shortcutSchema.safeParse(shortcut);
      if (!parsed.success) return;
      const { message, channel, trigger_id: triggerId } = parsed.data;
      const fileId = imageFileOf(message);
      if (!fileId) {
        await respond({ response_type: 'ephemeral', text: noImage });
        return;
      }
      await client.views
        .open({ trigger_id: triggerId, view: imageForm({ channelId: channel.id, fileId }) })
        .catch(async (error: unknown) => {
          deps.logger.warn({ err: error }, 'image design form not opened');
          await respond({
            response_type: 'ephemeral',
            text: 'The form could not be opened (Slack was slow to answer); use the shortcut again.',
          });
        });
    },
  );

  app.view(imageFormCallbackId, async ({ ack, body, view, client, context }) => {
    const teamId = body.team?.id ?? body.user.team_id ?? '';
    const form = submissionSchema.safeParse(view);
    const metadata = form.success ? readMetadata(form.data.private_metadata) : undefined;
    const prompt = form.success
      ? (form.data.state.values[promptBlockId]?.[promptActionId]?.value ?? '').trim()
      : '';
    const token = context.botToken;
    const origin: ChatOrigin = {
      platform: 'slack',
      workspace: teamId,
      channelId: metadata?.channelId ?? '',
      userId: body.user.id,
      requestId: view.id,
      missingPermissions: [],
      inThread: false,
      actor: (workspace) => deps.actors.actorFor(client, workspace, body.user.id),
    };
    const replies = new SlackReplies(
      { kind: 'view', ack: (answer) => ack(answer), errorBlock: promptBlockId },
      {
        client,
        channelId: metadata?.channelId,
        userId: body.user.id,
        triggerId: undefined,
        teamId,
        logger: deps.logger,
      },
    );
    if (!metadata || token === undefined)
      return replies.rejectForm('This form is out of date; close it and use the shortcut again.');
    if (prompt === '') return replies.rejectForm('Describe the product to design from the image.');
    const command: ChatCommand = overLongPrompt(prompt) ?? {
      kind: 'create',
      prompt,
      image: slackFileSource(client, token, metadata, deps.imageHosts),
    };
    if (command.kind === 'misuse') return replies.rejectForm(command.text);
    await deps.bot.command({ origin, replies }, command);
  });
}

function readMetadata(text: string): z.infer<typeof metadataSchema> | undefined {
  try {
    const parsed = metadataSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
