/**
 * A real headless Chromium for the tests of what only a browser decides (cookies across a cross-site redirect, a page
 * under its Content-Security-Policy): Debian's `chromium` driven by playwright-core. Absent locally, those suites are
 * skipped with a visible message; with REQUIRE_CHROMIUM=1 (as `.ci/run` sets it) a missing browser fails the run.
 */
import { accessSync, constants } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';

/** The flags every launch uses: headless, no sandbox (containers), and nothing that talks to the network on its own. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** CHROMIUM_PATH when set (only it), else Debian's /usr/bin/chromium, else undefined. */
export function findChromium(): string | undefined {
  const candidates = process.env.CHROMIUM_PATH
    ? [process.env.CHROMIUM_PATH]
    : ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export const chromiumPath = findChromium();

if (!chromiumPath) {
  if (process.env.REQUIRE_CHROMIUM === '1') {
    throw new Error(
      'chromium not found and REQUIRE_CHROMIUM=1: install it with `apt-get install -y chromium` (or set CHROMIUM_PATH).',
    );
  }
  console.warn(
    '\n*** chromium not found: the real-browser tests are SKIPPED (apt-get install -y chromium, or set CHROMIUM_PATH). ***\n',
  );
}

/** `describe` when chromium is installed, skipped (loudly, above) otherwise. */
export const describeBrowser = describe.skipIf(!chromiumPath);

/** Where screenshots go (gitignored): test-artifacts/ at the repository root. */
export const ARTIFACTS = join(process.cwd(), 'test-artifacts');

export interface RealBrowser {
  context: BrowserContext;
  page: Page;
  /** Console messages of type error, page errors and failed requests, in order. */
  problems: string[];
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Launches Chromium with a fresh user-data-dir. Certificate errors are ignored: every server in these tests is on
 * loopback, with a certificate made a moment before (as the CLI's callback and the Function URL emulator make them).
 */
export async function launchChromium(): Promise<RealBrowser> {
  if (!chromiumPath) throw new Error('chromium is not installed');
  const { chromium } = await import('playwright-core');
  const userDataDir = await mkdtemp(join(tmpdir(), 'rotator-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: CHROMIUM_FLAGS,
    ignoreHTTPSErrors: true,
    viewport: { width: 420, height: 760 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  page.on('requestfailed', (request) =>
    problems.push(`request failed: ${request.url()} (${request.failure()?.errorText ?? ''})`),
  );
  return {
    context,
    page,
    problems,
    async screenshot(name) {
      await mkdir(ARTIFACTS, { recursive: true });
      const path = join(ARTIFACTS, name);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
