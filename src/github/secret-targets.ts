import { UserError } from '../util/errors.js';

/**
 * Where one GitHub Actions secret is written. `store` names the secrets store (one public key each):
 * `owner/repo`, `owner/repo@environment` or `org/ORG`; `label` is how the target is shown (`store:NAME`, plus the
 * organization visibility when one was given).
 */
export type SecretTarget = RepositorySecretTarget | EnvironmentSecretTarget | OrganizationSecretTarget;

interface TargetBase {
  /** The secret's name as written (GitHub stores names in upper case and compares them case-insensitively). */
  name: string;
  store: string;
  label: string;
}

export interface RepositorySecretTarget extends TargetBase {
  kind: 'repository';
  owner: string;
  repo: string;
}

export interface EnvironmentSecretTarget extends TargetBase {
  kind: 'environment';
  owner: string;
  repo: string;
  environment: string;
}

export interface OrganizationSecretTarget extends TargetBase {
  kind: 'organization';
  org: string;
  /**
   * The repository access to set. When absent, an existing secret keeps its visibility (and its selected
   * repositories) and a new one is created `private`. `selected` keeps the secret's current list of selected
   * repositories (a new one starts with none: choose them in the organization's settings).
   */
  visibility?: 'private' | 'all' | 'selected';
}

/** GitHub's rule for secret names. */
export const SECRET_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** GitHub's documented size limit of a secret ("Secrets are limited to 48 KB in size"). */
export const GITHUB_SECRET_LIMIT_BYTES = 48 * 1024;

/** Bytes a sealed box adds to its message: the ephemeral public key (32) and the MAC (16). */
const SEALED_BOX_OVERHEAD = 48;

const OWNER = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})';
const REPO = '[A-Za-z0-9._-]{1,100}';
const NAME = '[^\\s:@/]+';
const SYNTAX = [
  { kind: 'organization', pattern: new RegExp(`^org/(?<org>${OWNER}):(?<name>${NAME})(?::(?<visibility>[^\\s:]*))?$`) },
  { kind: 'environment', pattern: new RegExp(`^(?<owner>${OWNER})/(?<repo>${REPO})@(?<env>[^:]+):(?<name>${NAME})$`) },
  { kind: 'environment', pattern: new RegExp(`^@(?<env>[^:]+):(?<name>${NAME})$`) },
  { kind: 'repository', pattern: new RegExp(`^(?<owner>${OWNER})/(?<repo>${REPO}):(?<name>${NAME})$`) },
  { kind: 'repository', pattern: new RegExp(`^(?<name>${NAME})$`) },
] as const;

const HOW_TO_WRITE =
  'write one target a line as NAME, owner/repo:NAME, owner/repo@environment:NAME or ' +
  'org/ORG:NAME[:private|:all|:selected]';

/**
 * Parses the `github-secrets` input: one target a line, `#` starts a comment, blank lines are ignored.
 *
 * ```
 * SCHWAB_TOKEN                        # this repository (currentRepository, i.e. GITHUB_REPOSITORY)
 * acme/bot:SCHWAB_TOKEN               # another repository
 * acme/bot@production:SCHWAB_TOKEN    # an environment secret of acme/bot
 * @production:SCHWAB_TOKEN            # an environment secret of this repository
 * org/acme:SCHWAB_TOKEN               # an organization secret (see OrganizationSecretTarget.visibility)
 * org/acme:SCHWAB_TOKEN:selected
 * ```
 *
 * Every target is validated here, before anything is written: the syntax, GitHub's name rules (pattern, no
 * `GITHUB_` prefix) and one name per store, compared case-insensitively as GitHub does. Throws a UserError naming
 * the line and how to fix it. `github-secrets` is the input's name in messages (`what` overrides it, e.g. for the CLI).
 */
export function parseSecretTargets(
  text: string,
  currentRepository: string | undefined,
  what = 'github-secrets',
): SecretTarget[] {
  const targets: SecretTarget[] = [];
  const seen = new Map<string, { line: number; label: string }>();
  const lines = text.split(/\r?\n/);
  lines.forEach((rawLine, index) => {
    const lineNo = index + 1;
    const entry = stripComment(rawLine).trim();
    if (entry === '') return;
    const where = `${what} line ${lineNo}${looksLikeTarget(entry) ? ` ("${entry}")` : ''}`;
    const target = parseEntry(entry, where, currentRepository);
    const key = `${target.store.toLowerCase()}:${target.name.toUpperCase()}`;
    const earlier = seen.get(key);
    if (earlier) {
      throw new UserError(
        `${where} names the secret ${target.name} in ${target.store} again (line ${earlier.line} already writes ` +
          `${earlier.label}; GitHub secret names are case-insensitive): remove one of the two lines.`,
      );
    }
    seen.set(key, { line: lineNo, label: target.label });
    targets.push(target);
  });
  return targets;
}

