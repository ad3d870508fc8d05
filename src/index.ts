import { run } from './main.js';

await run();
// Every write of the run has been awaited: end the process now instead of letting Node tear down, on its own, the
// heap the SDKs filled (measured: ~5 ms less on Node 24). stdout goes first: a pipe is asynchronous on macOS.
process.stdout.write('', () => process.exit());
