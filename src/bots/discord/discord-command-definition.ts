import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  type RESTPutAPIApplicationCommandsJSONBody,
} from 'discord.js';
import { maxPromptLength } from '../../workflow/prompts.ts';
import { historyLength, maxGrant, mostCandidates } from '../chat/design-command.ts';
import { localisationsOf as localised } from './discord-command-locales.ts';

const maxPrice = 1000;

const price = (name: string, description: string) => ({
  type: ApplicationCommandOptionType.Integer as const,
  name,
  description,
  ...localised(`design.settings.${name}`),
  min_value: 0,
  max_value: maxPrice,
  required: false,
});

const candidates = (name: string, description: string) => ({
  type: ApplicationCommandOptionType.Integer as const,
  name,
  description,
  ...localised(`design.settings.${name}`),
  min_value: 1,
  max_value: mostCandidates,
  required: false,
});

const choice = (value: string) => ({
  name_localizations: localised(`design.settings.requesters_approve=${value}`).name_localizations,
});

/**
 * `/design` and its subcommands, as registered with Discord (`facet discord register`). Installable to
 * servers and to users (a user install works where the bot is not: the person's own credits, cards over
 * the interaction's webhook); usable in servers, the bot's DMs and private channels. Every part carries
 * its translations (discord-command-locales.ts), by its path of English names.
 */
export const discordCommands: RESTPutAPIApplicationCommandsJSONBody = [
  {
    type: ApplicationCommandType.ChatInput,
    name: 'design',
    description: 'Design a product with AI: the front view first, then four more views',
    ...localised('design'),
    integration_types: [ApplicationIntegrationType.GuildInstall, ApplicationIntegrationType.UserInstall],
    contexts: [
      InteractionContextType.Guild,
      InteractionContextType.BotDM,
      InteractionContextType.PrivateChannel,
    ],
    options: [
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'create',
        description: 'Start a design from a description',
        ...localised('design.create'),
        options: [
          {
            type: ApplicationCommandOptionType.String,
            name: 'prompt',
            description: 'What to design, e.g. wireless headphones in matte black',
            ...localised('design.create.prompt'),
            required: true,
            min_length: 1,
            max_length: maxPromptLength,
          },
          {
            type: ApplicationCommandOptionType.Attachment,
            name: 'image',
            description: 'A sketch or photo to start from (PNG, JPEG or WebP, up to 10 MB)',
            ...localised('design.create.image'),
            required: false,
          },
          {
            type: ApplicationCommandOptionType.Integer,
            name: 'candidates',
            description: 'Front views to pick from each round (each extra costs an edit)',
            ...localised('design.create.candidates'),
            required: false,
            min_value: 1,
            max_value: mostCandidates,
          },
        ],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'credits',
        description: 'Your credits and recent entries',
        ...localised('design.credits'),
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'history',
        description: 'Your recent designs, with links',
        ...localised('design.history'),
        options: [
          {
            type: ApplicationCommandOptionType.Integer,
            name: 'design',
            description: 'Show one of your designs in detail (type to search)',
            ...localised('design.history.design'),
            required: false,
            // The value is the design's place in the list (1 is the newest); autocomplete offers them.
            autocomplete: true,
            min_value: 1,
            max_value: historyLength,
          },
        ],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'pending',
        description: 'What waits for your approval, with Approve and Decline (only you see it)',
        ...localised('design.pending'),
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'help',
        description: 'How Facet works',
        ...localised('design.help'),
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'grant',
        description: 'Give a member credits (Manage Server)',
        ...localised('design.grant'),
        options: [
          {
            type: ApplicationCommandOptionType.User,
            name: 'user',
            description: 'Who receives them',
            ...localised('design.grant.user'),
            required: true,
          },
          {
            type: ApplicationCommandOptionType.Integer,
            name: 'amount',
            description: 'How many credits',
            ...localised('design.grant.amount'),
            required: true,
            min_value: 1,
            max_value: maxGrant,
          },
        ],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'settings',
        description: 'Who approves and what designs cost (Manage Server); no options shows them',
        ...localised('design.settings'),
        options: [
          {
            type: ApplicationCommandOptionType.Role,
            name: 'approver_role',
            description: 'Only members with this role (and managers) approve designs',
            ...localised('design.settings.approver_role'),
            required: false,
          },
          {
            type: ApplicationCommandOptionType.Boolean,
            name: 'clear_approver',
            description: 'Let requesters approve their own designs again',
            ...localised('design.settings.clear_approver'),
            required: false,
          },
          {
            type: ApplicationCommandOptionType.String,
            name: 'requesters_approve',
            description: 'May requesters approve their own designs? (default: only without a role)',
            ...localised('design.settings.requesters_approve'),
            required: false,
            choices: [
              { name: 'yes', value: 'yes', ...choice('yes') },
              { name: 'no: an approver must', value: 'no', ...choice('no') },
              { name: 'default', value: 'default', ...choice('default') },
            ],
          },
          price('price_design', 'Credits a design costs'),
          price('price_variation', 'Credits a variation costs'),
          price('price_edit', 'Credits each edit costs'),
          candidates('candidates_default', 'Front-view candidates a design draws unless asked'),
          candidates('candidates_max', 'Most front-view candidates a member may ask for'),
          {
            type: ApplicationCommandOptionType.Number,
            name: 'monthly_budget_usd',
            description: 'Estimated AI spend allowed per month, in US dollars',
            ...localised('design.settings.monthly_budget_usd'),
            required: false,
            min_value: 0,
            max_value: 1_000_000,
          },
          {
            type: ApplicationCommandOptionType.Boolean,
            name: 'clear_budget',
            description: "Go back to the operator's default monthly AI budget",
            ...localised('design.settings.clear_budget'),
            required: false,
          },
          {
            type: ApplicationCommandOptionType.Boolean,
            name: 'thread_replies',
            ...localised('design.settings.thread_replies'),
            description:
              "Take replies in a card's thread as Request changes (needs the Message Content intent)",
            required: false,
          },
        ],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'usage',
        description: "This month's AI usage and estimated spend (Manage Server)",
        ...localised('design.usage'),
      },
    ],
  },
];
