import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import { mayAct, type Actor, type Permission } from '../../workflow/actor.ts';
import type { ChatPosts } from '../../workflow/chat-posts.ts';
import type { DesignService } from '../../workflow/design-service.ts';
import type { DesignSnapshot } from '../../workflow/design-snapshot.ts';
import { maxFeedbackLength } from '../../workflow/prompts.ts';
import type { WorkflowOutcome, WorkflowRefusal } from '../../workflow/workflow-outcome.ts';
import { setTimeout as delay } from 'node:timers/promises';
import { adminGrantKey, type WorkspaceCredits } from '../../workflow/workspace-credits.ts';
import type { WorkspaceDesigns } from '../../workflow/workspace-designs.ts';
import type {
  CandidateSettings,
  WorkspaceDirectory,
  WorkspaceInfo,
} from '../../workflow/workspace-directory.ts';
import type { WorkspaceUsage } from '../../workflow/workspace-usage.ts';
import type { ApprovalQueue } from '../../workflow/approval-queue.ts';
import { parseCardAction, variationKey, type CardAction } from '../card/card-action-id.ts';
import { buildDesignCard, type DesignPageLinker } from '../card/design-card.ts';
import { overLimitMessage, type RateLimiter } from '../rate-limit/rate-limiter.ts';
import {
  creditsAnswer,
  grantAnswer,
  grantKeyReusedAnswer,
  grantLimitAnswer,
  grantNotice,
  grantReplayedAnswer,
  helpAnswer,
  historyAnswer,
  settingsAnswer,
  usageAnswer,
} from './chat-answers.ts';
import type { ChatPlatform } from './chat-platform.ts';
import type { ChatOrigin, ChatReplies, ChatRequest, ChatSubmission } from './chat-request.ts';
import { historyLength, type ChatCommand, type SettingsChange } from './design-command.ts';
import { failSafely } from './fail-safely.ts';
import { commandAcknowledgement, commandRefusal, opensForm } from './first-answer.ts';
import { inputImageRefusalMessage, readInputImage, type InputImageSource } from './input-image-source.ts';
import type { InputImage } from '../../workflow/input-image.ts';
import { historyDetailAnswer, historyMissingAnswer } from './history-detail-answer.ts';
import { refusalMessage } from './refusal-message.ts';
import {
  decideThreadReply,
  threadReplyKey,
  type ThreadReply,
  type ThreadReplyAnswers,
} from './thread-reply.ts';
import { WaitingForYou } from './waiting-for-you.ts';

export type ChatBotDeps = {
  platform: ChatPlatform;
  service: DesignService;
  workspaces: WorkspaceDirectory;
  credits: WorkspaceCredits;
  designs: WorkspaceDesigns;
  /** What waits for whose approval (`/design pending`, Slack's Home tab). */
  queue: ApprovalQueue;
  /** AI usage and estimated spend, for admins. */
  usage: WorkspaceUsage;
  posts: ChatPosts;
  /** Shows a just-posted card's newest state in order with other updates (the coalescing notifier). */
  redeliver: (design: DesignSnapshot) => Promise<void>;
  /** Commands, clicks and forms per person per minute. */
  limiter: RateLimiter;
  clock: Clock;
  logger: Logger;
  /** The card's "Open design page" link; none when left out. */
  pageLink?: DesignPageLinker | undefined;
};

/** What the chat layer asks of the core, the same for every platform. */
export type ChatCore = Omit<ChatBotDeps, 'platform' | 'logger'>;

/**
 * How long the check before a change form may take. Discord and Slack close a click's window after 3 s;
 * the form must open within it, so past this the form opens unchecked and the submission is checked.
 */
const formCheckBudgetMs = 1_500;

const notOurs = 'That button is not one of ours any more; nothing was changed.';
const staleForms = {
  feedback: 'This form is out of date; close it and press Request changes again.',
  decline: 'This form is out of date; close it and press Decline again.',
  view_edit: 'This form is out of date; close it and press the Edit button on the card again.',
  settings: 'This form is out of date; run /design settings again.',
} as const;

