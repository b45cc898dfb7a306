import { z } from 'zod';
import { parseDuration } from '../duration.ts';
import type { Platform } from '../platform.ts';
import type { FacetDatabase } from '../storage/database.ts';
import type { Workspace } from '../storage/schema.ts';
import { findWorkspace } from '../storage/workspaces.ts';
import { UsageError } from './cli-io.ts';

/** A line of a command's usage text: the flag, then what it means, in aligned columns. */
export const optionLine = (flag: string, meaning: string) => `  ${flag.padEnd(38)}${meaning}`;

/** `--since 30d`: how far back a report looks, in milliseconds. */
export const sinceArgument = z.string().transform((text, context) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    context.addIssue({
      code: 'custom',
      message: `--since must be a duration such as 30d, 24h or 90m, not "${text}"`,
    });
    return z.NEVER;
  }
  return ms;
});

/** A workspace named on the command line; never created: a typo must not make one. */
export async function namedWorkspace(
  db: FacetDatabase,
  platform: Platform,
  externalId: string,
): Promise<Workspace> {
  const workspace = await findWorkspace(db, platform, externalId);
  if (!workspace)
    throw new UsageError(
      `unknown workspace: Facet has never seen ${platform} workspace "${externalId}" (check --platform and --workspace)`,
    );
  return workspace;
}
