// The operator's signature on its writes, made in the browser (docs/ledger-format.md, "Party
// signatures"): the header ``Sharedsky-Signature: keyId=<key id>,sig=<base64url>`` where sig is
// the Ed25519 signature of ASCII "sharedsky-body-v1:" + SHA-256 hex of the JCS form of
// {"method", "path", "body"}.
//
// The private key comes from the same PKCS#8 PEM file the CLI reads (SHAREDSKY_SIGNING_KEY,
// `sharedsky ledger keygen`). WebCrypto imports it non-extractable: the page can sign with it but
// no script can read it back; it lives in this tab's memory only and is gone on sign-out or
// reload. Which registered key it is, is found by verifying a probe signature with each of the
// operator's registered public keys, so the page never holds an exportable copy.
import canonicalize from "canonicalize";

const BODY_PREFIX = "sharedsky-body-v1:";
const ED25519 = { name: "Ed25519" };
const encoder = new TextEncoder();

/** A key file that cannot be used: ``key`` names the console's word that says why (i18n.js),
 * ``values`` fills it; ``message`` is that key. */
export class KeyFileError extends Error {
  constructor(key, values = {}) {
    super(key);
    this.key = key;
    this.values = values;
  }
}

function base64urlOf(bytes) {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function bytesOfBase64url(text) {
  const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

async function sha256Hex(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The DER bytes of the PKCS#8 private key in PEM ``text``. */
function pkcs8Der(text) {
  if (/-----BEGIN (ENCRYPTED |RSA |EC |OPENSSH )PRIVATE KEY-----/.test(text))
    throw new KeyFileError("key.error.encrypted");
  const found = /-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\s]+)-----END PRIVATE KEY-----/.exec(text);
  if (!found) throw new KeyFileError("key.error.not_pem");
  try {
    return Uint8Array.from(atob(found[1].replace(/\s+/g, "")), (c) => c.charCodeAt(0));
  } catch {
    throw new KeyFileError("key.error.damaged");
  }
}

/** The bytes an operator signs for one request (``submission`` in ledger/signing.py). */
export async function submissionMessage(method, path, body) {
  // the server signs what it parses: the JSON text the page sends, parsed again
  const parsed = body === undefined || body === null ? null : JSON.parse(JSON.stringify(body));
  const envelope = { method: method.toUpperCase(), path, body: parsed };
  return encoder.encode(BODY_PREFIX + (await sha256Hex(encoder.encode(canonicalize(envelope)))));
}

/** An operator's signing key, loaded for this tab only. */
export class SigningKey {
  constructor(privateKey, keyId, operator) {
    this.privateKey = privateKey;
    /** The registered key it matches (16 hex). */
    this.keyId = keyId;
    /** The operator it was loaded for. */
    this.operator = operator;
  }

  /** The ``Sharedsky-Signature`` header value of one request (``path`` without the query). */
  async header(method, path, body) {
    const message = await submissionMessage(method, path, body);
    const sig = new Uint8Array(await crypto.subtle.sign(ED25519, this.privateKey, message));
    return `keyId=${this.keyId},sig=${base64urlOf(sig)}`;
  }
}

/**
 * Import the PEM ``text`` as ``operator``'s signing key, given its registered keys
 * (``GET /v1/ledger/operator-keys``: [{key_id, public_key, revoked_at}]). Throws KeyFileError
 * when the file is not an Ed25519 PKCS#8 key, or is none of the operator's active keys.
 */
export async function loadSigningKey(text, operator, registered) {
  if (!crypto.subtle || typeof crypto.subtle.importKey !== "function")
    throw new KeyFileError("key.error.no_webcrypto");
  const der = pkcs8Der(text);
  let privateKey;
  try {
    privateKey = await crypto.subtle.importKey("pkcs8", der, ED25519, false, ["sign"]);
  } catch {
    throw new KeyFileError("key.error.not_ed25519");
  }
  const probe = encoder.encode(`sharedsky-console-probe:${crypto.randomUUID()}`);
  const sig = await crypto.subtle.sign(ED25519, privateKey, probe);
  for (const key of registered) {
    if (key.revoked_at) continue;
    const publicKey = await crypto.subtle.importKey("raw", bytesOfBase64url(key.public_key), ED25519, false, ["verify"]);
    if (await crypto.subtle.verify(ED25519, publicKey, sig, probe)) return new SigningKey(privateKey, key.key_id, operator);
  }
  const revoked = registered.some((k) => k.revoked_at);
  throw new KeyFileError(registered.length === 0 ? "key.error.none_registered" : revoked ? "key.error.not_active_revoked" : "key.error.not_active", { operator });
}