/** What a refused card action was, where the refusal's words depend on it (approving your own design). */
function refusedAction(
  kind: CardAction['kind'],
  actor: Actor,
  design: { requesterId: string } | undefined,
): { permission: Permission; own: boolean } | undefined {
  if (kind !== 'approve' && kind !== 'decline') return undefined;
  return { permission: kind, own: design?.requesterId === actor.userId };
}

/**
 * The candidate settings after a change that may give either number: a lower maximum takes the default
 * down with it, a default above the maximum given with it is refused (undefined).
 */
function settledCandidates(
  current: CandidateSettings,
  change: SettingsChange['candidates'],
): CandidateSettings | undefined {
  const max = change?.max ?? current.max;
  if (change?.default !== undefined)
    return change.default <= max ? { default: change.default, max } : undefined;
  return { default: Math.min(current.default, max), max };
}

/** The person who starts a design or a variation: nothing about them but who they are is needed. */
const requester = (userId: string): Actor => ({ userId, isAdmin: false, groups: [] });

/**
 * What every command, button and form means, on every platform: who may act (checked before anything is
 * shown), refusals (always private), rate limits, prices in the text. Platforms translate their events
 * into these calls and render what comes back; none of them decides anything.
 */
export class ChatBot {
  constructor(private readonly deps: ChatBotDeps) {}

  async command({ origin, replies }: ChatRequest, command: ChatCommand): Promise<void> {
    const { words } = this.deps.platform;
    const tell = (text: string) => replies.tell([text]);
    if (command.kind === 'misuse') return tell(command.text);
    const refusal = commandRefusal(words, origin, command);
    if (refusal !== undefined || origin.workspace === null) return tell(refusal ?? words.outsideWorkspace);
    const slowDown = await this.overLimit(origin);
    if (slowDown) return tell(slowDown);
    await replies.acknowledge(commandAcknowledgement(command));
    const workspaceId = origin.workspace;
    await this.failSafe(origin, { command: command.kind }, replies, async () => {
      // An image is fetched and checked before anything exists: a refused one creates and charges nothing.
      const image =
        command.kind === 'create' && command.image
          ? await this.inputImage({ origin, replies }, command.image)
          : undefined;
      if (image === null) return;
      const workspace = await this.deps.workspaces.ensure(
        this.deps.platform.platform,
        workspaceId,
        origin.workspaceName,
      );
      await this.runCommand(command, workspace, origin, replies, image);
    });
  }

  /** The checked image of a create command; null (the person told why) when it was not taken. */
  private async inputImage(
    { origin, replies }: ChatRequest,
    source: InputImageSource,
  ): Promise<InputImage | null> {
    const read = await readInputImage(source);
    if (read.ok) return read.image;
    this.deps.logger.info(
      {
        platform: this.deps.platform.platform,
        workspace: origin.workspace,
        userId: origin.userId,
        refusal: read.refusal,
        detail: read.detail,
      },
      'an input image was refused',
    );
    await replies.tell([inputImageRefusalMessage(read.refusal)]);
    return null;
  }

  async click({ origin, replies }: ChatRequest, actionId: string): Promise<void> {
    const tell = (text: string) => replies.tell([text]);
    const action = parseCardAction(actionId);
    if (!action || origin.workspace === null) return tell(notOurs);
    const slowDown = await this.overLimit(origin);
    if (slowDown) return tell(slowDown);
    if ((action.kind === 'approve' || action.kind === 'variation') && origin.missingPermissions.length > 0)
      return tell(
        `Facet needs these permissions in this channel first: ${origin.missingPermissions.join(', ')}. Nothing was changed.`,
      );
    const workspaceId = origin.workspace;
    const context = { action: action.kind, designId: action.designId };
    if (opensForm(action)) {
      // The form is the first answer (Discord allows nothing else before it): checked, then opened.
      await this.failSafe(origin, context, replies, async () => {
        const open = () =>
          action.kind === 'edit_view'
            ? replies.openViewEditForm({ designId: action.designId, view: action.view })
            : action.kind === 'decline'
              ? replies.openDeclineForm({ designId: action.designId, iteration: action.iteration })
              : replies.openFeedbackForm({ designId: action.designId, iteration: action.iteration });
        const check = this.checkForm(origin, workspaceId, action);
        // The form must open within the platform's 3 s window; a check that cannot answer in time
        // gives way, and the submission is checked as every edit is.
        const timer = new AbortController();
        const late = delay(formCheckBudgetMs, 'late' as const, { signal: timer.signal }).catch(
          () => undefined,
        );
        const refusal = await Promise.race([check, late]).finally(() => timer.abort());
        if (refusal === 'late') {
          check.catch((error: unknown) =>
            this.deps.logger.warn({ err: error, ...context }, 'a late check before a form failed'),
          );
          return open();
        }
        if (refusal) return tell(refusal);
        await open();
      });
      return;
    }
    await replies.acknowledge('private');
    await this.failSafe(origin, context, replies, async () => {
      const found = await this.designIn(workspaceId, action.designId);
      if (!found) return tell(refusalMessage({ reason: 'not_found' }));
      const actor = await origin.actor(found);
      const outcome = await this.runAction(action, actor, found, origin, replies);
      if (!outcome.ok)
        await tell(refusalMessage(outcome, actor, refusedAction(action.kind, actor, outcome.design)));
    });
  }

