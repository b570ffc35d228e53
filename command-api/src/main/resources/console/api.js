// The console's only back end is the REST API: every call goes through here with the session cookie (sent by the
// browser, HttpOnly), the session's CSRF token on writes, and the header that keeps the browser's own login dialog
// away on a 401.
const BASE = '/api/v1';
let csrfToken = null;

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.code || `HTTP_${status}`;
    this.field = body?.field || null;
  }
}

export function setCsrf(token) { csrfToken = token; }

export async function api(method, path, body, headers = {}) {
  const h = { 'X-Epic-Console': '1', ...headers };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) h['X-CSRF-Token'] = csrfToken;
  const res = await fetch(BASE + path, {
    method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin',
  });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = { message: text }; }
  if (!res.ok) throw new ApiError(res.status, json);
  return { json, etag: res.headers.get('ETag') };
}

export const get = async (path) => (await api('GET', path)).json;

export async function signIn(login, password) {
  const basic = btoa(unescape(encodeURIComponent(`${login}:${password}`)));
  const { json } = await api('POST', '/sessions', undefined, { Authorization: `Basic ${basic}` });
  setCsrf(json.csrfToken);
  return json;
}

export async function currentSession() {
  try {
    const json = await get('/sessions/current');
    setCsrf(json.csrfToken);
    return json;
  } catch (e) {
    if (e.status === 401) return null;
    throw e;
  }
}

export async function signOut() {
  await api('DELETE', '/sessions/current');
  setCsrf(null);
}

/** Every item of a paged list (the API pages by aggregate id). */
export async function listAll(path) {
  const items = [];
  let after = null;
  for (;;) {
    const sep = path.includes('?') ? '&' : '?';
    const page = await get(path + sep + 'limit=500' + (after ? '&after=' + encodeURIComponent(after) : ''));
    items.push(...page.items);
    if (!page.next) return items;
    after = page.next;
  }
}

export const enc = encodeURIComponent;
