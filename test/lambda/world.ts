/**
 * The world a login-function test runs in: the function behind the Function URL emulator (HTTPS on 127.0.0.1, a
 * certificate made on the spot), the Schwab fake with its consent page (callback: the emulator's /callback), the
 * GitHub fake for the workflow dispatch, the token and configuration secrets in moto_server (or the AWS stub), and a
 * small browser that keeps cookies and follows one hop at a time. Everything the function says — each response's
 * status, headers, cookies and body, and each log line — is kept for the leak scan.
 */
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { expect } from 'vitest';
import { createCallbackCertificate } from '../../src/cli/certificate.js';
import type { LoginFunctionOptions, LoginHandler } from '../../src/lambda/login-function.js';
import { createLoginHandler } from '../../src/lambda/login-function.js';
import type { Tuning } from '../../src/util/tuning.js';
import type { TokenRecord } from '../../src/token/record.js';
import { secretValues } from '../../src/token/record.js';
import type { Clock } from '../../src/util/clock.js';
import { startSchwabFake } from '../fakes/schwab-fake.js';
import type { SchwabFake, SchwabFakeOptions } from '../fakes/schwab-fake.js';
import { startGitHubFake } from '../fakes/github-fake.js';
import type { GitHubFake, GitHubFakeOptions } from '../fakes/github-fake.js';
import { startFunctionUrlEmulator } from '../fakes/function-url-emulator.js';
import type { FunctionUrlEmulator, FunctionUrlExchange } from '../fakes/function-url-emulator.js';
import { applyEnv, awsEnv, createTestSecret, getMotoUrl, readSecretValue, versionsWithStage } from '../support/moto.js';
import type { AwsStub } from '../fakes/aws-stub.js';
import { expectNoLeaks } from '../support/leaks.js';
import { loginRecord } from '../support/records.js';

export const REPO = 'acme/bot';
export const WORKFLOW = 'rotate-schwab-token.yml';
export const LOGIN_GITHUB_TOKEN = 'github_pat_11FAKE0login0function0dispatch0only';
export const OWNER_HASHES = ['E5B1F2A3C4D5E6F708192A3B4C5D6E7F'];

export interface BrowserResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  location: string | undefined;
  setCookies: string[];
}

/**
 * A browser reduced to what the flow needs: one request per call (no redirect following), a cookie jar for the
 * function's origin (Set-Cookie in, Cookie out; Max-Age=0 deletes), and trust in exactly the emulator's certificate.
 */
export class TestBrowser {
  readonly jar = new Map<string, string>();

  constructor(
    private readonly functionOrigin: string,
    private readonly ca: string,
  ) {}

