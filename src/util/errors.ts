/**
 * A failure the user can fix. Its message is one sentence that names what is wrong and how to fix it,
 * and never contains a token value (callers build it from names, not values).
 */
export class UserError extends Error {
  override readonly name: string = 'UserError';
}

/** Message of any thrown value, for logs (callers still pass it through the redactor). */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
