import { hostBoundImageSource } from '../chat/host-bound-image-source.ts';
import type { InputImageSource } from '../chat/input-image-source.ts';
import type { ChatPlatform } from '../chat/chat-platform.ts';
import type { ChatWords } from '../chat/chat-words.ts';
import { candidateCount, candidatesUsage, overLongPrompt, type ChatCommand } from '../chat/design-command.ts';
import { readDiscordCardPlace } from './discord-card-place.ts';
import type { DiscordAttachment, DiscordCommandOptions } from './discord-command-options.ts';
import { isPersonalWorkspace, type DiscordInstall } from './discord-install.ts';
import { webhookCardPlace } from './discord-webhook-card-place.ts';

export const discordWords: ChatWords = {
  start: '`/design create prompt:<description>`',
  example: '`/design create prompt:wireless headphones in matte black`',
  grant: '`/design grant user:<member> amount:<n>`',
  historyDetail: '`/design history design:2`',
  admins: 'Members with Manage Server',
  adminsOnly: 'Only members with the Manage Server permission can do that.',
  settings: 'approver role, prices, candidates',
  settingsHowTo: 'Manage Server can change them with the options of this command',
  cannotPost:
    'Facet cannot post in this channel: ask a server manager to let it send messages, embed links and attach files here; nothing was charged.',
  outsideWorkspace: 'Facet works in servers: use `/design` in a channel.',
};

/** Discord as the chat layer sees it: its words, and its cards kept by guild, channel and message. */
export const discordPlatform: ChatPlatform = {
  platform: 'discord',
  words: discordWords,
  settingsForm: false,
  cardPlace: (origin) =>
    origin.workspace !== null && isPersonalWorkspace(origin.workspace)
      ? webhookCardPlace(origin)
      : { guildId: origin.workspace ?? '', channelId: origin.channelId },
  cardMessageField: 'messageId',
  cardLink(surface) {
    const place = readDiscordCardPlace(surface);
    return Promise.resolve(
      place?.messageId
        ? `https://discord.com/channels/${place.guildId}/${place.channelId}/${place.messageId}`
        : undefined,
    );
  },
};

/** Discord's attachment hosts. */
export const discordImageHosts = ['cdn.discordapp.com', 'media.discordapp.net'] as const;

/** Discord's hosts, and the host of a configured REST base URL (a proxy, or the fake in tests). */
export function discordImageHostsFor(apiUrl: string | undefined): string[] {
  return [...discordImageHosts, ...(apiUrl ? [new URL(apiUrl).host] : [])];
}

/**
 * A command's attachment, fetched from Discord's CDN without credentials (its URLs are signed). The size
 * Discord reports is checked first; the bytes are checked again when read.
 */
function discordAttachmentSource(attachment: DiscordAttachment, hosts: readonly string[]): InputImageSource {
  return hostBoundImageSource({ url: attachment.url, allowedHosts: hosts, declaredBytes: attachment.size });
}

/** What makes no sense in someone's personal workspace (a user install, a DM): nobody else is in it. */
const personalOnly = {
  grant:
    'Your personal credits are yours alone: grants to others happen in a server that installed Facet; nothing was changed.',
  approvers:
    'You approve your own designs here: approver roles belong to servers that installed Facet; nothing was changed.',
} as const;

/**
 * `/design <subcommand> <options>` as the chat layer's command. `imageHosts`: where Discord serves
 * attachments (its CDN; the fake's host in tests): an attachment URL anywhere else is never fetched.
 */
export function readDiscordCommand(
  interaction: { options: DiscordCommandOptions },
  install: DiscordInstall,
  imageHosts: readonly string[] = discordImageHosts,
): ChatCommand {
  const command = readCommandOptions(interaction, imageHosts);
  if (install.kind !== 'personal') return command;
  if (command.kind === 'grant' && command.userId !== install.ownerId)
    return { kind: 'misuse', text: personalOnly.grant };
  if (
    command.kind === 'settings' &&
    (command.change?.approverGroup !== undefined || command.change?.requestersApprove !== undefined)
  )
    return { kind: 'misuse', text: personalOnly.approvers };
  return command;
}

function readCommandOptions(
  interaction: { options: DiscordCommandOptions },
  imageHosts: readonly string[],
): ChatCommand {
  const { options } = interaction;
  switch (options.getSubcommand(false)) {
    case 'create': {
      // Discord clients keep the option to its max_length; a longer one is forged, and refused at once.
      const prompt = options.getString('prompt', true);
      const attachment = options.getAttachment('image');
      const asked = options.getInteger('candidates');
      const candidates = asked === null ? undefined : candidateCount(asked);
      // Discord keeps the option within 1 to 4; anything else was forged.
      if (asked !== null && candidates === undefined) return { kind: 'misuse', text: candidatesUsage };
      return (
        overLongPrompt(prompt) ?? {
          kind: 'create',
          prompt,
          ...(attachment ? { image: discordAttachmentSource(attachment, imageHosts) } : {}),
          ...(candidates ? { candidates } : {}),
        }
      );
    }
    case 'credits':
      return { kind: 'credits' };
    case 'history':
      return { kind: 'history', position: options.getInteger('design') ?? undefined };
    case 'pending':
      return { kind: 'pending' };
    case 'grant': {
      const user = options.getUser('user', true);
      return {
        kind: 'grant',
        userId: user.id,
        amount: options.getInteger('amount', true),
        userIsBot: user.bot,
      };
    }
    case 'settings': {
      const role = options.getRole('approver_role');
      const clear = options.getBoolean('clear_approver') ?? false;
      if (role && clear)
        return { kind: 'misuse', text: 'Pick an approver role or clear it, not both; nothing was changed.' };
      const prices = {
        design: options.getInteger('price_design') ?? undefined,
        variation: options.getInteger('price_variation') ?? undefined,
        edit: options.getInteger('price_edit') ?? undefined,
      };
      const budgetUsd = options.getNumber('monthly_budget_usd');
      const clearBudget = options.getBoolean('clear_budget') ?? false;
      if (budgetUsd !== null && clearBudget)
        return {
          kind: 'misuse',
          text: 'Give a monthly budget or clear it, not both; nothing was changed.',
        };
      const candidates = {
        default: candidateCount(options.getInteger('candidates_default')),
        max: candidateCount(options.getInteger('candidates_max')),
      };
      const ownApproval = options.getString('requesters_approve');
      const requestersApprove =
        ownApproval === null ? undefined : ownApproval === 'default' ? null : ownApproval === 'yes';
      const monthlyBudgetCents = clearBudget
        ? null
        : budgetUsd === null
          ? undefined
          : Math.round(budgetUsd * 100);
      const threadReplies = options.getBoolean('thread_replies') ?? undefined;
      const changing =
        threadReplies !== undefined ||
        role !== null ||
        clear ||
        requestersApprove !== undefined ||
        monthlyBudgetCents !== undefined ||
        Object.values(candidates).some((n) => n !== undefined) ||
        Object.values(prices).some((p) => p !== undefined);
      return {
        kind: 'settings',
        change: changing
          ? {
              approverGroup: clear ? null : role?.id,
              requestersApprove,
              prices,
              monthlyBudgetCents,
              candidates,
              threadReplies,
            }
          : null,
      };
    }
    case 'usage':
      return { kind: 'usage' };
    default:
      return { kind: 'help' };
  }
}
