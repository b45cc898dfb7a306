import { loadConfig } from '../config.ts';
import { prepareEmbeddedCluster } from './pglite-cluster.ts';

/**
 * Called by bin/facet.js before it loads the application: when the command will open an embedded
 * database that has no cluster yet, the cluster is made meanwhile (openDatabase then waits for it).
 * Does nothing else; a bad configuration is left for the command to report.
 */
export function prepareEmbeddedClusterEarly(argv: readonly string[], environment = process.env): void {
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
    void prepareEmbeddedCluster(database.dataDir);
  }
}
