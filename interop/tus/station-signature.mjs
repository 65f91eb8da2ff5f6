// A station's request signature (HTTP Message Signatures, RFC 9421) written from the profile in
// schemas/intake-api.md §"Signed requests" with nothing but Node's own crypto: an independent
// implementation of what packet/src/request_signature.rs builds, so the intake is shown to
// take a signature it did not write itself.
//
// Deliberately small: one signature per request, the components the intake requires, and the
// parameters every station sends (created, nonce, keyid, alg). The label is RFC 9421's example
// `sig1` rather than the station's `enroll`: the intake accepts any one label.

import { createPrivateKey, createPublicKey, randomBytes, sign } from 'node:crypto';

// The header fields the intake requires covered whenever a request carries them, in the order
// the profile lists them (packet/src/request_signature.rs, COVERED_WHEN_PRESENT).
const COVERED_WHEN_PRESENT = [
  'upload-length',
  'upload-metadata',
  'upload-offset',
  'upload-checksum',
  'content-digest',
  'content-type',
];

// PKCS #8 (RFC 8410) wrapping of a 32-byte Ed25519 seed, the form Node imports private keys in.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** The station's request key from its 32-byte seed (lower-case hex, as the tests pass it). */
export function requestKeyFromSeed(seedHex) {
  const seed = Buffer.from(seedHex ?? '', 'hex');
  if (seed.length !== 32) {
    throw new Error('the request key seed must be 32 bytes in hex (64 characters)');
  }
  const privateKey = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  // The last 32 bytes of the SubjectPublicKeyInfo are the raw public key.
  const publicKey = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(-32);
  return { privateKey, keyid: publicKey.toString('base64url') };
}

/**
 * The `Signature-Input` and `Signature` fields for a request. `header(name)` answers the value
 * of a header field by its lower-case name, or undefined when the request does not carry it.
 */
export function signRequest(key, method, url, header, now = Date.now()) {
  const target = new URL(url);
  const values = new Map([
    ['@method', method.toUpperCase()],
    ['@path', target.pathname || '/'],
  ]);
  if (target.search !== '') {
    values.set('@query', target.search);
  }
  for (const name of COVERED_WHEN_PRESENT) {
    const value = header(name);
    if (value !== undefined && value !== null) {
      // RFC 9421 §2.1: leading and trailing spaces and tabs are not part of the value.
      values.set(name, String(value).replace(/^[ \t]+|[ \t]+$/g, ''));
    }
  }
  const components = [...values.keys()];
  const created = Math.floor(now / 1000);
  const nonce = randomBytes(16).toString('base64url');
  const params =
    `(${components.map((name) => `"${name}"`).join(' ')})` +
    `;created=${created};nonce="${nonce}";keyid="${key.keyid}";alg="ed25519"`;
  const base =
    components.map((name) => `"${name}": ${values.get(name)}`).join('\n') + `\n"@signature-params": ${params}`;
  const signature = sign(null, Buffer.from(base, 'utf8'), key.privateKey).toString('base64');
  return { signatureInput: `sig1=${params}`, signature: `sig1=:${signature}:` };
}
