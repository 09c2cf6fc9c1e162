/**
 * Test certificates made at run time (nothing checked in that expires): a CA and a leaf it signs
 * for `localhost` and `127.0.0.1`, with the `selfsigned` library (pure JS, no install script).
 * Used by the TLS tests and the echo load scenario's TLS case (one certificate for every peer).
 */
import { generate } from 'selfsigned';

/** A CA and a server certificate it signed, in PEM. */
export interface TestCerts {
  /** The CA's certificate (trust it with `rootCAs` / `ca`). */
  ca: string;
  /** The CA's private key (to sign more leaves). */
  caKey: string;
  /** The server certificate: CN localhost, SAN DNS localhost and IP 127.0.0.1 / ::1. */
  cert: string;
  /** The server certificate's private key. */
  key: string;
}

let cached: Promise<TestCerts> | null = null;

/**
 * Makes (once per process) a CA valid for a day and a leaf it signs.
 *
 * @param hosts the DNS names of the leaf (default `['localhost']`).
 */
export function testCerts(hosts: string[] = ['localhost']): Promise<TestCerts> {
  if (hosts.length === 1 && hosts[0] === 'localhost' && cached !== null) return cached;
  const p = make(hosts);
  if (hosts.length === 1 && hosts[0] === 'localhost') cached = p;
  return p;
}

async function make(hosts: string[]): Promise<TestCerts> {
  const now = new Date(Date.now() - 60_000);
  const later = new Date(Date.now() + 24 * 3600_000);
  const ca = await generate([{ name: 'commonName', value: 'strand test CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: now,
    notAfterDate: later,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  } as never);
  const leaf = await generate([{ name: 'commonName', value: hosts[0]! }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: now,
    notAfterDate: later,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
      {
        name: 'subjectAltName',
        altNames: [...hosts.map((h) => ({ type: 2, value: h })), { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }],
      },
    ],
  } as never);
  return { ca: ca.cert, caKey: ca.private, cert: leaf.cert, key: leaf.private };
}
