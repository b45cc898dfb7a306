import type { ChatPlatform } from '../chat/chat-platform.ts';
import type { ChatWords } from '../chat/chat-words.ts';
import { parseDesignCommand, type ChatCommand } from '../chat/design-command.ts';
import { readSlackCardPlace } from './slack-card-place.ts';
import type { SlackClients } from './slack-clients.ts';

/** Slack escapes a mentioned user as `<@U123>` or `<@U123|name>` when the command asks it to. */
const slackMention = /^<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>$/;

export function parseSlackCommand(text: string): ChatCommand {
  return parseDesignCommand(text, slackMention);
}

export const slackWords: ChatWords = {
  start: '`/design <description>`',
  example: '`/design wireless headphones in matte black`',
  grant: '`/design grant @user <credits>`',
  historyDetail: '`/design history 2`',
  admins: 'Workspace admins',
  adminsOnly: 'Only workspace admins and owners can do that.',
  settings: 'who approves, prices, candidates',
  settingsHowTo: 'workspace admins change them with `/design settings`',
  cannotPost:
    'Facet cannot post in this conversation. Invite it first (`/invite @Facet`), or use a channel it is in; nothing was charged.',
  outsideWorkspace: 'Facet works in Slack workspaces: use `/design` in a channel.',
};

/** Slack as the chat layer sees it: its words, and its cards kept by team, channel and ts. */
export function slackPlatform(clients: SlackClients): ChatPlatform {
  return {
    platform: 'slack',
    words: slackWords,
    settingsForm: true,
    cardPlace: (origin) => ({ teamId: origin.workspace ?? '', channelId: origin.channelId }),
    cardMessageField: 'ts',
    async cardLink(surface) {
      const place = readSlackCardPlace(surface);
      if (!place?.ts) return undefined;
      const client = await clients.forTeam(place.teamId);
      const answer = await client.chat.getPermalink({ channel: place.channelId, message_ts: place.ts });
      return answer.permalink;
    },
  };
}
