#!/usr/bin/env node
import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
process.stderr.write(`schwab-token-rotator: the CLI is not built yet.
`);process.exitCode=1;