  async submit({ origin, replies }: ChatRequest, submission: ChatSubmission): Promise<void> {
    if (submission.kind === 'stale') return replies.rejectForm(staleForms[submission.form]);
    if (origin.workspace === null) return replies.rejectForm(notOurs);
    const workspaceId = origin.workspace;
    if (submission.kind === 'settings') return this.saveSettings(origin, replies, workspaceId, submission);
    if (submission.kind === 'view_edit') return this.editView(origin, replies, workspaceId, submission);
    if (submission.kind === 'decline') return this.decline(origin, replies, workspaceId, submission);
    const feedback = submission.feedback.trim();
    if (feedback === '') return replies.rejectForm('Say what should change.');
    if (feedback.length > maxFeedbackLength)
      return replies.rejectForm(
        `Keep it to ${maxFeedbackLength} characters or fewer (this is ${feedback.length}).`,
      );
    const slowDown = await this.overLimit(origin);
    if (slowDown) return replies.rejectForm(slowDown);
    await replies.acknowledge('private');
    const tell = (text: string) => replies.tell([text]);
    await this.failSafe(origin, { form: 'feedback', designId: submission.designId }, replies, async () => {
      const found = await this.designIn(workspaceId, submission.designId);
      if (!found) return tell(refusalMessage({ reason: 'not_found' }));
      const actor = await origin.actor(found);
      const outcome = await this.deps.service.edit({
        designId: submission.designId,
        actor,
        iteration: submission.iteration,
        edit: { feedback },
      });
      if (!outcome.ok) await tell(refusalMessage(outcome, actor));
    });
  }

  /**
   * A message in a card's thread, where the workspace takes replies as feedback: while the front view
   * waits, its requester's or an approver's reply is Request changes with that text (the form's path:
   * +1 credit, the next iteration), marked with a reaction; while it is drawn they are asked to wait.
   * Everyone else, and every other thread, is ignored without a word. Each reply counts once, however
   * often the platform delivers it.
   */
  async threadReply(
    { origin, answers }: { origin: ChatOrigin; answers: ThreadReplyAnswers },
    reply: ThreadReply,
  ): Promise<void> {
    if (origin.workspace === null) return;
    const { platform } = this.deps.platform;
    const workspace = await this.deps.workspaces.find(platform, origin.workspace);
    if (!workspace?.threadReplies) return;
    const designId = await this.threadDesign(workspace, reply.threadOf);
    if (!designId) return;
    const design = await this.deps.service.snapshot(designId);
    if (!design) return;
    const actor = await origin.actor(workspace);
    const decision = decideThreadReply({
      state: design.state,
      iteration: design.iteration,
      allowed: mayAct('edit', actor, design.requesterId, design.approval),
      text: reply.text,
    });
    if (decision.kind === 'ignore') return;
    const context = { threadReply: reply.messageId, designId, decision: decision.kind };
    const tell = (text: string) => answers.tell(text);
    await failSafely(
      this.deps.logger,
      { platform, workspace: origin.workspace, userId: origin.userId, ...context },
      async () => {
        // Claimed before anything is said or changed: a redelivered reply finds the claim and stops.
        await this.deps.posts.once(designId, threadReplyKey(reply.messageId), async () => {
          const slowDown = await this.overLimit(origin);
          if (slowDown) await tell(slowDown);
          else if (decision.kind !== 'request_changes') await tell(decision.text);
          else {
            const outcome = await this.deps.service.edit({
              designId,
              actor,
              // The iteration the reply was read against: a change that won meanwhile refuses this one.
              iteration: design.iteration,
              edit: { feedback: decision.feedback },
            });
            if (!outcome.ok) await tell(refusalMessage(outcome, actor));
            else
              await answers
                .react()
                .catch((error: unknown) =>
                  this.deps.logger.warn({ err: error, ...context }, 'a thread reply could not be marked'),
                );
          }
          return decision.kind;
        });
      },
      tell,
    );
  }