  get(
    url: string,
    init: { method?: string; form?: Record<string, string>; cookie?: string | null } = {},
  ): Promise<BrowserResponse> {
    const target = new URL(url);
    const ours = target.origin === this.functionOrigin;
    const headers: Record<string, string> = { 'user-agent': 'test-browser' };
    const cookie = init.cookie === null ? undefined : (init.cookie ?? (ours ? this.cookieHeader() : undefined));
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (init.form) {
      body = new URLSearchParams(init.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    return new Promise((resolve, reject) => {
      const options = {
        method: init.method ?? (body ? 'POST' : 'GET'),
        headers,
        ...(target.protocol === 'https:' ? { ca: this.ca } : {}),
      };
      const req = (target.protocol === 'https:' ? httpsRequest : httpRequest)(target, options, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const raw = res.headers['set-cookie'];
          const setCookies = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
          if (ours) for (const line of setCookies) this.apply(line);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text,
            location: res.headers.location,
            setCookies,
          });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  private cookieHeader(): string | undefined {
    return this.jar.size ? [...this.jar].map(([name, value]) => `${name}=${value}`).join('; ') : undefined;
  }

  private apply(line: string): void {
    const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (attributes.some((a) => /^max-age=0$/i.test(a)) || value === '') this.jar.delete(name);
    else this.jar.set(name, value);
  }
}

export interface LoginWorldOptions {
  /** Where the secrets live: moto_server (default) or the scriptable AWS stub (for the fault matrix). */
  aws?: { kind: 'moto' } | { kind: 'stub'; stub: AwsStub; url: string };
  /** The configuration secret's JSON; default app key and secret (fake), the GitHub dispatch, nothing else. */
  config?: (schwab: SchwabFake) => Record<string, unknown>;
  /** What the token secret holds first: an owner login this long ago (default 2 h), or nothing. */
  storedLoginAgoMs?: number | 'none';
  schwab?: SchwabFakeOptions;
  github?: GitHubFakeOptions;
  tuning?: Tuning;
  clock?: Clock;
  /** The function's host name (default 127.0.0.1; `localhost` puts it on another site than the Schwab fake). */
  hostname?: string;
}

export interface LoginWorld {
  schwab: SchwabFake;
  github: GitHubFake;
  emulator: FunctionUrlEmulator;
  browser: TestBrowser;
  tokenSecretId: string;
  configSecretId: string;
  env: Record<string, string>;
  /** The record the token secret held before (undefined: empty secret). */
  old: { record: TokenRecord; text: string } | undefined;
  /** Every log line of every container. */
  logs: string[];
  /** Every value that must never appear in a response or log (grows as tokens are issued). */
  secrets: Set<string>;
  /** Milliseconds from each callback's arrival to its stored record. */
  storedAfterMs: number[];
  /** Replaces the function behind the URL by a new container (a cold start). */
  coldStart(overrides?: Partial<LoginFunctionOptions>): LoginHandler;
  /** Puts another handler behind the URL (e.g. dist/lambda.js's). */
  install(handler: LoginHandler): void;
  /** The whole tap: /login → Schwab's consent page (as `user`, or deny) → /callback. */
  tap(options?: {
    user?: string;
    deny?: boolean;
    between?: (callbackUrl: string) => string | Promise<string>;
  }): Promise<Tap>;
  tokenSecret(): Promise<{ text: string | undefined; versionId: string | undefined; pending: boolean }>;
  configSecret(): Promise<Record<string, unknown>>;
  /** Asserts that no secret value appears in any response the function gave or any line it logged. */
  expectNothingLeaked(): void;
  close(): Promise<void>;
}

export interface Tap {
  login: BrowserResponse;
  authorizeUrl: string;
  consent: BrowserResponse;
  callbackUrl: string;
  callback: BrowserResponse;
}

export async function startLoginWorld(options: LoginWorldOptions = {}): Promise<LoginWorld> {
  const hostname = options.hostname ?? '127.0.0.1';
  const certificate = await createCallbackCertificate(hostname, new Date());
  let current: LoginHandler | undefined;
  const emulator = await startFunctionUrlEmulator({
    handler: (event, context) => {
      if (!current) throw new Error('no function deployed');
      return current(event, context);
    },
    tls: { key: certificate.key, cert: certificate.cert },
    hostname,
  });
  const schwab = await startSchwabFake({
    consentPage: true,
    extraCallbackUrls: [`${emulator.url}/callback`],
    ...options.schwab,
  });
  const github = await startGitHubFake({
    workflows: [{ repository: REPO, id: 4242, path: `.github/workflows/${WORKFLOW}` }],
    // A fine-grained token with "Actions: read and write" on the one repository, nothing else.
    tokens: { [LOGIN_GITHUB_TOKEN]: { permissions: ['actions'], repositories: [REPO], kind: 'personal-access-token' } },
    ...options.github,
  });
  const browser = new TestBrowser(emulator.url, certificate.cert);

  const aws = options.aws ?? { kind: 'moto' as const };
  const awsUrl = aws.kind === 'moto' ? getMotoUrl() : aws.url;
  const tokenSecretId = `login/token-${randomUUID()}`;
  const configSecretId = `login/config-${randomUUID()}`;
  const storedAgo = options.storedLoginAgoMs ?? 2 * 3_600_000;
  const old = storedAgo === 'none' ? undefined : loginRecord(schwab, new Date(Date.now() - storedAgo));
  const config = options.config?.(schwab) ?? {
    app_key: schwab.appKey,
    app_secret: schwab.appSecret,
    github_token: LOGIN_GITHUB_TOKEN,
    github_repository: REPO,
    github_workflow: WORKFLOW,
  };
  const configText = JSON.stringify(config);
  if (aws.kind === 'moto') {
    await createTestSecret(awsUrl, tokenSecretId, old?.text);
    await createTestSecret(awsUrl, configSecretId, configText);
  } else {
    aws.stub.seed(tokenSecretId, old?.text);
    aws.stub.seed(configSecretId, configText);
  }

  const env: Record<string, string> = {
    ...awsEnv(awsUrl),
    TOKEN_SECRET_ID: tokenSecretId,
    CONFIG_SECRET_ID: configSecretId,
    SCHWAB_BASE_URL: schwab.baseUrl,
    GITHUB_API_URL: github.url,
  };
  // The AWS SDK reads its endpoint, region and credentials from the process environment (on Lambda, the runtime's).
  const restoreEnv = applyEnv(env);
  const logs: string[] = [];
  const storedAfterMs: number[] = [];
  const secrets = new Set<string>([
    schwab.appSecret,
    LOGIN_GITHUB_TOKEN,
    ...(old ? secretValues(old.record.tokens) : []),
  ]);

  const coldStart = (overrides: Partial<LoginFunctionOptions> = {}): LoginHandler => {
    current = createLoginHandler({
      env: Object.fromEntries(Object.entries(env).filter(([, value]) => value !== '')),
      sink: { registerSecret: () => undefined, write: (level, message) => logs.push(`${level}: ${message}`) },
      tuning: { awsRetryDelayMs: () => 0, githubWaitScale: 0, ...options.tuning },
      sleep: () => Promise.resolve(),
      onStored: (ms) => storedAfterMs.push(ms),
      ...(options.clock ? { clock: options.clock } : {}),
      ...overrides,
    });
    return current;
  };
  coldStart();

  const readSecret = async (name: string) => {
    if (aws.kind === 'moto') {
      const { text, versionId } = await readSecretValue(awsUrl, name);
      return { text, versionId, pending: (await versionsWithStage(awsUrl, name, 'AWSPENDING')).length > 0 };
    }
    const stages = aws.stub.stages(name);
    const versionId = Object.keys(stages).find((id) => stages[id]?.includes('AWSCURRENT'));
    return {
      text: aws.stub.current(name),
      versionId,
      pending: Object.values(stages).some((s) => s.includes('AWSPENDING')),
    };
  };

  const world: LoginWorld = {
    schwab,
    github,
    emulator,
    browser,
    tokenSecretId,
    configSecretId,
    env,
    old,
    logs,
    secrets,
    storedAfterMs,
    coldStart,
    install(handler) {
      current = handler;
    },
    async tap(tapOptions = {}) {
      const login = await browser.get(`${emulator.url}/login`);
      expect(login.status, login.body).toBe(302);
      for (const value of browser.jar.values()) secrets.add(value);
      const authorizeUrl = login.location ?? '';
      const query = Object.fromEntries(new URL(authorizeUrl).searchParams);
      const page = await browser.get(authorizeUrl);
      expect(page.status, page.body).toBe(200);
      const consent = await browser.get(`${schwab.baseUrl}/v1/oauth/authorize`, {
        form: { ...query, ...(tapOptions.deny ? { deny: '1' } : { user: tapOptions.user ?? 'owner' }) },
      });
      expect(consent.status, consent.body).toBe(302);
      const redirected = consent.location ?? '';
      const code = new URL(redirected).searchParams.get('code');
      if (code) secrets.add(code);
      const callbackUrl = tapOptions.between ? await tapOptions.between(redirected) : redirected;
      const callback = await browser.get(callbackUrl);
      return { login, authorizeUrl, consent, callbackUrl, callback };
    },
    tokenSecret: () => readSecret(tokenSecretId),
    async configSecret() {
      const { text } = await readSecret(configSecretId);
      return JSON.parse(text ?? '{}') as Record<string, unknown>;
    },
    expectNothingLeaked() {
      for (const value of schwab.issuedSecrets()) secrets.add(value);
      const texts: Record<string, string> = { logs: logs.join('\n') };
      emulator.exchanges.forEach((exchange: FunctionUrlExchange, i) => {
        // The /login answer sets the browser's own nonce cookie: the one place that value may go.
        const headers = Object.entries(exchange.headers)
          .filter(([name]) => !(name === 'set-cookie' && exchange.event.rawPath === '/login'))
          .map(([name, value]) => `${name}: ${String(value)}`);
        texts[`response ${i + 1} (${exchange.event.rawPath}, ${exchange.status})`] =
          `${headers.join('\n')}\n\n${exchange.body}`;
      });
      expectNoLeaks(texts, [...secrets]);
    },
    async close() {
      restoreEnv();
      await Promise.all([emulator.close(), schwab.close(), github.close()]);
    },
  };
  return world;
}

/** Adds the values of the configuration secret the function generated (the state key) to the leak scan. */
export async function learnGeneratedSecrets(world: LoginWorld): Promise<void> {
  const config = await world.configSecret();
  if (typeof config.state_key === 'string') world.secrets.add(config.state_key);
}

/** Adds a record's tokens to the leak scan. */
export function learnTokens(world: LoginWorld, record: TokenRecord | undefined): void {
  if (record) for (const value of secretValues(record.tokens)) world.secrets.add(value);
}
