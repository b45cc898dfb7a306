import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { CreditLedger } from '../../credits/ledger.ts';
import type { Database, Workspace } from '../../storage/schema.ts';
import { ensureWorkspace, pricesOf } from '../../storage/workspaces.ts';
import { recentDesigns } from '../../workflow/design-history.ts';
import type { DesignService } from '../../workflow/design-service.ts';
import { loadSnapshot } from '../../workflow/design-snapshot.ts';
import type { WorkflowOutcome } from '../../workflow/workflow-outcome.ts';
import { creditsText, historyStatus } from '../card/account-text.ts';
import { parseCardAction, variationKey } from '../card/card-action-id.ts';
import { runCardAction } from '../card-actions.ts';
import { parseDesignCommand } from '../card/design-command.ts';
import { refusalMessage } from '../card/refusal-message.ts';
import { designBelongsTo } from '../design-ownership.ts';
import { overLimitMessage, unlimited, type RateLimiter } from '../rate-limit/rate-limiter.ts';
import type { PlaygroundHub } from './playground-hub.ts';
import type { PlaygroundView } from './playground-view.ts';
import {
  isPlaygroundUser,
  playgroundActor,
  playgroundMention,
  playgroundUsers,
  playgroundWorkspace,
} from './playground-users.ts';
import { maxFeedbackLength } from '../../workflow/prompts.ts';

const userSchema = z.string().refine(isPlaygroundUser, 'unknown playground user');

export const commandRequestSchema = z.object({
  userId: userSchema,
  text: z.string().max(10_000),
  /** Chosen by the page per submission: a resubmitted form starts one design. */
  requestId: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[\w.:-]+$/, 'letters, digits and . : _ - only'),
});
export const actionRequestSchema = z.object({ userId: userSchema, actionId: z.string().max(200) });
export const feedbackRequestSchema = z.object({
  userId: userSchema,
  designId: z.uuid(),
  iteration: z.number().int().positive(),
  feedback: z.string().max(10_000),
});

/** What the page shows after a command or click: a private note, a modal to open, or nothing. */
export type PlaygroundAnswer = {
  reply?: string;
  modal?: { designId: string; iteration: number };
  /** For the feedback modal: shown inside it, which stays open. */
  error?: string;
};

export type PlaygroundApiDeps = {
  db: Kysely<Database>;
  service: DesignService;
  ledger: CreditLedger;
  hub: PlaygroundHub;
  /** Commands and clicks per person per minute; none when left out. */
  limiter?: RateLimiter | undefined;
  logger: Logger;
};

const helpText = (prices: { design: number; edit: number; variation: number }) =>
  [
    'Facet designs products with you. Try `/design wireless headphones in matte black`.',
    '`/design credits` shows your balance, `/design history` your designs, `/design help` this text.',
    'Ada is a workspace admin: `/design grant @ben 10` gives Ben credits. Switch users at the top right.',
    `A design reserves ${prices.design} credits (+${prices.edit} per edit, a variation ${prices.variation}); they are charged only when it is complete.`,
  ].join('\n');

/** The playground's commands and clicks, with the same rules as the chat surfaces. */
export class PlaygroundApi {
  constructor(private readonly deps: PlaygroundApiDeps) {}

  workspace(): Promise<Workspace> {
    return ensureWorkspace(
      this.deps.db,
      playgroundWorkspace.platform,
      playgroundWorkspace.externalId,
      'Playground',
    );
  }

  private overLimit(userId: string): Promise<string | undefined> {
    return overLimitMessage(this.deps.limiter ?? unlimited, `playground:${userId}`);
  }

  async users(): Promise<
    { id: string; name: string; role: string; balance: number; held: number; available: number }[]
  > {
    const workspace = await this.workspace();
    return Promise.all(
      playgroundUsers.map(async (user) => ({
        ...user,
        ...(await this.deps.ledger.balance({ workspaceId: workspace.id, userId: user.id })),
      })),
    );
  }

  async designs(): Promise<PlaygroundView[]> {
    const workspace = await this.workspace();
    const rows = await this.deps.db
      .selectFrom('designs')
      .select('id')
      .where('workspace_id', '=', workspace.id)
      .orderBy('created_at', 'desc')
      .limit(20)
      .execute();
    const views: PlaygroundView[] = [];
    for (const row of rows.reverse()) {
      const snapshot = await loadSnapshot(this.deps.db, row.id);
      if (snapshot) views.push(await this.deps.hub.view(snapshot));
    }
    return views;
  }

