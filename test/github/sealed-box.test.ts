import sodium from 'libsodium-wrappers';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { SEALED_BOX_OVERHEAD, sealedBox, sealForGitHub, sealWithEphemeralKey } from '../../src/github/sealed-box.js';

beforeAll(async () => {
  await sodium.ready;
});

describe("the sealed box: libsodium's crypto_box_seal, byte for byte", () => {
  it('libsodium opens what it seals, for any message (empty, unicode, a large record)', () => {
    const { publicKey, privateKey } = sodium.crypto_box_keypair();
    const messages = [
      new Uint8Array(0),
      Buffer.from('héllo wörld ✓'),
      Buffer.from(
        JSON.stringify({ access_token: 'I0.x@', refresh_token: 'r'.repeat(100), id_token: 'e'.repeat(1200) }),
      ),
      new Uint8Array(48 * 1024).fill(7),
    ];
    for (const message of messages) {
      const sealed = sealedBox(message, publicKey);
      expect(sealed.length).toBe(message.length + SEALED_BOX_OVERHEAD);
      expect(sodium.crypto_box_seal_open(sealed, publicKey, privateKey)).toEqual(new Uint8Array(message));
    }
  });

  it("equals libsodium's own box for the same ephemeral key: epk ‖ crypto_box_easy(m, BLAKE2b-192(epk ‖ pk), pk, esk)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 600 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (message, seed) => {
          const recipient = sodium.crypto_box_keypair();
          const ephemeral = sodium.crypto_box_seed_keypair(seed);
          const nonce = sodium.crypto_generichash(
            24,
            new Uint8Array([...ephemeral.publicKey, ...recipient.publicKey]),
            null,
          );
          const expected = new Uint8Array([
            ...ephemeral.publicKey,
            ...sodium.crypto_box_easy(message, nonce, recipient.publicKey, ephemeral.privateKey),
          ]);
          expect(sealWithEphemeralKey(message, recipient.publicKey, ephemeral.privateKey)).toEqual(expected);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('uses a fresh ephemeral key every time', () => {
    const { publicKey } = sodium.crypto_box_keypair();
    const a = sealedBox(Buffer.from('same'), publicKey);
    const b = sealedBox(Buffer.from('same'), publicKey);
    expect(Buffer.from(a.subarray(0, 32)).equals(Buffer.from(b.subarray(0, 32)))).toBe(false);
  });

  it('refuses keys that are not 32-byte X25519 public keys, as GitHub would send them', () => {
    expect(() => sealForGitHub('not base64!', 'v')).toThrow(/not a base64-encoded 32-byte key/);
    expect(() => sealForGitHub('AAAA', 'v')).toThrow(/32-byte/);
    // A low-order point (all zeros) gives an all-zero shared secret: refused, as libsodium does.
    expect(() => sealForGitHub(Buffer.alloc(32).toString('base64'), 'v')).toThrow(/not a usable X25519 key/);
    expect(() => sodium.crypto_box_seal(Buffer.from('v'), new Uint8Array(32))).toThrow();
  });

  it('sealForGitHub: base64 in, base64 out, opened by the store key', () => {
    const { publicKey, privateKey } = sodium.crypto_box_keypair();
    const encrypted = sealForGitHub(Buffer.from(publicKey).toString('base64'), '{"refresh_token":"r@"}');
    const opened = sodium.crypto_box_seal_open(Buffer.from(encrypted, 'base64'), publicKey, privateKey);
    expect(Buffer.from(opened).toString()).toBe('{"refresh_token":"r@"}');
  });
});
