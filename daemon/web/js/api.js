// The API client: the token kept in this browser (localStorage), JSON calls with "Authorization: Bearer", and
// errors as ApiError with the server's own message ({"error": "..."}).
const TOKEN_KEY = 'vigie.token';
const NAME_KEY = 'vigie.name';

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export const session = {
  get token() {
    return localStorage.getItem(TOKEN_KEY) || '';
  },
  set token(v) {
    if (v) localStorage.setItem(TOKEN_KEY, v);
    else localStorage.removeItem(TOKEN_KEY);
  },
  get name() {
    return localStorage.getItem(NAME_KEY) || '';
  },
  set name(v) {
    if (v) localStorage.setItem(NAME_KEY, v);
    else localStorage.removeItem(NAME_KEY);
  },
  role: null,  // "read", "ingest", "admin", or "unknown" when the server cannot say
  tokenName: '',
};

// Called when the server refuses the token (401): the app goes back to sign-in.
let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

export async function api(path, {method = 'GET', body, signal} = {}) {
  const headers = {Authorization: 'Bearer ' + session.token};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal});
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, e.message || 'network error');
  }
  let data = null;
  const text = await res.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    if (res.status === 401) onUnauthorized();
    throw new ApiError(res.status, (data && data.error) || res.statusText || String(res.status));
  }
  return data;
}

// Like api(), but null when the endpoint or the thing does not exist (404): parts of the page that need an
// API this server lacks are hidden rather than broken.
export async function apiOptional(path, options) {
  try {
    return await api(path, options);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

// Who the token is: {"name","role"} from GET /api/v1/token. A server without that endpoint leaves the role
// "unknown" (actions are shown; the server still refuses what the token may not do).
export async function whoAmI() {
  const me = await apiOptional('/api/v1/token');
  session.role = me ? me.role : 'unknown';
  session.tokenName = me ? me.name : '';
  return me;
}

// Brand names by id (GET /api/v1/brands), loaded once at sign-in; brandName() falls back to the id.
const brandNames = new Map();
export async function loadBrandNames() {
  try {
    const page = await api('/api/v1/brands');
    for (const b of page.items || []) brandNames.set(b.id, b.name || b.id);
  } catch {
    // the views show ids instead
  }
}

export function brandName(id) {
  return brandNames.get(id) || id || '';
}

export function canAct() {
  return session.role === 'admin' || session.role === 'unknown';
}

// Every page of a list endpoint ({"items","next_cursor"}), up to `max` items.
export async function apiAll(path, max = 1000) {
  const items = [];
  let cursor = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page = await api(cursor ? path + sep + 'cursor=' + encodeURIComponent(cursor) : path);
    items.push(...(page.items || []));
    cursor = page.next_cursor;
  } while (cursor && items.length < max);
  return items;
}
