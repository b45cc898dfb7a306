import { MessageFlags, type ChatInputCommandInteraction } from 'discord.js';
import type { Workspace } from '../../storage/schema.ts';
import { pricesOf, updateWorkspaceSettings } from '../../storage/workspaces.ts';
import { recentDesigns } from '../../workflow/design-history.ts';
import { loadSnapshot } from '../../workflow/design-snapshot.ts';
import { creditsText, historyStatus } from '../card/account-text.ts';
import { refusalMessage } from '../card/refusal-message.ts';
import { escapeDiscordText } from './discord-card.ts';
import type { DiscordContext } from './discord-context.ts';
import { readDiscordSurface, recordCardMessage } from './discord-surface.ts';

const managersOnly = 'Only members with the Manage Server permission can do that.';

export function discordHelpText(prices: { design: number; variation: number; edit: number }): string {
  return [
    '**Facet designs products with you, right here.**',
    '`/design create prompt:<description>`: start a design. The front view comes first; approve it, use a quick edit, or request changes. After approval the back, side, top and bottom views fill a thread.',
    '`/design credits`: your balance and recent entries. `/design history`: your recent designs.',
    'Members with Manage Server: `/design grant user:<member> amount:<n>` and `/design settings` (approver role, prices).',
    `Credits are reserved when you start (${prices.design}, plus ${prices.edit} per edit; a variation costs ${prices.variation}) and charged only when the design is complete; a failure, cancel or expiry returns them.`,
  ].join('\n');
}

/** `/design …`: the card is the one public reply; everything else answers privately. */
export async function handleDiscordCommand(
  interaction: ChatInputCommandInteraction,
  context: DiscordContext,
): Promise<void> {
  const subcommand = interaction.options.getSubcommand(false) ?? 'help';
  const guildId = interaction.guildId;
  if (!guildId) {
    await interaction.reply({
      content: 'Facet works in servers: use `/design` in a channel.',
      flags: MessageFlags.Ephemeral,
    });
    return;
  }
  if (subcommand === 'create') {
    await create(interaction, context, guildId);
    return;
  }
  // Private answers: acknowledged at once (Discord gives 3 s), filled in after.
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const tell = (content: string) => interaction.editReply({ content, allowedMentions: { parse: [] } });
  await context.failSafe(
    { guildId, userId: interaction.user.id, subcommand },
    async () => {
      const workspace = await context.workspace(guildId, interaction.guild?.name);
      await tell(await privateAnswer(subcommand, interaction, context, workspace));
    },
    tell,
  );
}

async function privateAnswer(
  subcommand: string,
  interaction: ChatInputCommandInteraction,
  context: DiscordContext,
  workspace: Workspace,
): Promise<string> {
  const { ledger, db } = context.deps;
  const account = { workspaceId: workspace.id, userId: interaction.user.id };
  switch (subcommand) {
    case 'credits': {
      const [balance, entries] = await Promise.all([ledger.balance(account), ledger.history(account, 8)]);
      const text = creditsText(balance, entries);
      return [text.headline, ...text.lines.map((line) => `• ${line}`)].join('\n');
    }
    case 'history': {
      const designs = await recentDesigns(db, {
        workspaceId: workspace.id,
        requesterId: interaction.user.id,
      });
      if (designs.length === 0) return 'You have no designs yet. Start one with `/design create`.';
      const lines = designs.map((design) => {
        const prompt = escapeDiscordText(
          design.prompt.length > 80 ? `${design.prompt.slice(0, 79)}…` : design.prompt,
        );
        const surface = readDiscordSurface(design.surface);
        const link = surface?.messageId
          ? `https://discord.com/channels/${surface.guildId}/${surface.channelId}/${surface.messageId}`
          : undefined;
        return `• ${link ? `[${prompt}](${link})` : prompt}: ${historyStatus(design)}`;
      });
      return ['**Your recent designs**', ...lines].join('\n').slice(0, 2000);
    }
    case 'grant': {
      if (!context.actor(interaction).isAdmin) return managersOnly;
      const user = interaction.options.getUser('user', true);
      const amount = interaction.options.getInteger('amount', true);
      if (user.bot) return 'Bots cannot hold credits.';
      const granted = await ledger.grant({
        account: { workspaceId: workspace.id, userId: user.id },
        amount,
        key: `discord-grant:${interaction.id}`,
        memo: `granted by ${interaction.user.id} in Discord`,
      });
      return `Granted ${amount} credits to <@${user.id}>: they now have ${granted.balance.available} available.`;
    }
    case 'settings':
      return settings(interaction, context, workspace);
    default:
      return discordHelpText(pricesOf(workspace));
  }
}