  async command(request: z.infer<typeof commandRequestSchema>): Promise<PlaygroundAnswer> {
    const userId = request.userId;
    const workspace = await this.workspace();
    const account = { workspaceId: workspace.id, userId };
    const text = request.text.trim().replace(/^\/design\b/, '');
    if (!request.text.trim().startsWith('/design'))
      return {
        reply: 'Commands start with `/design`, e.g. `/design a ceramic desk lamp`. Try `/design help`.',
      };
    const parsed = parseDesignCommand(text, playgroundMention);
    const slowDown = parsed.kind === 'usage' ? undefined : await this.overLimit(userId);
    if (slowDown) return { reply: slowDown };
    switch (parsed.kind) {
      case 'usage':
        return { reply: parsed.text };
      case 'help':
        return { reply: helpText(pricesOf(workspace)) };
      case 'credits': {
        const shown = creditsText(
          await this.deps.ledger.balance(account),
          await this.deps.ledger.history(account, 8),
        );
        return { reply: [shown.headline, ...shown.lines.map((line) => `• ${line}`)].join('\n') };
      }
      case 'history': {
        const designs = await recentDesigns(this.deps.db, { workspaceId: workspace.id, requesterId: userId });
        if (designs.length === 0) return { reply: 'You have no designs yet.' };
        return { reply: designs.map((d) => `• ${d.prompt.slice(0, 80)}: ${historyStatus(d)}`).join('\n') };
      }
      case 'settings':
        return {
          reply:
            'Settings (approver group, prices) belong to a Slack workspace or Discord server; the playground uses the defaults.',
        };
      case 'grant': {
        if (!playgroundActor(userId).isAdmin)
          return { reply: 'Only workspace admins can do that (switch to Ada).' };
        const granted = await this.deps.ledger.grant({
          account: { workspaceId: workspace.id, userId: parsed.userId },
          amount: parsed.amount,
          key: `playground-grant:${request.requestId}`,
          memo: `granted by ${userId} in the playground`,
        });
        return {
          reply: `Granted ${parsed.amount} credits to @${parsed.userId}: they now have ${granted.balance.available} available.`,
        };
      }
      case 'create': {
        const outcome = await this.deps.service.start({
          workspaceId: workspace.id,
          actor: playgroundActor(userId),
          prompt: parsed.prompt,
          requestKey: `playground:${request.requestId}`,
          surface: { playground: {} },
        });
        return outcome.ok ? {} : { reply: refusalMessage(outcome) };
      }
    }
  }

  async action(request: z.infer<typeof actionRequestSchema>): Promise<PlaygroundAnswer> {
    const parsed = parseCardAction(request.actionId);
    const workspace = await this.workspace();
    if (!parsed || !(await designBelongsTo(this.deps.db, parsed.designId, workspace.id)))
      return { reply: 'That button is not one of ours any more; nothing was changed.' };
    const slowDown = await this.overLimit(request.userId);
    if (slowDown) return { reply: slowDown };
    if (parsed.kind === 'request_changes')
      return { modal: { designId: parsed.designId, iteration: parsed.iteration } };
    const actor = playgroundActor(request.userId);
    const { service } = this.deps;
    const outcome: WorkflowOutcome =
      parsed.kind === 'variation'
        ? await service.startVariation({
            workspaceId: workspace.id,
            actor,
            designId: parsed.designId,
            requestKey: variationKey(parsed.designId, actor.userId),
            surface: { playground: {} },
          })
        : await runCardAction(service, parsed, actor);
    return outcome.ok ? {} : { reply: refusalMessage(outcome) };
  }

  async feedback(request: z.infer<typeof feedbackRequestSchema>): Promise<PlaygroundAnswer> {
    const feedback = request.feedback.trim();
    if (feedback === '') return { error: 'Say what should change.' };
    if (feedback.length > maxFeedbackLength)
      return { error: `Keep it to ${maxFeedbackLength} characters or fewer (this is ${feedback.length}).` };
    const workspace = await this.workspace();
    if (!(await designBelongsTo(this.deps.db, request.designId, workspace.id)))
      return { reply: refusalMessage({ reason: 'not_found' }) };
    const outcome = await this.deps.service.edit({
      designId: request.designId,
      actor: playgroundActor(request.userId),
      iteration: request.iteration,
      edit: { feedback },
    });
    return outcome.ok ? {} : { reply: refusalMessage(outcome) };
  }
}
