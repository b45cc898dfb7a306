import { z } from 'zod';
import type { Config } from '../config.ts';
import { openDatabase } from '../storage/database.ts';
import { loadOrCreateUrlSecret } from '../storage/images/url-secret.ts';
import { migrate } from '../storage/migrator.ts';
import { DesignLinks, designPageUrl } from '../workflow/design-links.ts';
import { UsageError, type CliIo } from './cli-io.ts';

export const linksUsage = `Design page links:
  links url <design id>      print the design page's current link (under PUBLIC_URL)
  links revoke <design id>   revoke every link to the design's page issued so far: they answer 404`;

const designId = z.uuid({ error: 'the design id is a UUID, as on the design page' });

export async function linksCommand(argv: string[], config: Readonly<Config>, io: CliIo): Promise<number> {
  const [action, id, ...extra] = argv;
  if (action !== 'revoke' && action !== 'url')
    throw new UsageError(`unknown links action ${action === undefined ? '(none)' : `"${action}"`}`);
  if (extra.length > 0) throw new UsageError(`links ${action} takes one design id`);
  const parsed = designId.safeParse(id);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((issue) => issue.message).join('; '));
  const db = await openDatabase(config.database);
  try {
    await migrate(db);
    // The same secret as the web role's: the CLI runs with the same data folder.
    const links = new DesignLinks(db, await loadOrCreateUrlSecret(config.dataDir));
    if (action === 'revoke') {
      if (!(await links.revoke(parsed.data, 'cli'))) {
        io.err(`No design ${parsed.data}.`);
        return 1;
      }
      io.out(`Revoked: every link to design ${parsed.data}'s page now answers 404.`);
      return 0;
    }
    const signature = await links.signatureFor(parsed.data);
    const exists = await db
      .selectFrom('designs')
      .select('id')
      .where('id', '=', parsed.data)
      .executeTakeFirst();
    if (!exists || signature === undefined) {
      io.err(exists ? `The links of design ${parsed.data} are revoked.` : `No design ${parsed.data}.`);
      return 1;
    }
    io.out(designPageUrl(config.publicUrl ?? `http://${config.host}:${config.port}`, parsed.data, signature));
    return 0;
  } finally {
    await db.destroy();
  }
}
