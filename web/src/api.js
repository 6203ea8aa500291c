// The HTTP API of sharedsky, as the signed-in operator: every call carries the bearer token.

const TOKEN_KEY = "sharedsky.token";

export function storedToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** A failed call: the problem+json ``detail`` and field ``path`` when the server gave them. */
export class ApiError extends Error {
  constructor(status, problem) {
    const where = problem && problem.path && problem.path.length ? ` (${problem.path.join(".")})` : "";
    super(`${(problem && (problem.detail || problem.title)) || `HTTP ${status}`}${where}`);
    this.status = status;
    this.problem = problem;
  }
}

export function authHeaders(token = storedToken()) {
  return { Authorization: `Bearer ${token}` };
}

export async function call(method, path, body, token = storedToken(), extra = {}) {
  const headers = { ...authHeaders(token), Accept: "application/json", ...extra };
  const init = { method, headers };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    headers["Idempotency-Key"] = crypto.randomUUID();
    init.body = JSON.stringify(body);
  }
  const answer = await fetch(path, init);
  const text = await answer.text();
  const data = text ? JSON.parse(text) : null;
  if (!answer.ok) throw new ApiError(answer.status, data);
  return data;
}

export const get = (path, token) => call("GET", path, undefined, token);
export const post = (path, body = {}) => call("POST", path, body);
/** PUT an amendment of the version the operator saw (``If-Match``). */
export const put = (path, body, version) => call("PUT", path, body, storedToken(), { "If-Match": String(version) });
