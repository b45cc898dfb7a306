import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from './schema.ts';

/**
 * Bolt's installation type is built from conditional generics, so the schema below does not try to mirror
 * it: it checks what Bolt and Facet read from a stored installation and keeps every other field, since
 * Bolt asks stores to give back as much of what it stored as they can.
 */
const identity = z.looseObject({ id: z.string().min(1), name: z.string().optional() });

const installationSchema = z
  .looseObject({
    // Stored without `team` or `enterprise` when absent; other writers of this JSON may have used null.
    team: identity.nullish(),
    enterprise: identity.nullish(),
    user: z.looseObject({
      id: z.string(),
      token: z.string().optional(),
      refreshToken: z.string().optional(),
      expiresAt: z.number().optional(),
      scopes: z.array(z.string()).optional(),
    }),
    // Optional in Bolt's type, but everything Facet does in a workspace goes through the bot token.
    bot: z.looseObject({
      id: z.string(),
      userId: z.string(),
      token: z.string().min(1),
      refreshToken: z.string().optional(),
      expiresAt: z.number().optional(),
      scopes: z.array(z.string()),
    }),
    isEnterpriseInstall: z.boolean().optional(),
    authVersion: z.enum(['v1', 'v2']).optional(),
  })
  .refine(
    (installation) => (installation.isEnterpriseInstall ? installation.enterprise : installation.team),
    {
      message: 'an org-wide installation needs an enterprise id, any other installation a team id',
    },
  );

type Key = { enterpriseId: string; teamId: string };

/**
 * Slack OAuth installations in Postgres, one row per workspace (or per Enterprise Grid org for org-wide
 * installs, whose row has an empty team id), for Bolt's InstallProvider and `authorize`.
 *
 * Only the newest installation of a workspace is kept, whoever installed it: Facet acts through its bot
 * token, so a query's userId does not select anything.
 */
export class SlackInstallationStore implements InstallationStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async storeInstallation<AuthVersion extends 'v1' | 'v2'>(
    installation: Installation<AuthVersion>,
  ): Promise<void> {
    // Refusing here fails the OAuth callback the installer is looking at, rather than every later event.
    const parsed = installationSchema.safeParse(installation);
    if (!parsed.success) {
      throw new Error(`Refusing to store a Slack installation: ${z.prettifyError(parsed.error)}`);
    }
    const key = keyOfInstallation(installation);
    await this.#db.transaction().execute(async (trx) => {
      if (key.teamId !== '') {
        // A workspace that joins or leaves an Enterprise Grid keeps its team id; drop its row under the old
        // enterprise so that a lookup by team id alone never has two candidates.
        await trx
          .deleteFrom('slack_installations')
          .where('team_id', '=', key.teamId)
          .where('enterprise_id', '<>', key.enterpriseId)
          .execute();
      }
      await trx
        .insertInto('slack_installations')
        .values({
          enterprise_id: key.enterpriseId,
          team_id: key.teamId,
          installation: JSON.stringify(installation),
        })
        // A re-install (new scopes) or a token refresh from `authorize` replaces the whole installation.
        .onConflict((conflict) =>
          conflict.columns(['enterprise_id', 'team_id']).doUpdateSet({
            installation: (eb) => eb.ref('excluded.installation'),
            updated_at: sql<Date>`now()`,
          }),
        )
        .execute();
    });
  }

  async fetchInstallation(query: InstallationQuery<boolean>): Promise<Installation> {
    const key = keyOfQuery(query);
    const row = await this.#db
      .selectFrom('slack_installations')
      .select('installation')
      .where(matchesKey(key))
      .executeTakeFirst();
    if (!row) throw new Error(`No Slack installation for ${describeKey(key)}`);
    const parsed = installationSchema.safeParse(row.installation);
    if (!parsed.success) {
      throw new Error(
        `The stored Slack installation for ${describeKey(key)} is malformed: ${z.prettifyError(parsed.error)}`,
      );
    }
    const { team, enterprise, user, ...rest } = parsed.data;
    // Bolt's type wants these keys present even when undefined.
    return {
      ...rest,
      team: team ?? undefined,
      enterprise: enterprise ?? undefined,
      user: { ...user, token: user.token, scopes: user.scopes },
    };
  }

  /** Idempotent: app_uninstalled and tokens_revoked can both arrive, and Slack retries events. */
  async deleteInstallation(query: InstallationQuery<boolean>): Promise<void> {
    await this.#db
      .deleteFrom('slack_installations')
      .where(matchesKey(keyOfQuery(query)))
      .execute();
  }
}

/**
 * Team ids are unique across Slack, so a workspace is found by its team id alone: events from a Grid
 * workspace carry the enterprise id, but code that kept only the team id must find the same row.
 */
function matchesKey(key: Key) {
  return (eb: ExpressionBuilder<Database, 'slack_installations'>) =>
    key.teamId === ''
      ? eb.and([eb('enterprise_id', '=', key.enterpriseId), eb('team_id', '=', '')])
      : eb('team_id', '=', key.teamId);
}

function keyOfInstallation(installation: Installation): Key {
  if (installation.isEnterpriseInstall) {
    const enterpriseId = installation.enterprise?.id;
    if (!enterpriseId) throw new Error('An org-wide Slack installation without an enterprise id');
    return { enterpriseId, teamId: '' };
  }
  const teamId = installation.team?.id;
  if (!teamId) throw new Error('A Slack installation without a team id');
  return { enterpriseId: installation.enterprise?.id ?? '', teamId };
}

/** Bolt's InstallationQuery: an org-wide install is looked up by enterprise only, anything else by team. */
function keyOfQuery(query: InstallationQuery<boolean>): Key {
  if (query.isEnterpriseInstall) {
    if (!query.enterpriseId) throw new Error('An org-wide Slack installation query without an enterprise id');
    return { enterpriseId: query.enterpriseId, teamId: '' };
  }
  if (!query.teamId) throw new Error('A Slack installation query without a team id');
  return { enterpriseId: query.enterpriseId ?? '', teamId: query.teamId };
}

function describeKey(key: Key): string {
  return key.teamId === '' ? `enterprise ${key.enterpriseId} (org-wide)` : `team ${key.teamId}`;
}
