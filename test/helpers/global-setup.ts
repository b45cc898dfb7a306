import { execFileSync } from 'node:child_process';

/** The test command starts Postgres and Redis itself when they are down, as CI does. */
export default function setup(): void {
  execFileSync('bash', ['scripts/ensure-services.sh'], { stdio: 'inherit' });
}
