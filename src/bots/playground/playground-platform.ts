import type { ChatPlatform } from '../chat/chat-platform.ts';
import { playgroundSettingsUsage } from './playground-settings-command.ts';

/** The local playground as the chat layer sees it: one page, one workspace, cards shown by the page. */
export const playgroundPlatform: ChatPlatform = {
  platform: 'playground',
  words: {
    start: '`/design <description>`',
    example: '`/design wireless headphones in matte black`',
    grant: '`/design grant @ben 10`',
    historyDetail: '`/design history 2`',
    admins: 'Workspace admins (Ada: switch users at the top right)',
    adminsOnly: 'Only workspace admins can do that (switch to Ada).',
    settings: 'who approves, prices, candidates',
    settingsHowTo: `change who approves ${playgroundSettingsUsage}`,
    cannotPost: 'The playground could not show that design; nothing was charged.',
    outsideWorkspace: 'The playground is one workspace; this should not happen.',
  },
  settingsForm: false,
  cardPlace: () => ({}),
  cardMessageField: 'messageId',
  cardLink: () => Promise.resolve(undefined),
};