  /** The design whose card's thread a reply is in, if it is one of this workspace's. */
  private async threadDesign(
    workspace: WorkspaceInfo,
    threadOf: ThreadReply['threadOf'],
  ): Promise<string | undefined> {
    if ('designId' in threadOf)
      return (await this.deps.designs.contains(workspace.id, threadOf.designId))
        ? threadOf.designId
        : undefined;
    const { platform } = this.deps.platform;
    if (platform === 'playground') return undefined;
    return this.deps.designs.byCardMessage({
      workspaceId: workspace.id,
      platform,
      messageId: threadOf.cardMessage,
      channelId: threadOf.channelId,
    });
  }

  private async decline(
    origin: ChatOrigin,
    replies: ChatReplies,
    workspaceId: string,
    submission: Extract<ChatSubmission, { kind: 'decline' }>,
  ): Promise<void> {
    const reason = submission.reason.trim();
    if (reason === '') return replies.rejectForm(refusalMessage({ reason: 'empty_decline_reason' }));
    if (reason.length > maxFeedbackLength)
      return replies.rejectForm(
        `Keep it to ${maxFeedbackLength} characters or fewer (this is ${reason.length}).`,
      );
    const slowDown = await this.overLimit(origin);
    if (slowDown) return replies.rejectForm(slowDown);
    await replies.acknowledge('private');
    const context = { form: 'decline', designId: submission.designId };
    await this.failSafe(origin, context, replies, async () => {
      const found = await this.designIn(workspaceId, submission.designId);
      if (!found) return replies.tell([refusalMessage({ reason: 'not_found' })]);
      const actor = await origin.actor(found);
      const outcome = await this.deps.service.decline({
        designId: submission.designId,
        actor,
        iteration: submission.iteration,
        reason,
      });
      if (!outcome.ok)
        await replies.tell([refusalMessage(outcome, actor, refusedAction('decline', actor, outcome.design))]);
    });
  }

  private async editView(
    origin: ChatOrigin,
    replies: ChatReplies,
    workspaceId: string,
    submission: Extract<ChatSubmission, { kind: 'view_edit' }>,
  ): Promise<void> {
    const instruction = submission.instruction.trim();
    if (instruction.length > maxFeedbackLength)
      return replies.rejectForm(
        `Keep it to ${maxFeedbackLength} characters or fewer (this is ${instruction.length}).`,
      );
    const slowDown = await this.overLimit(origin);
    if (slowDown) return replies.rejectForm(slowDown);
    await replies.acknowledge('private');
    const context = { form: 'view_edit', designId: submission.designId, view: submission.view };
    await this.failSafe(origin, context, replies, async () => {
      const found = await this.designIn(workspaceId, submission.designId);
      if (!found) return replies.tell([refusalMessage({ reason: 'not_found' })]);
      const actor = await origin.actor(found);
      const outcome = await this.deps.service.editView({
        designId: submission.designId,
        actor,
        view: submission.view,
        instruction,
      });
      if (!outcome.ok) await replies.tell([refusalMessage(outcome, actor)]);
    });
  }

