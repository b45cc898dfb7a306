import type { FacetDatabase } from '../../src/storage/database.ts';
import type { DesignState } from '../../src/storage/schema.ts';
import { waitFor } from './wait.ts';

/** Read-only looks into the Slack instance's Postgres, for checks an HTTP answer cannot show. */
export class SlackData {
  constructor(private readonly db: FacetDatabase) {}

  async workspaceRows(team: string): Promise<number> {
    const rows = await this.db
      .selectFrom('workspaces')
      .select('id')
      .where('external_id', '=', team)
      .execute();
    return rows.length;
  }

  /** A member's credits in a team: posted credits, debits and pending (held), or undefined with no account. */
  async account(
    team: string,
    user: string,
  ): Promise<{ credits: number; debits: number; held: number } | undefined> {
    const row = await this.db
      .selectFrom('credit_accounts as a')
      .innerJoin('workspaces as w', 'w.id', 'a.workspace_id')
      .select(['a.posted_credits', 'a.posted_debits', 'a.pending_debits'])
      .where('w.external_id', '=', team)
      .where('a.user_id', '=', user)
      .executeTakeFirst();
    return row && { credits: row.posted_credits, debits: row.posted_debits, held: row.pending_debits };
  }

  /** Accounts whose user id contains `fragment` (any team). */
  async accountsLike(fragment: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('credit_accounts')
      .select('user_id')
      .where('user_id', 'like', `%${fragment}%`)
      .execute();
    return rows.map((row) => row.user_id);
  }

  /** The design `user` started with `prompt`, once it exists. */
  designOf(user: string, prompt: string): Promise<string> {
    return waitFor(`the design "${prompt}" of ${user}`, async () => {
      const row = await this.db
        .selectFrom('designs')
        .select('id')
        .where('requester_id', '=', user)
        .where('prompt', '=', prompt)
        .executeTakeFirst();
      return row?.id;
    });
  }

  async design(id: string): Promise<{ state: DesignState; iteration: number; version: number }> {
    return this.db
      .selectFrom('designs')
      .select(['state', 'iteration', 'version'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  }

  /** Waits until the design is in `state` (at `iteration`, when given); throws naming where it is instead. */
  async reach(id: string, state: DesignState, iteration?: number, timeoutMs = 20_000): Promise<void> {
    let last = '';
    try {
      await waitFor(
        `design ${id} ${state}`,
        async () => {
          const now = await this.design(id);
          last = `${now.state} at iteration ${now.iteration}`;
          return now.state === state && (iteration === undefined || now.iteration === iteration)
            ? true
            : undefined;
        },
        timeoutMs,
      );
    } catch {
      throw new Error(`design never reached ${state}${iteration ? ` ${iteration}` : ''} (it is ${last})`);
    }
  }

  async charged(designId: string): Promise<number> {
    const rows = await this.db
      .selectFrom('revisions')
      .select('charged')
      .where('design_id', '=', designId)
      .execute();
    return rows.reduce((sum, row) => sum + row.charged, 0);
  }
}