async function settings(
  interaction: ChatInputCommandInteraction,
  context: DiscordContext,
  workspace: Workspace,
): Promise<string> {
  const role = interaction.options.getRole('approver_role');
  const clear = interaction.options.getBoolean('clear_approver') ?? false;
  const prices = {
    design: interaction.options.getInteger('price_design'),
    variation: interaction.options.getInteger('price_variation'),
    edit: interaction.options.getInteger('price_edit'),
  };
  const changing = role !== null || clear || Object.values(prices).some((p) => p !== null);
  let current = workspace;
  if (changing) {
    if (!context.actor(interaction).isAdmin) return managersOnly;
    if (role && clear) return 'Pick an approver role or clear it, not both; nothing was changed.';
    const now = pricesOf(workspace);
    current = await updateWorkspaceSettings(context.deps.db, workspace.id, {
      approverGroup: clear ? null : (role?.id ?? workspace.approver_group),
      prices: {
        design: prices.design ?? now.design,
        variation: prices.variation ?? now.variation,
        edit: prices.edit ?? now.edit,
      },
    });
  }
  const p = pricesOf(current);
  return [
    changing
      ? 'Settings saved.'
      : 'Current settings (Manage Server can change them with the options of this command):',
    `Approvers: ${current.approver_group ? `members with <@&${current.approver_group}> and managers` : 'each requester approves their own designs'}`,
    `Prices: design ${p.design}, variation ${p.variation}, edit ${p.edit} credits`,
  ].join('\n');
}

async function create(interaction: ChatInputCommandInteraction, context: DiscordContext, guildId: string) {
  if (interaction.channel?.isThread()) {
    await interaction.reply({
      content:
        'Start designs in a channel, not in a thread: each design gets a thread of its own for its views.',
      flags: MessageFlags.Ephemeral,
    });
    return;
  }
  const missing = context.missingPermissions(interaction);
  if (missing.length > 0) {
    await interaction.reply({
      content: `Facet needs these permissions in this channel: ${missing.join(', ')}. Ask a server manager to grant them; nothing was reserved.`,
      flags: MessageFlags.Ephemeral,
    });
    return;
  }
  // The card is the public reply; the deferral shows "Facet is thinking…" at once.
  await interaction.deferReply();
  const tell = async (content: string) => {
    await interaction.deleteReply().catch(() => undefined);
    await interaction.followUp({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
  };
  await context.failSafe(
    { guildId, userId: interaction.user.id, subcommand: 'create' },
    async () => {
      const workspace = await context.workspace(guildId, interaction.guild?.name);
      const outcome = await context.deps.service.start({
        workspaceId: workspace.id,
        actor: context.actor(interaction),
        prompt: interaction.options.getString('prompt', true),
        requestKey: interaction.id,
        surface: { discord: { guildId, channelId: interaction.channelId } },
      });
      if (!outcome.ok) {
        await tell(refusalMessage(outcome));
        return;
      }
      if (outcome.replayed) return;
      const first = await loadSnapshot(context.deps.db, outcome.design.id);
      if (!first) return;
      try {
        const { body } = await context.deps.cards.render(first, false);
        const message = await interaction.editReply({
          embeds: body.embeds,
          components: body.components,
          allowedMentions: body.allowed_mentions,
        });
        await recordCardMessage(context.deps.db, outcome.design.id, message.id);
      } catch (error) {
        // Without a card nobody could approve it: give the credits back at once.
        await context.deps.service.cancel({ designId: outcome.design.id, actor: context.actor(interaction) });
        throw error;
      }
      await context.showNewest(outcome.design.id);
    },
    tell,
  );
}
