import type { App, RespondFn, SlashCommand } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Workspace } from '../../storage/schema.ts';
import { pricesOf, updateWorkspaceSettings } from '../../storage/workspaces.ts';
import { recentDesigns } from '../../workflow/design-history.ts';
import { creditsText, historyStatus } from '../card/account-text.ts';
import { refusalMessage } from '../card/refusal-message.ts';
import { escapeSlackText } from './slack-blocks.ts';
import { parseSlackCommand, slackHelpText, type SlackCommand } from './slack-command-text.ts';
import type { SlackContext } from './slack-context.ts';
import { readSettingsSubmission, settingsModal, settingsModalCallbackId } from './slack-settings-modal.ts';
import { readSlackSurface } from './slack-surface.ts';

const platformErrorSchema = z.object({ data: z.object({ error: z.string() }) });

/** Slack's answers when the bot may not post where the command was typed (private channel, DM). */
function cannotPostIn(error: unknown): boolean {
  const parsed = platformErrorSchema.safeParse(error);
  return (
    parsed.success && ['not_in_channel', 'channel_not_found', 'is_archived'].includes(parsed.data.data.error)
  );
}

const adminsOnly = 'Only workspace admins and owners can do that.';

/** `/design …` and the admin settings modal. Every answer but the card itself is ephemeral. */
export function registerSlackCommands(app: App, context: SlackContext): void {
  const { deps } = context;

  app.command('/design', async ({ ack, command, respond, client }) => {
    // Slack always sends `text`; a request without it gets the usage, not a crash (Bolt's types trust it).
    const text: unknown = command.text;
    const parsed = parseSlackCommand(typeof text === 'string' ? text : '');
    if (parsed.kind === 'usage') return ack({ response_type: 'ephemeral', text: parsed.text });
    await ack();
    await context.yieldToOtherAcks();
    const tell = (text: string) => respond({ response_type: 'ephemeral', text });
    await context.failSafe(
      { teamId: command.team_id, userId: command.user_id, command: parsed.kind },
      async () => {
        const slowDown = await context.overLimit(command.team_id, command.user_id);
        if (slowDown) {
          await tell(slowDown);
          return;
        }
        const workspace = await context.workspace(command.team_id);
        await handle(parsed, { command, respond, client, workspace, tell });
      },
      tell,
    );
  });

  type Request = {
    command: SlashCommand;
    respond: RespondFn;
    client: WebClient;
    workspace: Workspace;
    tell: (text: string) => Promise<unknown>;
  };

  async function handle(parsed: Exclude<SlackCommand, { kind: 'usage' }>, request: Request): Promise<void> {
    const { command, client, workspace, tell } = request;
    const account = { workspaceId: workspace.id, userId: command.user_id };
    switch (parsed.kind) {
      case 'help':
        await tell(slackHelpText(pricesOf(workspace)));
        return;
      case 'credits': {
        const [balance, entries] = await Promise.all([
          deps.ledger.balance(account),
          deps.ledger.history(account, 8),
        ]);
        const text = creditsText(balance, entries);
        await tell([text.headline, ...text.lines.map((line) => `• ${line}`)].join('\n'));
        return;
      }
      case 'history':
        await tell(await historyMessage(client, workspace, command.user_id));
        return;
      case 'grant': {
        const actor = await context.actor(client, workspace, command.user_id);
        if (!actor.isAdmin) {
          await tell(adminsOnly);
          return;
        }
        const granted = await deps.ledger.grant({
          account: { workspaceId: workspace.id, userId: parsed.userId },
          amount: parsed.amount,
          key: `slack-grant:${command.team_id}:${command.trigger_id}`,
          memo: `granted by ${command.user_id} in Slack`,
        });
        await tell(
          `Granted ${parsed.amount} credits to <@${parsed.userId}>: they now have ${granted.balance.available} available.`,
        );
        // The recipient hears of it too, if they can see the channel.
        await client.chat
          .postEphemeral({
            channel: command.channel_id,
            user: parsed.userId,
            text: `<@${command.user_id}> granted you ${parsed.amount} Facet credits; you have ${granted.balance.available} available.`,
          })
          .catch(() => undefined);
        return;
      }
      case 'settings': {
        const actor = await context.actor(client, workspace, command.user_id);
        if (!actor.isAdmin) {
          await tell(adminsOnly);
          return;
        }
        const groups = await client.usergroups.list({ include_disabled: false });
        await client.views.open({
          trigger_id: command.trigger_id,
          view: settingsModal({
            teamId: command.team_id,
            approverGroup: workspace.approver_group,
            prices: pricesOf(workspace),
            groups: (groups.usergroups ?? []).flatMap((g) =>
              g.id && g.handle ? [{ id: g.id, handle: g.handle }] : [],
            ),
          }),
        });
        return;
      }
      case 'create': {
        const outcome = await deps.service.start({
          workspaceId: workspace.id,
          actor: { userId: command.user_id, isAdmin: false, groups: [] },
          prompt: parsed.prompt,
          requestKey: command.trigger_id,
          surface: { slack: { teamId: command.team_id, channelId: command.channel_id } },
        });
        if (!outcome.ok) {
          await tell(refusalMessage(outcome));
          return;
        }
        if (outcome.replayed) return;
        try {
          await context.postCard(client, outcome.design.id, command.channel_id);
        } catch (error) {
          // Without a card nobody could approve it: give the credits back at once.
          await deps.service.cancel({
            designId: outcome.design.id,
            actor: { userId: command.user_id, isAdmin: false, groups: [] },
          });
          if (!cannotPostIn(error)) throw error;
          await tell(
            'Facet cannot post in this conversation. Invite it first (`/invite @Facet`), or use a channel it is in; nothing was charged.',
          );
        }
        return;
      }
    }
  }

  async function historyMessage(client: WebClient, workspace: Workspace, userId: string): Promise<string> {
    const designs = await recentDesigns(deps.db, {
      workspaceId: workspace.id,
      requesterId: userId,
      limit: 10,
    });
    if (designs.length === 0) return 'You have no designs yet. Start one with `/design <description>`.';
    const lines = await Promise.all(
      designs.map(async (design) => {
        const prompt = escapeSlackText(
          design.prompt.length > 80 ? `${design.prompt.slice(0, 79)}…` : design.prompt,
        );
        const surface = readSlackSurface(design.surface);
        const link = surface?.ts
          ? await client.chat
              .getPermalink({ channel: surface.channelId, message_ts: surface.ts })
              .then((answer) => answer.permalink)
              .catch(() => undefined)
          : undefined;
        return `• ${link ? `<${link}|${prompt}>` : prompt}: ${historyStatus(design)}`;
      }),
    );
    return ['*Your recent designs*', ...lines].join('\n');
  }

  app.view(settingsModalCallbackId, async ({ ack, body, view, client }) => {
    const submission = readSettingsSubmission(view);
    if ('errors' in submission) {
      await ack({ response_action: 'errors', errors: submission.errors });
      return;
    }
    const teamId = body.team?.id ?? body.user.team_id ?? '';
    const workspace = await context.workspace(teamId);
    // Admin rights are checked again: the form could have been opened before a demotion, or forged.
    const actor = await context.actor(client, workspace, body.user.id);
    if (!actor.isAdmin || submission.teamId !== teamId) {
      await ack({ response_action: 'errors', errors: { facet_settings_approver: adminsOnly } });
      return;
    }
    await updateWorkspaceSettings(deps.db, workspace.id, submission.settings);
    await ack();
    deps.logger.info(
      { teamId, userId: body.user.id, ...submission.settings },
      'Slack workspace settings saved',
    );
  });
}
