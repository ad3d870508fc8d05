/** The users API of the GitHub fake: the account a token belongs to. */
import type { Context, Reply, Route } from './http.js';
import { HttpError, hashId, route } from './http.js';

export function userRoutes(): Route[] {
  return [
    // The authenticated account. A user's token (PAT) reads it; an installation token, GITHUB_TOKEN included,
    // is refused with 403 "Resource not accessible by integration", as on GitHub.
    route('user-get', 'GET', '/user', [], 'user', getAuthenticatedUser),
  ];
}

function getAuthenticatedUser(ctx: Context): Reply {
  if (ctx.token.kind !== 'personal-access-token') throw new HttpError(403, 'Resource not accessible by integration');
  const login = ctx.token.login ?? 'octocat';
  return { status: 200, body: { login, id: hashId(login), type: 'User' } };
}
