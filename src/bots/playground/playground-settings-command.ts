import type { ChatCommand } from '../chat/design-command.ts';

/** What `/design settings …` takes in the playground, which has no form: shown in its help and answers. */
export const playgroundSettingsUsage =
  'as Ada: `/design settings approvers @leads` (or `approvers none`), `/design settings requesters-approve yes|no|default`, `/design settings candidates <default> <most>` (1 to 4) and `/design settings thread-replies on|off`';

const approvers = /^approvers\s+(@leads|none)$/i;
const requestersApprove = /^requesters-approve\s+(yes|no|default)$/i;
const candidates = /^candidates\s+([1-4])\s+([1-4])$/i;
const threadReplies = /^thread-replies\s+(on|off)$/i;

/**
 * The playground's typed settings: its one approver group (`leads`, which Dee is in) on or off, and
 * whether requesters approve their own designs. Undefined for anything else, which the shared parser
 * answers (`/design settings` takes nothing else after it).
 */
export function parsePlaygroundSettings(typed: string): ChatCommand | undefined {
  const match = /^\/design\s+settings\s+(.+)$/i.exec(typed.trim());
  if (!match) return undefined;
  const options = (match[1] ?? '').trim();
  const group = approvers.exec(options)?.[1];
  if (group)
    return { kind: 'settings', change: { approverGroup: group.toLowerCase() === 'none' ? null : 'leads' } };
  const own = requestersApprove.exec(options)?.[1];
  if (own) {
    const answer = own.toLowerCase();
    return {
      kind: 'settings',
      change: { requestersApprove: answer === 'default' ? null : answer === 'yes' },
    };
  }
  const counts = candidates.exec(options);
  if (counts)
    return {
      kind: 'settings',
      change: { candidates: { default: Number(counts[1]), max: Number(counts[2]) } },
    };
  const replies = threadReplies.exec(options)?.[1];
  if (replies) return { kind: 'settings', change: { threadReplies: replies.toLowerCase() === 'on' } };
  // Anything else after `settings` gets the answer every platform gives.
  return undefined;
}
