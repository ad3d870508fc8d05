/**
 * Who reads a message, and so which words it uses: the action's reader has inputs, a runner and a schedule; the
 * CLI's reader has flags, environment variables and a terminal. The error producers (Schwab, AWS, the core's
 * messages) take their words from here instead of carrying two versions of each sentence.
 *
 * The audience is set once per entry point and follows every async call made inside it (AsyncLocalStorage): the
 * CLI runs each command inside `withAudience(cliAudience(…))`; outside any, the reader is the action's, and the
 * command that runs the CLI comes from the runner's GITHUB_ACTION_REPOSITORY / GITHUB_ACTION_REF.
 *
 * The command that runs the CLI is defined here and nowhere else: every printed `login` command is
 * `loginCommand(…)`. Until the package is on npm, `npx schwab-token-rotator` does not work; `npx --yes
 * github:OWNER/REPO#REF` does, because the bundle is committed.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** The package's name and the CLI's program name (its `bin`). */
export const PACKAGE_NAME = 'schwab-token-rotator';

export interface Audience {
  kind: 'action' | 'cli';
  /** The command that runs the CLI, as its reader can type it: `npx --yes github:acme/schwab-token-rotator#v1`. */
  cli: string;
}

/** Settings both entry points have, each under its own name. */
export type SettingName = 'schwab-base-url' | 'aws-region' | 'app-credentials' | 'callback-url' | 'aws-credentials';

const SETTINGS: Record<Audience['kind'], Record<SettingName, string>> = {
  action: {
    'schwab-base-url': 'the schwab-base-url input',
    'aws-region': 'the `aws-region` input (or AWS_REGION in the workflow)',
    'app-credentials': 'the app-key and app-secret inputs',
    'callback-url': 'the callback-url input',
    'aws-credentials': "the workflow's AWS credentials (aws-actions/configure-aws-credentials)",
  },
  cli: {
    'schwab-base-url': '--schwab-base-url (or SCHWAB_BASE_URL)',
    'aws-region': '--aws-region (or AWS_REGION)',
    'app-credentials': 'SCHWAB_APP_KEY and SCHWAB_APP_SECRET',
    'callback-url': '--callback-url',
    'aws-credentials': 'your AWS credentials (AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)',
  },
};

/** Where the command runs, as its reader calls it. */
const MACHINE: Record<Audience['kind'], string> = { action: 'this runner', cli: 'this machine' };

const storage = new AsyncLocalStorage<Audience>();

/** Runs `fn` (and every async call it makes) for `audience`. */
export function withAudience<T>(audience: Audience, fn: () => T): T {
  return storage.run(audience, fn);
}

/** The reader of messages made now. */
export function currentAudience(): Audience {
  return storage.getStore() ?? actionAudience(process.env);
}

/** The action's reader: the CLI command comes from the repository and ref the runner checked the action out from. */
export function actionAudience(env: Record<string, string | undefined>): Audience {
  return { kind: 'action', cli: npxCommand(env.GITHUB_ACTION_REPOSITORY, env.GITHUB_ACTION_REF) };
}

/** The CLI's reader, who runs it as `cli` (see src/cli/invocation.ts); `schwab-token-rotator` when unknown. */
export function cliAudience(cli: string = PACKAGE_NAME): Audience {
  return { kind: 'cli', cli };
}

/**
 * `npx --yes github:OWNER/REPO#REF`: runs the CLI straight from a GitHub repository (the bundle is committed), so it
 * works before and after the package is published. Without a repository, the form with placeholders.
 */
export function npxCommand(repository: string | undefined, ref?: string): string {
  const repo = repository?.trim();
  if (!repo || !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repo)) return `npx --yes github:OWNER/${PACKAGE_NAME}#v1`;
  const cleanRef = ref?.trim().replace(/^refs\/(heads|tags)\//, '');
  return `npx --yes github:${repo}${cleanRef && /^[A-Za-z0-9_./-]+$/.test(cleanRef) ? `#${cleanRef}` : ''}`;
}

/** A CLI command for the current reader: `<how they run the CLI> <name> <args>` (args already shell-quoted). */
export function cliCommand(name: 'login' | 'status' | 'refresh', args: readonly string[] = []): string {
  return [currentAudience().cli, name, ...args].join(' ');
}

/** The `login` command for the current reader, with `args` (already shell-quoted) after it. */
export function loginCommand(args: readonly string[] = []): string {
  return cliCommand('login', args);
}

/** How the current reader sets `name`: `the schwab-base-url input` or `--schwab-base-url (or SCHWAB_BASE_URL)`. */
export function settingName(name: SettingName): string {
  return SETTINGS[currentAudience().kind][name];
}

/**
 * A setting the action and the CLI both have, by its name there (`verify`, `schwab-base-url`); with `env`, the
 * environment variable the CLI also reads it from.
 */
export type SettingRef = string | { name: string; env?: string | undefined };

/**
 * A setting as the subject of a sentence in its reader's words: `Input "verify"` in the action; `--verify`, or
 * `--schwab-base-url (or SCHWAB_BASE_URL)`, in the CLI.
 */
export function settingSubject(setting: SettingRef): string {
  const { name, env } = typeof setting === 'string' ? { name: setting, env: undefined } : setting;
  if (currentAudience().kind === 'action') return `Input "${name}"`;
  return env ? `--${name} (or ${env})` : `--${name}`;
}

/** `this runner` or `this machine`. */
export function thisMachine(): string {
  return MACHINE[currentAudience().kind];
}

/** What happens after a temporary failure, as a clause after a semicolon; empty for the CLI (its reader reruns it). */
export function retryClause(): string {
  return currentAudience().kind === 'action' ? '; scheduled runs retry on their own' : '';
}
