#!/usr/bin/env node
// Placeholder until the CLI lands.
process.stderr.write('schwab-token-rotator: the CLI is not built yet.\n');
process.exitCode = 1;
