import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  InteractionContextType,
  type RESTPutAPIApplicationCommandsJSONBody,
} from 'discord.js';
import { maxPromptLength } from '../../workflow/prompts.ts';
import { maxGrant, mostCandidates } from '../chat/design-command.ts';

const maxPrice = 1000;

const price = (name: string, description: string) => ({
  type: ApplicationCommandOptionType.Integer as const,
  name,
  description,
  min_value: 0,
  max_value: maxPrice,
  required: false,
});

const candidates = (name: string, description: string) => ({
  type: ApplicationCommandOptionType.Integer as const,
  name,
  description,
  min_value: 1,
  max_value: mostCandidates,
  required: false,
});

/** `/design` and its subcommands, as registered with Discord (`facet discord register`). */
export const discordCommands: RESTPutAPIApplicationCommandsJSONBody = [
  {
    type: ApplicationCommandType.ChatInput,
    name: 'design',
    description: 'Design a product with AI: the front view first, then four more views',
    contexts: [InteractionContextType.Guild],
    options: [
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'create',
        description: 'Start a design from a description',
        options: [
          {
            type: ApplicationCommandOptionType.String,
            name: 'prompt',
            description: 'What to design, e.g. wireless headphones in matte black',
            required: true,
            min_length: 1,
            max_length: maxPromptLength,
          },
          {
            type: ApplicationCommandOptionType.Attachment,
            name: 'image',
            description: 'A sketch or photo to start from (PNG, JPEG or WebP, up to 10 MB)',
            required: false,
          },
          {
            type: ApplicationCommandOptionType.Integer,
            name: 'candidates',
            description: 'Front views to pick from each round (each extra costs an edit)',
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
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'history',
        description: 'Your recent designs, with links',
        options: [
          {
            type: ApplicationCommandOptionType.Integer,
            name: 'design',
            description: 'Show one of the list in detail: 1 is the newest',
            required: false,
            min_value: 1,
            max_value: 10,
          },
        ],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'pending',
        description: 'What waits for your approval, with Approve and Decline (only you see it)',
      },
      { type: ApplicationCommandOptionType.Subcommand, name: 'help', description: 'How Facet works' },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'grant',
        description: 'Give a member credits (Manage Server)',
        options: [
          {
            type: ApplicationCommandOptionType.User,
            name: 'user',
            description: 'Who receives them',
            required: true,
          },
          {
            type: ApplicationCommandOptionType.Integer,
            name: 'amount',
            description: 'How many credits',
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
        options: [
          {
            type: ApplicationCommandOptionType.Role,
            name: 'approver_role',
            description: 'Only members with this role (and managers) approve designs',
            required: false,
          },
          {
            type: ApplicationCommandOptionType.Boolean,
            name: 'clear_approver',
            description: 'Let requesters approve their own designs again',
            required: false,
          },
          {
            type: ApplicationCommandOptionType.String,
            name: 'requesters_approve',
            description: 'May requesters approve their own designs? (default: only without a role)',
            required: false,
            choices: [
              { name: 'yes', value: 'yes' },
              { name: 'no: an approver must', value: 'no' },
              { name: 'default', value: 'default' },
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
            required: false,
            min_value: 0,
            max_value: 1_000_000,
          },
          {
            type: ApplicationCommandOptionType.Boolean,
            name: 'clear_budget',
            description: "Go back to the operator's default monthly AI budget",
            required: false,
          },
          {
            type: ApplicationCommandOptionType.Boolean,
            name: 'thread_replies',
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
      },
    ],
  },
];
