import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Test files run one after another in each worker process and share its imported modules: a new
    // process per file spent ~1.2 s of each file importing Bolt, discord.js, the AWS and Gemini SDKs again
    // (suite 726 s → 536 s on 2 cores). So a test file restores any process state it changes (environment,
    // spies, listeners) and closes what it opens; each still uses its own database or schema.
    isolate: false,
    globalSetup: ['test/helpers/global-setup.ts'],
  },
});
