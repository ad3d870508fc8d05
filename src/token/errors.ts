import { upperFirst } from '../util/text.js';
import { UserError } from '../util/errors.js';

/**
 * A token record that cannot be read or must not be written. The message names the source and the field, never a
 * value, and says how to fix it: `The token from the "token" input is missing "refresh_token": paste …`.
 */
export class TokenRecordError extends UserError {
  override readonly name: string = 'TokenRecordError';

  /**
   * @param subject what was being read or written, e.g. `the token from the "token" input` (first letter is raised)
   * @param problem the rest of the sentence, e.g. `is missing "refresh_token"`
   * @param fix how to fix it, e.g. `paste the whole token JSON`
   * @param field the field at fault (as named in the input, e.g. `token.refresh_token`), when there is one
   */
  constructor(
    subject: string,
    problem: string,
    fix: string,
    readonly field?: string,
  ) {
    super(`${upperFirst(subject)} ${problem}: ${fix}.`);
  }
}

/** Fix text for input that is not a whole, unedited token document. */
export const FIX_PASTE_WHOLE = 'paste the whole token JSON (the file the login command writes)';

/** Fix text for a field whose value is unusable. */
export const FIX_CORRECT_OR_LOGIN = 'correct it, or run the login command to create a fresh token';
