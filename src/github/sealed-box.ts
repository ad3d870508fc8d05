import { createPrivateKey, createPublicKey, diffieHellman, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { hsalsa, xsalsa20poly1305 } from '@noble/ciphers/salsa.js';
import { blake2b } from '@noble/hashes/blake2.js';

/**
 * libsodium's sealed box (`crypto_box_seal`), the encryption GitHub asks for secrets, byte for byte:
 *
 *   sealed = epk ‖ crypto_box_easy(message, nonce, recipient_pk, esk)
 *   nonce  = BLAKE2b-192(epk ‖ recipient_pk)
 *   crypto_box_easy = XSalsa20-Poly1305 (MAC ‖ ciphertext) under HSalsa20(X25519(esk, recipient_pk), 0¹⁶)
 *
 * with a fresh X25519 key pair (esk, epk) per message. X25519 is Node's own (OpenSSL, `crypto.diffieHellman`);
 * HSalsa20, XSalsa20-Poly1305 and BLAKE2b are @noble/ciphers and @noble/hashes (audited, dependency-free). This
 * replaces libsodium-wrappers, whose 424 KiB module and WebAssembly start cost a run about four times as much time
 * and three times as much memory as this (docs/decisions/0005); the tests open every box with libsodium itself.
 */
export const SEALED_BOX_OVERHEAD = 48;

const KEY_BYTES = 32;
/** DER prefixes of a raw X25519 key: SubjectPublicKeyInfo and PKCS#8 (RFC 8410). */
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
/** "expand 32-byte k", as the 32-bit words Salsa20 reads. */
const SIGMA = new Uint32Array(Uint8Array.from(Buffer.from('expand 32-byte k', 'latin1')).buffer);

/** Encrypts `message` for the holder of `recipientPublicKey` (32 bytes); only their secret key opens it. */
export function sealedBox(message: Uint8Array, recipientPublicKey: Uint8Array): Uint8Array {
  return sealWithEphemeralKey(message, recipientPublicKey, randomBytes(KEY_BYTES));
}

/**
 * The sealed box made with a given ephemeral secret key (32 bytes). Only for tests that compare the output with
 * libsodium's byte for byte; a real box needs a fresh random key every time (see sealedBox).
 */
export function sealWithEphemeralKey(
  message: Uint8Array,
  recipientPublicKey: Uint8Array,
  ephemeralSecretKey: Uint8Array,
): Uint8Array {
  if (recipientPublicKey.length !== KEY_BYTES) throw new RangeError('The public key must be 32 bytes.');
  if (ephemeralSecretKey.length !== KEY_BYTES) throw new RangeError('The ephemeral secret key must be 32 bytes.');
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, ephemeralSecretKey]),
    format: 'der',
    type: 'pkcs8',
  });
  const ephemeralPublicKey = rawPublicKey(createPublicKey(privateKey));
  const publicKey = createPublicKey({
    key: Buffer.concat([SPKI_PREFIX, recipientPublicKey]),
    format: 'der',
    type: 'spki',
  });
  // OpenSSL refuses a low-order public key (an all-zero shared secret), as libsodium's crypto_box_seal does.
  const shared = diffieHellman({ privateKey, publicKey });
  const nonce = blake2b(concat(ephemeralPublicKey, recipientPublicKey), { dkLen: 24 });
  const boxed = xsalsa20poly1305(boxKey(shared), nonce).encrypt(message);
  return concat(ephemeralPublicKey, boxed);
}

/** crypto_box_beforenm: HSalsa20 of the X25519 shared secret with a zero nonce. */
function boxKey(shared: Uint8Array): Uint8Array {
  // Native-order 32-bit views of aligned copies (noble's hsalsa swaps on big-endian hosts itself).
  const key = new Uint32Array(Uint8Array.from(shared).buffer);
  const out = new Uint32Array(8);
  hsalsa(SIGMA, key, new Uint32Array(4), out);
  return new Uint8Array(out.buffer);
}

function rawPublicKey(key: KeyObject): Uint8Array {
  const der = key.export({ format: 'der', type: 'spki' });
  return Uint8Array.from(der.subarray(SPKI_PREFIX.length));
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/**
 * Encrypts `value` (UTF-8) for a GitHub secrets store: the sealed box for the store's public key as the public-key
 * endpoints return it (base64), as the base64 `encrypted_value` the PUT endpoints expect.
 */
export function sealForGitHub(publicKeyBase64: string, value: string): string {
  const key = Buffer.from(publicKeyBase64, 'base64');
  if (key.length !== KEY_BYTES || key.toString('base64') !== publicKeyBase64.trim()) {
    throw new Error('GitHub returned a public key that is not a base64-encoded 32-byte key');
  }
  let sealed: Uint8Array;
  try {
    sealed = sealedBox(Buffer.from(value, 'utf8'), key);
  } catch {
    throw new Error('GitHub returned a public key that is not a usable X25519 key');
  }
  return Buffer.from(sealed).toString('base64');
}

let warmed = false;

/**
 * Runs one throwaway X25519 exchange so OpenSSL's first-use set-up happens while the run waits on the network, not
 * when the secret is written. Safe to call any number of times.
 */
export function prepareSealedBox(): Promise<void> {
  if (!warmed) {
    warmed = true;
    sealedBox(
      new Uint8Array(1),
      rawPublicKey(
        createPublicKey(
          createPrivateKey({
            key: Buffer.concat([PKCS8_PREFIX, randomBytes(KEY_BYTES)]),
            format: 'der',
            type: 'pkcs8',
          }),
        ),
      ),
    );
  }
  return Promise.resolve();
}