/**
 * Throws a UserError when `value` cannot be stored in a GitHub secret. Conservative: GitHub documents a 48 KB limit
 * without saying whether it applies to the plaintext or to the encrypted, base64-encoded value we send, so the
 * larger of the two — the `encrypted_value` (plaintext + 48 bytes, base64) — must stay within 48 KB. That allows a
 * plaintext of up to 36,816 bytes, far above a token record (~3 KB). Never includes the value in the message.
 */
export function assertSecretValueFits(value: string): void {
  const bytes = Buffer.byteLength(value, 'utf8');
  const encoded = Math.ceil((bytes + SEALED_BOX_OVERHEAD) / 3) * 4;
  if (encoded > GITHUB_SECRET_LIMIT_BYTES) {
    const max = Math.floor(GITHUB_SECRET_LIMIT_BYTES / 4) * 3 - SEALED_BOX_OVERHEAD;
    throw new UserError(
      `The value to store in GitHub secrets is ${bytes} bytes, more than the ${max} bytes that fit GitHub's 48 KB ` +
        `secret limit once encrypted: store a smaller record (the default record format, without extra fields).`,
    );
  }
}

function stripComment(line: string): string {
  // `#` at the start or after whitespace begins a comment (no secret name, owner or repository contains `#`).
  const match = /(^|\s)#/.exec(line);
  return match ? line.slice(0, match.index) : line;
}

function parseEntry(entry: string, where: string, currentRepository: string | undefined): SecretTarget {
  for (const { kind, pattern } of SYNTAX) {
    const groups = pattern.exec(entry)?.groups;
    if (!groups) continue;
    const name = groups.name ?? '';
    checkName(name, where);
    if (kind === 'organization') {
      const org = groups.org ?? '';
      const visibility = parseVisibility(groups.visibility, where);
      const store = `org/${org}`;
      return {
        kind,
        org,
        name,
        store,
        label: `${store}:${name}${visibility ? `:${visibility}` : ''}`,
        visibility,
      };
    }
    let owner = groups.owner;
    let repo = groups.repo;
    if (owner === undefined || repo === undefined) {
      [owner, repo] = splitCurrentRepository(currentRepository, where, name);
    }
    if (kind === 'environment') {
      const environment = (groups.env ?? '').trim();
      if (environment === '' || environment.length > 255) {
        throw new UserError(`${where} has no valid environment name: ${HOW_TO_WRITE}.`);
      }
      const store = `${owner}/${repo}@${environment}`;
      return { kind, owner, repo, environment, name, store, label: `${store}:${name}` };
    }
    const store = `${owner}/${repo}`;
    return { kind: 'repository', owner, repo, name, store, label: `${store}:${name}` };
  }
  if (/\s/.test(entry)) {
    throw new UserError(`${where} contains spaces: ${HOW_TO_WRITE} (comments start with #).`);
  }
  throw new UserError(`${where} is not a secret target: ${HOW_TO_WRITE}.`);
}

/**
 * Whether a piece of the input may be quoted back in an error. A mistyped target helps the user when quoted; something
 * that cannot be a target (a token or token record pasted into the wrong input) must never be echoed, so anything
 * with JSON punctuation or a segment as long as a token is named by its line number only.
 */
function looksLikeTarget(text: string): boolean {
  return (
    text.length <= 200 && /^[\w.\-/@: ]+$/.test(text) && text.split(/[/@: ]/).every((segment) => segment.length <= 48)
  );
}

function checkName(name: string, where: string): void {
  if (!SECRET_NAME_PATTERN.test(name)) {
    throw new UserError(
      `${where} has an invalid secret name${looksLikeTarget(name) ? ` "${name}"` : ''}: use only letters, digits ` +
        'and underscores, not starting with a digit (for example SCHWAB_TOKEN).',
    );
  }
  if (/^GITHUB_/i.test(name)) {
    throw new UserError(
      `${where} uses the secret name ${name}, but names starting with GITHUB_ are reserved by GitHub: choose ` +
        `another name such as SCHWAB_TOKEN.`,
    );
  }
}

function parseVisibility(text: string | undefined, where: string): OrganizationSecretTarget['visibility'] {
  if (text === undefined) return undefined;
  const v = text.toLowerCase();
  if (v === 'private' || v === 'all' || v === 'selected') return v;
  throw new UserError(
    `${where} has the unknown organization secret visibility "${text}": write :private, :all or :selected ` +
      `after the name, or nothing to keep the secret's current visibility.`,
  );
}

function splitCurrentRepository(current: string | undefined, where: string, name: string): [string, string] {
  const match = current ? new RegExp(`^(${OWNER})/(${REPO})$`).exec(current.trim()) : null;
  if (!match?.[1] || !match[2]) {
    throw new UserError(
      `${where} names no repository and the current repository is unknown (GITHUB_REPOSITORY is not set): ` +
        `write owner/repo:${name} instead.`,
    );
  }
  return [match[1], match[2]];
}
