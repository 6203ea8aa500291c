// The HTTP API of sharedsky, as the signed-in operator: every call carries the bearer token.
import { hasWord, t } from "./i18n.js";

const TOKEN_KEY = "sharedsky.token";

export function storedToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** What a refusal means in the operator's language, chosen by the problem's ``code``
 * (domain/errors.py, api/errors.py: "outside-area" reads ``problem.outside_area``); the
 * generic line for a code the console has no word for, or an answer without one. */
export function refusalLine(status, problem) {
  const code = problem && typeof problem.code === "string" ? problem.code : "";
  if (code && hasWord(`problem.${code.replaceAll("-", "_")}`)) return t(`problem.${code.replaceAll("-", "_")}`);
  return t("problem.http_status", { status });
}

/** A failed call. ``message``: the refusal's line in the operator's language, then the server's
 * own words (its problem+json ``detail``, in English, with the field ``path``) in brackets, as
 * secondary text; ``said`` and ``detail`` hold each alone for a page that sets them apart. */
export class ApiError extends Error {
  constructor(status, problem) {
    const where = problem && problem.path && problem.path.length ? ` (${problem.path.join(".")})` : "";
    const detail = `${(problem && (problem.detail || problem.title)) || `HTTP ${status}`}${where}`;
    const said = refusalLine(status, problem);
    super(`${said} (${detail})`);
    this.status = status;
    this.problem = problem;
    this.said = said;
    this.detail = detail;
  }
}

/** The bearer header of ``token``. Without a token (never signed in, or signed out while the
 * page waits for its reload) nothing may go out: a request would carry "Bearer null" and earn a
 * 401 from the server, so the refusal is made here, locally, as the same ApiError. */
export function authHeaders(token = storedToken()) {
  if (!token) throw new ApiError(401, { title: "Not signed in", detail: "not signed in", code: "unauthenticated" });
  return { Authorization: `Bearer ${token}` };
}

const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const SIGNATURE_CODES = new Set(["signature-required", "bad-signature"]);

let signingKey = null;
let signatureNeeded = null;

/** The operator's signing key (signing.js SigningKey) every write is signed with; null: none. */
export function setSigningKey(key) {
  signingKey = key;
}

export function currentSigningKey() {
  return signingKey;
}

/**
 * ``handler(error)`` is called when the server refuses a write for want of a (good) signature:
 * it offers the operator to load a key and resolves true once one is loaded (the write is then
 * sent again, signed, with the same Idempotency-Key), false when the operator declines.
 */
export function onSignatureNeeded(handler) {
  signatureNeeded = handler;
}

/** True for a refusal that a loaded key would cure. */
export function wantsSignature(err) {
  return err instanceof ApiError && err.status === 401 && Boolean(err.problem) && SIGNATURE_CODES.has(err.problem.code);
}

/** One request; ``prompt: false`` for a background write (the draft check) that must not open
 * the key dialog by itself. */
export async function call(method, path, body, token = storedToken(), extra = {}, { prompt = true } = {}) {
  const headers = { ...authHeaders(token), Accept: "application/json", ...extra };
  const init = { method, headers };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    headers["Idempotency-Key"] = crypto.randomUUID();
    init.body = JSON.stringify(body);
  }
  for (let attempt = 0; ; attempt += 1) {
    if (WRITES.has(method) && signingKey) {
      const signedPath = decodeURIComponent(new URL(path, location.href).pathname);
      headers["Sharedsky-Signature"] = await signingKey.header(method, signedPath, body);
    } else delete headers["Sharedsky-Signature"];
    const answer = await fetch(path, init);
    const text = await answer.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = { detail: text.slice(0, 200) };
    }
    if (answer.ok) return data;
    const err = new ApiError(answer.status, data);
    if (prompt && attempt === 0 && WRITES.has(method) && wantsSignature(err) && signatureNeeded && (await signatureNeeded(err))) continue;
    throw err;
  }
}

export const get = (path, token) => call("GET", path, undefined, token);
export const post = (path, body = {}, options = {}) => call("POST", path, body, storedToken(), {}, options);
/** PUT an amendment of the version the operator saw (``If-Match``). */
export const put = (path, body, version) => call("PUT", path, body, storedToken(), { "If-Match": String(version) });
/** DELETE (a write: signed like the others). */
export const del = (path) => call("DELETE", path, undefined);
