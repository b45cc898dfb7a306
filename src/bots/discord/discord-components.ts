import { MessageFlags, type ButtonInteraction, type ModalSubmitInteraction } from 'discord.js';
import type { Actor } from '../../workflow/actor.ts';
import { loadSnapshot } from '../../workflow/design-snapshot.ts';
import type { WorkflowOutcome } from '../../workflow/workflow-outcome.ts';
import { parseCardAction, variationKey, type CardAction } from '../card/card-action-id.ts';
import { refusalMessage } from '../card/refusal-message.ts';
import { runCardAction } from '../card-actions.ts';
import type { DiscordContext } from './discord-context.ts';
import { discordFeedbackModal, readDiscordFeedback } from './discord-feedback-modal.ts';
import { recordCardMessage } from './discord-surface.ts';

const privately = (content: string) =>
  ({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } }) as const;

/** A card button. Its custom id carries ids only; everything else is read from Postgres. */
export async function handleDiscordButton(
  interaction: ButtonInteraction,
  context: DiscordContext,
): Promise<void> {
  const parsed = parseCardAction(interaction.customId);
  if (!parsed || !interaction.guildId) {
    await interaction.reply(privately('That button is not one of ours any more; nothing was changed.'));
    return;
  }
  if (parsed.kind === 'request_changes') {
    // A modal must be the first answer to a click: whether this member may edit is checked on submit.
    await interaction.showModal(discordFeedbackModal(parsed));
    return;
  }
  if (parsed.kind === 'approve' || parsed.kind === 'variation') {
    const missing = context.missingPermissions(interaction);
    if (missing.length > 0) {
      await interaction.reply(
        privately(
          `Facet needs these permissions in this channel first: ${missing.join(', ')}. Nothing was changed.`,
        ),
      );
      return;
    }
  }
  await interaction.deferUpdate();
  const guildId = interaction.guildId;
  const tell = (content: string) => interaction.followUp(privately(content));
  await context.failSafe(
    { guildId, userId: interaction.user.id, action: parsed.kind, designId: parsed.designId },
    async () => {
      const workspace = await context.knownWorkspace(guildId);
      if (!workspace || !(await context.belongsTo(parsed.designId, workspace.id))) {
        await tell(refusalMessage({ reason: 'not_found' }));
        return;
      }
      const outcome = await run(
        parsed,
        context.actor(interaction),
        workspace.id,
        guildId,
        interaction.channelId,
      );
      if (!outcome.ok) await tell(refusalMessage(outcome));
    },
    tell,
  );

  async function run(
    action: Exclude<CardAction, { kind: 'request_changes' }>,
    actor: Actor,
    workspaceId: string,
    guild: string,
    channelId: string,
  ): Promise<WorkflowOutcome> {
    const { service } = context.deps;
    const { designId } = action;
    switch (action.kind) {
      case 'variation': {
        const outcome = await service.startVariation({
          workspaceId,
          actor,
          designId,
          requestKey: variationKey(designId, actor.userId),
          surface: { discord: { guildId: guild, channelId } },
        });
        if (outcome.ok && !outcome.replayed) await postCard(outcome.design.id, channelId);
        return outcome;
      }
      default:
        return runCardAction(service, action, actor);
    }
  }

  /** A variation's card is a new channel message, sent with the bot token. */
  async function postCard(designId: string, channelId: string): Promise<void> {
    const first = await loadSnapshot(context.deps.db, designId);
    if (!first) return;
    const { body } = await context.deps.cards.render(first, false);
    const message = await context.deps.cards.send(channelId, body);
    await recordCardMessage(context.deps.db, designId, message);
    await context.showNewest(designId);
  }
}

/** The Request changes modal coming back. */
export async function handleDiscordFeedback(
  interaction: ModalSubmitInteraction,
  context: DiscordContext,
): Promise<void> {
  const values = new Map<string, string>();
  for (const field of interaction.fields.fields.values())
    if ('value' in field && typeof field.value === 'string') values.set(field.customId, field.value);
  const feedback = readDiscordFeedback(interaction.customId, values);
  if ('error' in feedback || !interaction.guildId) {
    await interaction.reply(privately('error' in feedback ? feedback.error : 'Facet works in servers.'));
    return;
  }
  await interaction.deferUpdate();
  const guildId = interaction.guildId;
  const tell = (content: string) => interaction.followUp(privately(content));
  await context.failSafe(
    { guildId, userId: interaction.user.id, designId: feedback.designId },
    async () => {
      const workspace = await context.knownWorkspace(guildId);
      if (!workspace || !(await context.belongsTo(feedback.designId, workspace.id))) {
        await tell(refusalMessage({ reason: 'not_found' }));
        return;
      }
      const outcome = await context.deps.service.edit({
        designId: feedback.designId,
        actor: context.actor(interaction),
        iteration: feedback.iteration,
        edit: { feedback: feedback.feedback },
      });
      if (!outcome.ok) await tell(refusalMessage(outcome));
    },
    tell,
  );
}
