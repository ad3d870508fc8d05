#!/usr/bin/env node
// The CLI: `schwab-token-rotator login | status | refresh` (see docs/cli.md). Everything lives in ./cli/; this file
// only binds it to the process.
import { runCli } from './cli/main.js';
import { processIo } from './cli/io.js';

const { io, dispose } = processIo();
const code = await runCli(process.argv.slice(2), io);
dispose();
// stdin may still hold the event loop open (login reads it); exit once stdout and stderr are flushed.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
