/**
 * The login function's answers to the browser: small self-contained HTML pages (no script, no external resource, no
 * token), a strict Content-Security-Policy that allows only the page's own inline style (by its hash),
 * `Cache-Control: no-store` and `Referrer-Policy: no-referrer` (the callback's address holds the code), and the 302 to
 * Schwab. Every page is built from fixed words, names and dates; the texts are HTML-escaped anyway.
 */
import { createHash } from 'node:crypto';
import { formatUtc } from '../token/time.js';
import type { FunctionUrlResult } from './event.js';
import type { Refusal } from './decide.js';
import { REFUSAL_STATUS } from './decide.js';
import { STATE_LIFETIME_S } from './state.js';

export interface Page {
  status: number;
  title: string;
  /** Paragraphs, in order. */
  paragraphs: string[];
  /** An optional list after the paragraphs. */
  items?: string[];
}

const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:36em;margin:3em auto;padding:0 1em;color:#1b1b1b}' +
  'h1{font-size:1.4em}li{margin:.3em 0}';

const STYLE_HASH = createHash('sha256').update(STYLE, 'utf8').digest('base64');

/** Nothing but the page's own style: no script, image, font, frame, form target or base URL. */
export const CONTENT_SECURITY_POLICY =
  `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; base-uri 'none'; form-action 'none'; frame-ancestors ` +
  `'none'`;

/** The headers every answer carries (the page's own, and the 302's). */
export const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
};

export function renderPage(page: Page, cookies: string[] = []): FunctionUrlResult {
  const body =
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">' +
    `<title>${escapeHtml(page.title)}</title><style>${STYLE}</style></head><body>` +
    `<h1>${escapeHtml(page.title)}</h1>` +
    page.paragraphs.map((text) => `<p>${escapeHtml(text)}</p>`).join('') +
    (page.items?.length ? `<ul>${page.items.map((text) => `<li>${escapeHtml(text)}</li>`).join('')}</ul>` : '') +
    '</body></html>\n';
  return {
    statusCode: page.status,
    headers: {
      ...COMMON_HEADERS,
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    },
    ...(cookies.length ? { cookies } : {}),
    body,
  };
}

/** The 302 to Schwab's authorize page, setting the nonce cookie. */
export function redirectTo(location: string, cookie: string): FunctionUrlResult {
  return { statusCode: 302, headers: { ...COMMON_HEADERS, Location: location }, cookies: [cookie], body: '' };
}

const AGAIN =
  'Tap the login link in the alert issue again (or open /login of this function) and approve the login at Schwab.';
const NOTHING = 'Nothing was stored.';

/** The words of each refusal. `schwabError` is Schwab's own short error code, shown only when it is a plain word. */
export function refusalPage(refusal: Refusal, schwabError?: string): Page {
  const status = REFUSAL_STATUS[refusal];
  const code = schwabError && /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(schwabError) ? ` (${schwabError})` : '';
  const pages: Record<Refusal, Omit<Page, 'status'>> = {
    'schwab-error': {
      title: 'Schwab did not log you in',
      paragraphs: [`Schwab sent the browser back with an error${code} instead of a login. ${NOTHING}`, AGAIN],
    },
    'no-state': {
      title: 'This is not a login answer',
      paragraphs: [
        `This address expects Schwab's answer to a login started here, and this request does not carry one. ${NOTHING}`,
        AGAIN,
      ],
    },
    'forged-state': {
      title: 'This login answer was not started here',
      paragraphs: [
        `The answer does not carry a login started by this function (it may have been made up or altered). ${NOTHING}`,
        AGAIN,
      ],
    },
    'other-version': {
      title: 'This login link is out of date',
      paragraphs: [
        `The login was started by another version of this function (it was updated meanwhile). ${NOTHING}`,
        AGAIN,
      ],
    },
    'stale-state': {
      title: 'This login took too long',
      paragraphs: [
        `A login must be finished within ${STATE_LIFETIME_S / 60} minutes of tapping the link. ${NOTHING}`,
        AGAIN,
      ],
    },
    'no-cookie': {
      title: 'This browser did not start this login',
      paragraphs: [
        `The login must end in the browser it started in, and this browser has no record of starting it (another ` +
          `browser or device, blocked cookies, or a page opened twice). ${NOTHING}`,
        AGAIN,
      ],
    },
    'cookie-mismatch': {
      title: 'Another login was started in this browser',
      paragraphs: [
        `This answer belongs to an older login than the last one started in this browser. ${NOTHING}`,
        'Finish the most recent login, or start again: ' + AGAIN.charAt(0).toLowerCase() + AGAIN.slice(1),
      ],
    },
    replayed: {
      title: 'This login answer was already used',
      paragraphs: [`Each login link works once, and this one has been used. ${NOTHING}`, AGAIN],
    },
    'no-code': {
      title: 'Schwab sent no login code',
      paragraphs: [`Schwab's answer has no authorization code. ${NOTHING}`, AGAIN],
    },
    'already-used': {
      title: 'A login was already stored',
      paragraphs: [
        `A login has been stored since this login link was opened, so this link is used up. ${NOTHING}`,
        'If that stored login was yours, there is nothing more to do. Otherwise: ' +
          AGAIN.charAt(0).toLowerCase() +
          AGAIN.slice(1),
      ],
    },
    'other-account': {
      title: 'These are not the owner’s accounts',
      paragraphs: [
        `The Schwab login that just happened sees other accounts than the login this function was set up with, ` +
          `so its token was dropped. ${NOTHING}`,
        'Log in with the Schwab user whose token this function keeps. If the owner’s accounts changed (an ' +
          'account was opened or closed), remove "account_hashes" from the function’s configuration secret: the ' +
          'next login records them again.',
      ],
    },
  };
  return { status, ...pages[refusal] };
}

