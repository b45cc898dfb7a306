import { loadConfig } from '../../config.ts';
import { openEmbeddedEarly } from './pglite-open.ts';

/**
 * Called by bin/facet.js before it loads the application: when the command will open an embedded
 * database, the opening starts now (and a new folder's cluster is made) while the application
 * loads; openDatabase takes it. Does nothing else; a bad configuration is left for the command to report.
 */
export function openEmbeddedDatabaseEarly(argv: readonly string[], environment = process.env): void {
  const [command, ...options] = argv;
  const plain = options.length === 0 || (command === 'start' && /^--role(=| )all$/.test(options.join(' ')));
  if ((command !== 'start' && command !== 'migrate') || !plain) return;
  let database;
  try {
    database = loadConfig(environment).database;
  } catch {
    return;
  }
  if (database.kind === 'pglite' && database.dataDir !== 'memory://') {
    openEmbeddedEarly(database.dataDir);
  }
}
