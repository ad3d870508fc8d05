/**
 * What the GitHub fake's API modules (secrets.ts, issues.ts, users.ts, workflows.ts) share with its server
 * (../github-fake.ts): a request's context, a reply, a route, GitHub's error shape, and the world they live in (the
 * fake's address, its clock, the repositories it knows).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakePermission, FakeRequest, FakeToken, GitHubFakeRoute } from './types.js';

export const DOCS = 'https://docs.github.com/rest';

export interface Context {
  req: IncomingMessage;
  res: ServerResponse;
  record: FakeRequest;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  token: FakeToken;
  /** Extra response headers (Link …). */
  headers: Record<string, string>;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (ctx: Context) => Reply;

export interface Route {
  name: GitHubFakeRoute;
  method: string;
  pattern: RegExp;
  /** What the token needs; checked after the repository / organization is found. */
  needs: FakePermission[];
  /** `user`: the token's own account (GET /user), no repository or organization to find. */
  scope: 'repo' | 'env' | 'org' | 'user';
  handler: Handler;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const lower = (text: string) => text.toLowerCase();

function segment(name: string): string {
  return `(?<${name}>[^/]+)`;
}

export function route(
  name: GitHubFakeRoute,
  method: string,
  path: string,
  needs: FakePermission[],
  scope: Route['scope'],
  handler: Handler,
): Route {
  const source = path.replace(/\{(\w+)\}/g, (_m, param: string) => segment(param));
  return { name, method, pattern: new RegExp(`^${source}$`), needs, scope, handler };
}

/** What the API modules need from the server. */
export interface FakeWorld {
  /** `http://127.0.0.1:PORT`: API links in bodies. */
  readonly url: string;
  /** The web host of `html_url`s. */
  readonly serverUrl: string;
  now(): Date;
  /** A known repository; a test's mistake (an unknown one) throws. */
  repo(fullName: string): { fullName: string; id: number };
  /** Every known repository. */
  repositoryList(): { fullName: string; id: number }[];
}

/** The full name of the repository a `/repos/{owner}/{repo}/…` request addresses, as the fake spells it. */
export function repositoryOf(world: FakeWorld, ctx: Context): string {
  return world.repo(`${ctx.params.owner}/${ctx.params.repo}`).fullName;
}

/** Slices one page (per_page ≤ 100, default 30) and sets GitHub's `Link` header (first/prev/next/last). */
export function paginate<T>(world: FakeWorld, ctx: Context, items: T[]): T[] {
  const perPage = Math.min(100, Math.max(1, Number(ctx.query.get('per_page')) || 30));
  const page = Math.max(1, Number(ctx.query.get('page')) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (p: number, rel: string) => {
    const q = new URLSearchParams(ctx.query);
    q.set('per_page', String(perPage));
    q.set('page', String(p));
    return `<${world.url}${ctx.record.path}?${q.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(page - 1, 'prev'), link(1, 'first'));
  if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
  if (links.length > 0) ctx.headers.link = links.join(', ');
  return items.slice((page - 1) * perPage, page * perPage);
}

export function hashId(login: string): number {
  let h = 7;
  for (const ch of login) h = (h * 31 + ch.charCodeAt(0)) % 100_000_000;
  return h;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