  /**
   * Whether this person may ask for this change now (before its form opens): the refusal to tell them,
   * or undefined when they may.
   */
  private async checkForm(
    origin: ChatOrigin,
    workspaceId: string,
    action: Extract<CardAction, { kind: 'request_changes' | 'decline' | 'edit_view' }>,
  ): Promise<string | undefined> {
    const found = await this.designIn(workspaceId, action.designId);
    if (!found) return refusalMessage({ reason: 'not_found' });
    const actor = await origin.actor(found);
    const refusal = await this.formRefusal(action, actor);
    if (!refusal) return undefined;
    // Only a refused decline's words depend on whose design it is: read only then.
    const design =
      action.kind === 'decline' && refusal.reason === 'not_allowed'
        ? await this.deps.service.snapshot(action.designId)
        : undefined;
    return refusalMessage(refusal, actor, refusedAction(action.kind, actor, design));
  }

  private formRefusal(
    action: Extract<CardAction, { kind: 'request_changes' | 'decline' | 'edit_view' }>,
    actor: Actor,
  ): Promise<WorkflowRefusal | undefined> {
    const { service } = this.deps;
    switch (action.kind) {
      case 'request_changes':
        return service.checkEdit({ designId: action.designId, iteration: action.iteration, actor });
      case 'decline':
        return service.checkDecline({ designId: action.designId, iteration: action.iteration, actor });
      case 'edit_view':
        return service.checkEditView({ designId: action.designId, actor });
    }
  }

  private async runCommand(
    command: Exclude<ChatCommand, { kind: 'misuse' }>,
    workspace: WorkspaceInfo,
    origin: ChatOrigin,
    replies: ChatReplies,
    /** A create command's checked image. */
    image?: InputImage,
  ): Promise<void> {
    const { platform, words } = this.deps.platform;
    const account = { workspaceId: workspace.id, userId: origin.userId };
    const tell = (text: string) => replies.tell([text]);
    switch (command.kind) {
      case 'help':
        return replies.tell(helpAnswer(words, workspace.prices, workspace.candidates));
      case 'credits': {
        const statement = await this.deps.credits.statement(account, 8);
        return replies.tell(creditsAnswer(statement.balance, statement.entries));
      }
      case 'history':
        return this.history(command.position, workspace, origin, replies);
      case 'pending': {
        const waiting = new WaitingForYou(this.deps);
        const answer = await waiting.pendingAnswer(workspace, await origin.actor(workspace));
        return replies.tellWithActions(answer.text, answer.actions);
      }
      case 'usage': {
        if (!(await origin.actor(workspace)).isAdmin) return tell(words.adminsOnly);
        return replies.tell(usageAnswer(await this.deps.usage.thisMonth(workspace)));
      }
      case 'grant': {
        if (!(await origin.actor(workspace)).isAdmin) return tell(words.adminsOnly);
        if (command.userIsBot) return tell('Bots cannot hold credits.');
        const granted = await this.deps.credits.grant({
          account: { workspaceId: workspace.id, userId: command.userId },
          amount: command.amount,
          key: adminGrantKey({
            platform,
            workspace: workspace.externalId,
            adminId: origin.userId,
            requestId: origin.requestId,
          }),
          memo: `granted by ${origin.userId} in ${platform}`,
        });
        if (granted.kind === 'key_reused') return tell(grantKeyReusedAnswer);
        if (granted.kind === 'over_daily_limit')
          return replies.tell(grantLimitAnswer(granted.most, granted.left));
        const available = granted.balance.available;
        if (granted.replayed)
          return replies.tell(grantReplayedAnswer(command.userId, command.amount, available));
        await replies.tell(grantAnswer(command.userId, command.amount, available));
        // The recipient hears of it too, where the platform can tell them.
        await replies
          .tellOther(command.userId, grantNotice(origin.userId, command.amount, available))
          .catch(() => undefined);
        return;
      }
      case 'settings':
        return this.settings(command.change, workspace, origin, replies);
      case 'create': {
        const outcome = await this.deps.service.start({
          workspaceId: workspace.id,
          actor: requester(origin.userId),
          prompt: command.prompt,
          candidates: command.candidates,
          // Scoped by the person: a request id is only an idempotency key for the one who sent it.
          requestKey: `${origin.userId}:${origin.requestId}`,
          surface: { [platform]: this.deps.platform.cardPlace(origin) },
          inputImage: image,
        });
        if (!outcome.ok) {
          // Whether the reader is an admin changes only the advice (credits, budget): asked only then.
          const viewer =
            outcome.reason === 'insufficient_credits' || outcome.reason === 'over_budget'
              ? await origin.actor(workspace)
              : requester(origin.userId);
          return tell(refusalMessage(outcome, viewer));
        }
        if (!outcome.replayed) await this.postCard(outcome.design.id, origin.userId, replies);
        return;
      }
    }
  }

