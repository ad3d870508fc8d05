/**
 * vitest globalSetup: starts one `moto_server` on a free loopback port for the whole run and provides its URL as
 * `inject('motoUrl')` ('' when moto is not installed: the Secrets Manager suites are then skipped, loudly;
 * with REQUIRE_MOTO=1, as CI sets it, a missing moto fails the run instead).
 */
import type { TestProject } from 'vitest/node';
import { findMotoServer, startMotoServer } from './moto-server.js';
// `provide('motoUrl', …)` is typed by the ProvidedContext augmentation in ./moto.ts (part of the same program).

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const binary = findMotoServer();
  if (!binary) {
    if (process.env.REQUIRE_MOTO === '1') {
      throw new Error(
        'moto_server not found on PATH and REQUIRE_MOTO=1: install it with `pip install "moto[server]"`.',
      );
    }
    console.warn(
      '\n*** moto_server not found: the Secrets Manager suite is SKIPPED (pip install "moto[server]" to run it). ***\n',
    );
    project.provide('motoUrl', '');
    return async () => {};
  }

  const moto = await startMotoServer(binary);
  project.provide('motoUrl', moto.url);
  return () => moto.stop();
}
