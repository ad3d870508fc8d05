/**
 * What only a browser decides, in a real headless Chromium: the login function's `__Host-` cookie is set on /login,
 * survives the cross-site trip to Schwab's consent page and back (SameSite=Lax: Schwab's fake on 127.0.0.1 over http,
 * the function on https://localhost), and the result page renders under its own Content-Security-Policy without a
 * console error. The CLI's own HTTPS callback page gets the same test. Screenshots go to test-artifacts/.
 */
import { afterEach, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFile, stat } from 'node:fs/promises';
import { describeMoto } from '../support/moto.js';
import { describeBrowser, launchChromium } from '../support/browser.js';
import type { RealBrowser } from '../support/browser.js';
import { parseStored } from '../support/records.js';
import { freePort } from '../support/moto-server.js';
import { startSchwabFake } from '../fakes/schwab-fake.js';
import type { SchwabFake } from '../fakes/schwab-fake.js';
import { makeIo, run, tempDir } from '../cli/helpers.js';
import type { LoginWorld } from './world.js';
import { OWNER_HASHES, learnGeneratedSecrets, learnTokens, startLoginWorld } from './world.js';

let browser: RealBrowser | undefined;
let world: LoginWorld | undefined;
let fake: SchwabFake | undefined;
let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await browser?.close();
  await world?.close();
  await fake?.close();
  await cleanup?.();
  browser = world = fake = cleanup = undefined;
});

/** A browser start takes seconds on a busy machine; each case launches its own (a fresh user-data-dir). */
describeBrowser('in a real browser', { timeout: 90_000 }, () => {
  describeMoto('the login function', () => {
    it("sets the __Host- cookie, keeps it across Schwab's cross-site redirect, renders the result page without a console error", async () => {
      const w = await startLoginWorld({
        hostname: 'localhost',
        config: (schwab) => ({ app_key: schwab.appKey, app_secret: schwab.appSecret, account_hashes: OWNER_HASHES }),
      });
      world = w;
      const b = await launchChromium();
      browser = b;
      expect(new URL(w.emulator.url).hostname).toBe('localhost');
      expect(new URL(w.schwab.baseUrl).hostname, 'Schwab is another site').toBe('127.0.0.1');

      // The tap: /login answers 302 to Schwab's consent page, setting the cookie.
      await b.page.goto(`${w.emulator.url}/login`);
      expect(new URL(b.page.url()).origin).toBe(w.schwab.baseUrl);
      await b.page.waitForSelector('#login-owner');
      const cookies = await b.context.cookies(w.emulator.url);
      expect(cookies).toHaveLength(1);
      expect(cookies[0]).toMatchObject({
        name: '__Host-schwab-login',
        domain: 'localhost',
        path: '/',
        secure: true,
        httpOnly: true,
        sameSite: 'Lax',
      });
      const nonce = cookies[0]?.value ?? '';
      w.secrets.add(nonce);
      await b.screenshot('login-function-1-schwab-consent.png');

      // Approve at "Schwab" (a form POST on its own site, answered by a 302 back to the function's /callback).
      await Promise.all([b.page.waitForURL(`${w.emulator.url}/callback?**`), b.page.click('#login-owner')]);
      await b.page.waitForSelector('h1');
      expect(await b.page.title()).toBe('Logged in');

      // The cookie came back with the callback (the function saw it) and the answer removed it.
      const callback = w.emulator.exchanges.find((exchange) => exchange.event.rawPath === '/callback');
      expect(callback?.event.cookies).toEqual([`__Host-schwab-login=${nonce}`]);
      expect(callback?.status).toBe(200);
      expect(await b.context.cookies(w.emulator.url)).toEqual([]);

      // The page under its CSP: the inline style applied (allowed by its hash), nothing blocked, no console error.
      const text = await b.page.locator('body').innerText();
      expect(text).toMatch(/The refresh token works until \d{4}-\d\d-\d\d \d\d:\d\d UTC\./);
      // (Evaluated in the page; this program has no DOM types, so the expression is given as text.)
      expect(await b.page.evaluate('getComputedStyle(document.body).maxWidth')).not.toBe('none');
      expect(b.problems).toEqual([]);
      const shot = await b.screenshot('login-function-2-result.png');
      expect((await stat(shot)).size).toBeGreaterThan(1000);

      const stored = parseStored((await w.tokenSecret()).text);
      learnTokens(w, stored);
      await learnGeneratedSecrets(w);
      expect(w.schwab.userOf(stored.tokens.refreshToken)).toBe('owner');
      w.expectNothingLeaked();
    });

    it('a callback opened without the cookie (another browser) shows the refusal page, again without a console error', async () => {
      const w = await startLoginWorld({
        hostname: 'localhost',
        config: (schwab) => ({ app_key: schwab.appKey, app_secret: schwab.appSecret, account_hashes: OWNER_HASHES }),
      });
      world = w;
      const login = await w.browser.get(`${w.emulator.url}/login`);
      const state = new URL(login.location ?? '').searchParams.get('state') ?? '';
      const b = await launchChromium();
      browser = b;
      const response = await b.page.goto(`${w.emulator.url}/callback?code=C0.x%40&session=s&state=${state}`);
      expect(response?.status()).toBe(400);
      expect(await b.page.title()).toBe('This browser did not start this login');
      // The only problem: the document itself answered 400 (which Chromium may also log to the console).
      expect(b.problems).toContain(`HTTP 400: ${response?.url()}`);
      expect(b.problems.filter((problem) => !problem.includes(response?.url() ?? '\0'))).toEqual([]);
      await b.screenshot('login-function-3-refused.png');
      expect((await w.tokenSecret()).text).toBe(w.old?.text);
    });
  });

  it("the CLI's own HTTPS callback: Schwab's redirect reaches it and its page renders without a console error", async () => {
    const port = await freePort();
    const callbackUrl = `https://127.0.0.1:${port}`;
    fake = await startSchwabFake({ callbackUrl, consentPage: true });
    const dir = await tempDir();
    cleanup = dir.cleanup;
    const b = await launchChromium();
    browser = b;
    let visited: Promise<void> | undefined;
    const io = makeIo(fake, dir.dir, {
      openBrowser: (url: string) => {
        visited = (async () => {
          await b.page.goto(url);
          await Promise.all([b.page.waitForURL(`${callbackUrl}/?**`), b.page.click('#login-owner')]);
        })();
        visited.catch(() => undefined);
        return true;
      },
    });
    const code = await run(['login', '--callback-url', callbackUrl], io);
    await visited;
    expect(code, io.stderr.text).toBe(0);
    await b.page.waitForSelector('h1');
    expect(await b.page.title()).toBe('Logged in');
    expect(await b.page.locator('body').innerText()).toContain('schwab-token-rotator has the new token');
    expect(b.problems).toEqual([]);
    await b.screenshot('cli-login-result.png');
    const record = parseStored(await readFile(join(dir.dir, 'schwab_token.json'), 'utf8'));
    expect(fake.userOf(record.tokens.refreshToken)).toBe('owner');
  });
});
