// The app's way to the server: /api/v1 on the same origin, bearer tokens kept on the phone
// (an assistant signs in once and works for days offline), refreshed when they expire.
import { lang } from './i18n.js';
import { sealedStorage } from './vault.js';

export const BASE = '/api/v1';
const SESSION = 'gridwork.app.session';
const DEVICE = 'gridwork.app.device';
const ID_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

// Sealed by the vault: read once the app is unlocked.
let session = null;
export function loadSession() {
  session = JSON.parse(sealedStorage.getItem(SESSION) || 'null');
  return session;
}

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.title || `HTTP ${status}`);
    this.status = status;
    this.body = problem;
  }
}

// One id per installation, 16 letters and digits like WatermelonDB's record ids; the court
// sees it in the device list and can revoke it.
export function deviceId() {
  let id = localStorage.getItem(DEVICE);
  if (!id) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    id = Array.from(bytes, (b) => ID_CHARS[b % ID_CHARS.length]).join('');
    localStorage.setItem(DEVICE, id);
  }
  return id;
}

// A revoked device is retired for good (the court keeps its record): once wiped, the phone
// signs in next as a new device, so it can be handed to another assistant of the court.
export function forgetDevice() {
  localStorage.removeItem(DEVICE);
}

function save(tokens) {
  session = tokens && { access: tokens.access_token, refresh: tokens.refresh_token,
    userId: tokens.user_id, role: tokens.role, username: tokens.username };
  if (session) sealedStorage.setItem(SESSION, JSON.stringify(session));
  else sealedStorage.removeItem(SESSION);
}

export const currentSession = () => session;
export const signOut = () => save(null);

async function problemOf(response) {
  try {
    return await response.json();
  } catch {
    return { title: `HTTP ${response.status}`, status: response.status };
  }
}

function send(path, { method = 'GET', body } = {}) {
  const headers = { 'Accept-Language': lang() };
  if (session) headers.Authorization = `Bearer ${session.access}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return fetch(BASE + path, { method, headers,
    body: body === undefined ? undefined : JSON.stringify(body) });
}

async function refresh() {
  const response = await send('/auth/refresh', { method: 'POST',
    body: { refresh_token: session.refresh } });
  if (!response.ok) return false;
  save({ ...(await response.json()), username: session.username });
  return true;
}

// A JSON request; an expired access token is refreshed once and the request repeated.
export async function call(path, options = {}) {
  let response = await send(path, options);
  if (response.status === 401 && session && session.refresh && await refresh()) {
    response = await send(path, options);
  }
  if (!response.ok) throw new ApiError(response.status, await problemOf(response));
  return response.status === 204 ? null : response.json();
}

// `accepted` runs once the court accepts the password, before the tokens are kept (the
// first sign-in creates the vault that seals them).
export async function signIn(username, password, accepted = async () => {}) {
  const tokens = await call('/auth/login', { method: 'POST', body: {
    username, password, device_id: deviceId(), device_name: 'Gridwork field app',
    platform: 'web' } });
  await accepted(tokens);
  save({ ...tokens, username });
  return session;
}

// fetch() with the bearer token, for synchronize()'s own requests (it reads the raw
// response); an expired token is refreshed once, as in call().
export async function authorizedFetch(url, init) {
  const attempt = () => fetch(url, { ...init, headers: { 'Content-Type': 'application/json',
    'Accept-Language': lang(), ...(session ? { Authorization: `Bearer ${session.access}` } : {}) } });
  let response = await attempt();
  if (response.status === 401 && session && session.refresh && await refresh()) {
    response = await attempt();
  }
  return response;
}
