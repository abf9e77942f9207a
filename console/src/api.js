// The console's only way to the server: the public API under /api/v1, with the same
// sign-in and bearer tokens as the phones. Errors come back as ApiError carrying the
// problem+json title (already in the user's language, from Accept-Language).
import { lang } from './i18n.js';

const BASE = '/api/v1';
const STORE = 'gridwork.console.session';
let session = JSON.parse(sessionStorage.getItem(STORE) || 'null');

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

function deviceId() {
  let id = localStorage.getItem('gridwork.console.device');
  if (!id) {
    const bytes = crypto.getRandomValues(new Uint8Array(8));
    id = `console-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
    localStorage.setItem('gridwork.console.device', id);
  }
  return id;
}

function save(tokens) {
  session = tokens && { access: tokens.access_token, refresh: tokens.refresh_token,
    userId: tokens.user_id, role: tokens.role };
  if (session) sessionStorage.setItem(STORE, JSON.stringify(session));
  else sessionStorage.removeItem(STORE);
}

export const signedIn = () => Boolean(session);
export const currentRole = () => session && session.role;
export const currentUserId = () => session && session.userId;
export const signOut = () => save(null);

async function problemOf(response) {
  try {
    return await response.json();
  } catch {
    return { title: `HTTP ${response.status}`, status: response.status };
  }
}

async function send(path, { method = 'GET', body, headers = {} } = {}) {
  const all = { 'Accept-Language': lang(), ...headers };
  if (session) all.Authorization = `Bearer ${session.access}`;
  if (body !== undefined) all['Content-Type'] = 'application/json';
  return fetch(BASE + path, { method, headers: all,
    body: body === undefined ? undefined : JSON.stringify(body) });
}

async function refresh() {
  const response = await send('/auth/refresh', { method: 'POST',
    body: { refresh_token: session.refresh } });
  if (!response.ok) {
    save(null);
    return false;
  }
  save(await response.json());
  return true;
}

/** The raw Response of a call; refreshes the access token once when it has expired. */
export async function request(path, options = {}) {
  let response = await send(path, options);
  if (response.status === 401 && session && !path.startsWith('/auth/') && await refresh()) {
    response = await send(path, options);
  }
  if (!response.ok) {
    const error = new ApiError(response.status, await problemOf(response));
    if (response.status === 401) {
      save(null);
      window.dispatchEvent(new CustomEvent('gridwork:signed-out'));
    }
    throw error;
  }
  return response;
}

/** JSON of a call (null for 204). */
export async function api(path, options = {}) {
  const response = await request(path, options);
  return response.status === 204 ? null : response.json();
}

/** Every item of a paginated list, following next_cursor up to `max` items. */
export async function listAll(path, max = 1000) {
  const items = [];
  let cursor = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page = await api(`${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && items.length < max);
  return items;
}

/** A file the API serves behind the token, as an object URL (for <img>, a download or a tab). */
export async function blobUrl(path, options = {}) {
  const response = await request(path, options);
  const disposition = response.headers.get('Content-Disposition') || '';
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  const blob = await response.blob();
  return { url: URL.createObjectURL(blob), filename: match ? decodeURIComponent(match[1]) : '' };
}

export async function signIn(username, password) {
  const tokens = await api('/auth/login', { method: 'POST', body: {
    username, password, device_id: deviceId(), device_name: 'Web console',
    platform: 'web' } });
  save(tokens);
  return tokens;
}
