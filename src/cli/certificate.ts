import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

export interface Certificate {
  key: string;
  cert: string;
  /** SHA-256 fingerprint, shown so a careful user can compare it with the browser's certificate viewer. */
  fingerprint: string;
}

/**
 * A throwaway self-signed certificate for the login callback (`selfsigned`, loaded only here): an EC P-256 key,
 * valid for one day, naming the callback's host (an IP address or a DNS name) as subject and alternative name.
 * It only has to carry one redirect over TLS on this machine; the browser warns about it once.
 */
export async function createCallbackCertificate(host: string, now: Date): Promise<Certificate> {
  const selfsigned = await import('selfsigned');
  const generate = selfsigned.generate ?? (selfsigned as unknown as { default: typeof selfsigned }).default.generate;
  const name = host.replace(/^\[|\]$/g, '');
  const altName = isIP(name) ? { type: 7 as const, ip: name } : { type: 2 as const, value: name };
  const notBeforeDate = new Date(now.getTime() - 60_000);
  const pems = await generate([{ name: 'commonName', value: name }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(now.getTime() + 24 * 3_600_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [altName] },
    ],
  });
  return { key: pems.private, cert: pems.cert, fingerprint: new X509Certificate(pems.cert).fingerprint256 };
}
