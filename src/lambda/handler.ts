/**
 * The login function's Lambda entry (bundled to dist/lambda.js, handler `lambda.handler`, runtime nodejs24.x): one
 * container per module instance, its configuration read during the cold start. Log lines go to the Lambda log
 * through `console`, which tags them with the request id; every line is redacted before it gets here.
 */
import type { LogSink } from '../util/logger.js';
import { createLoginHandler } from './login-function.js';

const lambdaLog: LogSink = {
  registerSecret: () => undefined,
  write: (level, message) => {
    if (level === 'debug') return;
    if (level === 'error') console.error(message);
    else if (level === 'warning') console.warn(message);
    else console.info(message);
  },
};

export const handler = createLoginHandler({ sink: lambdaLog });
