#!/usr/bin/env node
// The `facet` command. Runs the TypeScript sources directly through tsx's loader.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli/facet.ts');
process.exitCode = await runCli(process.argv.slice(2));
