import { execFileSync } from 'node:child_process';

/**
 * The test command starts Postgres and Redis itself when they are down, as CI does, and installs
 * Debian's chromium for the browser test when it is missing.
 */
export default function setup(): void {
  execFileSync('bash', ['scripts/ensure-services.sh'], { stdio: 'inherit' });
  execFileSync('bash', ['scripts/ensure-chromium.sh'], { stdio: 'inherit' });
}