export function notFoundPage(): Page {
  return {
    status: 404,
    title: 'Not found',
    paragraphs: ['This is the schwab-token-rotator login function: only /login and /callback live here.'],
  };
}

/**
 * A failure that is not a refusal (Schwab, AWS or the configuration): one sentence saying what and what to do, and,
 * when it is certain, that nothing was stored.
 */
export function failurePage(status: number, title: string, sentence: string, nothingStored: boolean): Page {
  return { status, title, paragraphs: [sentence, ...(nothingStored ? [NOTHING] : [])] };
}

/** How the owner's accounts were checked. */
export type AccountsCheck = 'matched' | 'recorded' | 'matched-stored-and-recorded' | 'record-failed';

/** What happened to the rotation workflow. */
export type DispatchReport =
  | { kind: 'not-configured' }
  | { kind: 'started'; workflow: string; repository: string; ref: string }
  | { kind: 'failed'; workflow: string; repository: string; reason: string };

export interface SuccessPageInput {
  loginAt: Date;
  deadline: Date;
  /** How the token secret is named to the user. */
  secretLabel: string;
  accounts: AccountsCheck;
  accountCount: number;
  dispatch: DispatchReport;
  /** The reason recording the accounts failed (accounts 'record-failed'). */
  recordFailure?: string;
  /**
   * The write did not finish: the new record waits in the secret as AWSPENDING, where the next rotation run (or the
   * CLI's `status` / `refresh`) finds it and finishes the write. `reason`: the store's one sentence.
   */
  unfinished?: { reason: string };
}

/** The page after a login reached the token secret: stored, or (unfinished) waiting there as AWSPENDING. */
export function successPage(input: SuccessPageInput): Page {
  const accounts = `${input.accountCount} account${input.accountCount === 1 ? '' : 's'}`;
  const pending = input.unfinished !== undefined;
  const items = [
    pending
      ? `${input.secretLabel}: the new token is its pending version (AWSPENDING), not yet its current one.`
      : `${input.secretLabel}: the new token is stored (compare-and-set, the newest login wins).`,
  ];
  switch (input.accounts) {
    case 'matched':
      items.push(`The login sees the owner’s ${accounts}.`);
      break;
    case 'recorded':
      items.push(
        `First login through this function: it recorded the ${accounts} this Schwab login sees; from now on only ` +
          `a login to the same accounts is accepted.`,
      );
      break;
    case 'matched-stored-and-recorded':
      items.push(
        `First login through this function: the ${accounts} it sees match the token that was stored before, and ` +
          `were recorded; from now on only a login to the same accounts is accepted.`,
      );
      break;
    case 'record-failed':
      items.push(
        `First login through this function, but the ${accounts} it sees could not be recorded ` +
          `(${input.recordFailure ?? 'the configuration secret could not be written'}); the next login records ` +
          `them.`,
      );
      break;
  }
  const catchUp = pending ? 'finishes the write' : 'picks up the new login';
  switch (input.dispatch.kind) {
    case 'started':
      items.push(
        `The workflow ${input.dispatch.workflow} of ${input.dispatch.repository} was started on ` +
          `${input.dispatch.ref}: ${pending ? 'it finishes the write, and ' : ''}the GitHub secrets and the alert ` +
          `issue catch up within a few minutes.`,
      );
      break;
    case 'failed':
      items.push(
        `The workflow ${input.dispatch.workflow} of ${input.dispatch.repository} could not be started ` +
          `(${input.dispatch.reason}); its next scheduled run ${catchUp}.`,
      );
      break;
    case 'not-configured':
      items.push(`The rotation workflow ${catchUp} on its next scheduled run.`);
      break;
  }
  if (input.unfinished) {
    return {
      status: 202,
      title: 'Logged in; the new token waits in the secret',
      paragraphs: [
        `Schwab login of ${formatUtc(input.loginAt)} received, and ${input.secretLabel} took it as a pending ` +
          `version, but could not make it the current one: ${input.unfinished.reason}`,
        `The rotation’s next run finds the pending token there and finishes the write (so do the CLI’s status ` +
          `and refresh): there is no need to log in again. Until then, a program that reads the secret’s current ` +
          `value gets the token stored before, whose refresh token this login retired. The new refresh token works ` +
          `until ${formatUtc(input.deadline)}.`,
      ],
      items,
    };
  }
  return {
    status: 200,
    title: 'Logged in',
    paragraphs: [
      `Schwab login of ${formatUtc(input.loginAt)} stored. The refresh token works until ` +
        `${formatUtc(input.deadline)}. You can close this window.`,
    ],
    items,
  };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
