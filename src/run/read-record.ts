/**
 * Reading a stored record, the one way every reader does it (the rotation, the conflict rule, the CLI's `status` and
 * `refresh`, the login function): the whole text is masked before anything else, then parsed, then every token in it
 * is masked, so no part of it can reach a log line, an error or a page (docs/design.md#secrets).
 */
import type { Logger } from '../util/logger.js';
import { parseTokenRecord } from '../token/parse.js';
import type { ParsedRecord } from '../token/parse.js';
import type { OAuthTokens } from '../token/record.js';
import { secretValues } from '../token/record.js';

/** Masks `text`, parses it (throwing a UserError naming `label` and the field) and masks every token it holds. */
export function readRecord(text: string, label: string, now: Date, logger: Pick<Logger, 'mask'>): ParsedRecord {
  logger.mask(text);
  const parsed = parseTokenRecord(text, label, now);
  maskTokens(parsed.record.tokens, logger);
  return parsed;
}

/** Masks every token of a record: one just read, or one Schwab has just issued. */
export function maskTokens(tokens: OAuthTokens, logger: Pick<Logger, 'mask'>): void {
  for (const secret of secretValues(tokens)) logger.mask(secret);
}