  /** The requester's recent designs, or one of them in detail (`position`, 1 = the newest). */
  private async history(
    position: number | undefined,
    workspace: WorkspaceInfo,
    origin: ChatOrigin,
    replies: ChatReplies,
  ): Promise<void> {
    const { platform } = this.deps;
    const words = platform.words;
    const entries = await this.deps.designs.recent({
      workspaceId: workspace.id,
      requesterId: origin.userId,
      limit: position ?? historyLength,
    });
    const link = (surface: Record<string, unknown>) => platform.cardLink(surface).catch(() => undefined);
    // What a design cost the operator is for admins to see: asked only when there is something to price.
    const isAdmin = async () => entries.length > 0 && (await origin.actor(workspace)).isAdmin;
    if (position !== undefined) {
      const entry = entries[position - 1];
      if (!entry) return replies.tell(historyMissingAnswer(words, position, entries.length));
      const [audit, url, admin] = await Promise.all([
        this.deps.designs.detail(workspace.id, entry.id),
        link(entry.surface),
        isAdmin(),
      ]);
      if (!audit) return replies.tell(historyMissingAnswer(words, position, entries.length));
      return replies.tell(
        historyDetailAnswer(audit, {
          cardUrl: url,
          pageUrl: this.deps.pageLink?.(entry.id) ?? undefined,
          showCost: admin,
        }),
      );
    }
    const [costs, links] = await Promise.all([
      isAdmin().then((admin) =>
        admin ? this.deps.usage.costs(entries.map((entry) => entry.id)) : undefined,
      ),
      Promise.all(entries.map((entry) => link(entry.surface))),
    ]);
    return replies.tell(
      historyAnswer(
        words,
        entries.map((entry, index) => ({ entry, url: links[index], costUsd: costs?.get(entry.id) })),
      ),
    );
  }

  private async settings(
    change: SettingsChange | null,
    workspace: WorkspaceInfo,
    origin: ChatOrigin,
    replies: ChatReplies,
  ): Promise<void> {
    const { words, settingsForm } = this.deps.platform;
    if (change === null && !settingsForm) return replies.tell(settingsAnswer(words, workspace, false));
    if (!(await origin.actor(workspace)).isAdmin) return replies.tell([words.adminsOnly]);
    if (change === null) return replies.openSettingsForm(workspace);
    const prices = workspace.prices;
    const candidates = settledCandidates(workspace.candidates, change.candidates);
    if (candidates === undefined)
      return replies.tell([
        `The default number of candidates cannot be more than the most a person may ask for (${change.candidates?.max ?? workspace.candidates.max}); nothing was changed.`,
      ]);
    const saved = await this.deps.workspaces.updateSettings(
      workspace.id,
      {
        approverGroup: change.approverGroup === undefined ? workspace.approverGroup : change.approverGroup,
        requestersApprove:
          change.requestersApprove === undefined ? workspace.requestersApprove : change.requestersApprove,
        approvalNotices: change.approvalNotices ?? workspace.approvalNotices,
        prices: {
          design: change.prices?.design ?? prices.design,
          variation: change.prices?.variation ?? prices.variation,
          edit: change.prices?.edit ?? prices.edit,
        },
        monthlyBudgetCents:
          change.monthlyBudgetCents === undefined ? workspace.monthlyBudgetCents : change.monthlyBudgetCents,
        candidates,
        threadReplies: change.threadReplies,
      },
      origin.userId,
    );
    await replies.tell(settingsAnswer(words, saved, true));
  }

  private async saveSettings(
    origin: ChatOrigin,
    replies: ChatReplies,
    workspaceId: string,
    submission: Extract<ChatSubmission, { kind: 'settings' }>,
  ): Promise<void> {
    const { platform, words } = this.deps.platform;
    // The form is only opened in a workspace Facet knows: a forged one for another makes no row.
    const workspace = await this.deps.workspaces.find(platform, workspaceId);
    if (!workspace || submission.workspace !== workspaceId) return replies.rejectForm(words.adminsOnly);
    // Admin rights are checked again: the form could have been opened before a demotion, or forged.
    if (!(await origin.actor(workspace)).isAdmin) return replies.rejectForm(words.adminsOnly);
    const slowDown = await this.overLimit(origin);
    if (slowDown) return replies.rejectForm(slowDown);
    await this.deps.workspaces.updateSettings(workspace.id, submission.settings, origin.userId);
    await replies.acknowledge('private');
    this.deps.logger.info(
      { platform, workspace: workspaceId, userId: origin.userId, ...submission.settings },
      'workspace settings saved',
    );
  }

  private runAction(
    action: Exclude<CardAction, { kind: 'request_changes' | 'decline' | 'edit_view' }>,
    actor: Actor,
    workspace: WorkspaceInfo,
    origin: ChatOrigin,
    replies: ChatReplies,
  ): Promise<WorkflowOutcome> {
    const { service } = this.deps;
    const { designId } = action;
    switch (action.kind) {
      case 'approve':
        return service.approve({ designId, actor, iteration: action.iteration });
      case 'pick':
        return service.pick({ designId, actor, iteration: action.iteration, candidate: action.candidate });
      case 'edit':
        return service.edit({
          designId,
          actor,
          iteration: action.iteration,
          edit: { preset: action.preset },
        });
      case 'cancel':
        return service.cancel({ designId, actor });
      case 'retry':
        return service.retry({ designId, actor });
      case 'variation':
        return this.startVariation(designId, actor, workspace, origin, replies);
    }
  }

  private async startVariation(
    designId: string,
    actor: Actor,
    workspace: WorkspaceInfo,
    origin: ChatOrigin,
    replies: ChatReplies,
  ): Promise<WorkflowOutcome> {
    const outcome = await this.deps.service.startVariation({
      workspaceId: workspace.id,
      actor,
      designId,
      requestKey: variationKey(designId, actor.userId, this.deps.clock().getTime()),
      surface: { [this.deps.platform.platform]: this.deps.platform.cardPlace(origin) },
    });
    if (outcome.ok && !outcome.replayed) await this.postCard(outcome.design.id, actor.userId, replies);
    return outcome;
  }

  /**
   * Posts a new design's card, records where it is, then shows the newest state (changes made meanwhile
   * found no card). Without a card nobody could approve it: a failed post cancels it at once.
   */
  private async postCard(designId: string, requesterId: string, replies: ChatReplies): Promise<void> {
    const { service, platform, posts } = this.deps;
    try {
      const first = await service.snapshot(designId);
      if (!first) return;
      const messageId = await replies.postCard(buildDesignCard(first, this.deps.pageLink));
      if (messageId !== null)
        await posts.recordCard(designId, {
          platform: platform.platform,
          field: platform.cardMessageField,
          value: messageId,
        });
    } catch (error) {
      await service.cancel({ designId, actor: requester(requesterId) });
      if (!replies.cannotPost(error)) throw error;
      await replies.tell([platform.words.cannotPost]);
      return;
    }
    const latest = await service.snapshot(designId);
    if (latest) await this.deps.redeliver(latest);
  }

  /** The workspace a design belongs to, if it is the one the request came from (ids can be forged). */
  private async designIn(workspaceId: string, designId: string): Promise<WorkspaceInfo | undefined> {
    const workspace = await this.deps.workspaces.find(this.deps.platform.platform, workspaceId);
    if (!workspace || !(await this.deps.designs.contains(workspace.id, designId))) return undefined;
    return workspace;
  }

  private overLimit(origin: ChatOrigin): Promise<string | undefined> {
    return overLimitMessage(
      this.deps.limiter,
      `${this.deps.platform.platform}:${origin.workspace ?? 'none'}:${origin.userId}`,
    );
  }

  private failSafe(
    origin: ChatOrigin,
    context: Record<string, unknown>,
    replies: ChatReplies,
    work: () => Promise<void>,
  ): Promise<void> {
    return failSafely(
      this.deps.logger,
      {
        platform: this.deps.platform.platform,
        workspace: origin.workspace,
        userId: origin.userId,
        ...context,
      },
      work,
      (text) => replies.tell([text]),
    );
  }
}
