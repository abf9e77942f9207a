// Everything the app keeps on the phone is encrypted (issue 27): a lost or shared phone gives
// away no lead, no debtor's name, no photo. A random 256-bit data key is kept only wrapped
// (AES-GCM) by a key derived from the user's password with PBKDF2-SHA-256, so the app
// unlocks offline with that password and nothing is readable without it. From the data key,
// HKDF derives two keys: one for tweetnacl's secretbox (synchronous, as LokiJS's chunk hooks
// must be: every WatermelonDB record and every small item kept in localStorage) and one
// AES-GCM key for photos (sealBytes / openBytes). docs/app.md says why these parameters.
import nacl from 'tweetnacl';

const VAULT = 'gridwork.app.vault';
const PREFIX = 'gridwork.app.';
const KEPT_IN_CLEAR = new Set(['gridwork.app.lang', 'gridwork.app.device', VAULT]);
// OWASP's 2023 figure for PBKDF2-HMAC-SHA-256; about half a second on a mid-range phone.
export const PBKDF2_ITERATIONS = 600_000;
const SEALED_MARK = 'nacl1:';

let boxKey = null;
let photoKey = null;

export class WrongPassword extends Error {}
export class Locked extends Error {}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

export function toBase64(bytes) {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

export function fromBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const kept = () => JSON.parse(localStorage.getItem(VAULT) || 'null');

/** Whether this phone holds a wrapped key (someone signed in here and has not been wiped). */
export const hasVault = () => kept() !== null;
/** Who locked this phone's data: the unlock screen names them. */
export const vaultOwner = () => kept()?.username ?? '';
export const isUnlocked = () => boxKey !== null;

async function wrappingKey(password, salt, iterations) {
  const base = await crypto.subtle.importKey('raw', utf8.encode(password), 'PBKDF2', false,
    ['deriveKey']);
  return crypto.subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, base,
    { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

async function useDataKey(raw) {
  const base = await crypto.subtle.importKey('raw', raw, 'HKDF', false,
    ['deriveBits', 'deriveKey']);
  const salt = new Uint8Array(32);
  boxKey = new Uint8Array(await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt,
    info: utf8.encode('gridwork records') }, base, 256));
  photoKey = await crypto.subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt,
    info: utf8.encode('gridwork photos') }, base, { name: 'AES-GCM', length: 256 }, false,
  ['encrypt', 'decrypt']);
  raw.fill(0);
}

const additionalData = (username) => utf8.encode(`gridwork vault 1 ${username}`);

/** At the first sign-in online: a new random data key, kept wrapped by the password. */
export async function createVault(username, password) {
  const raw = crypto.getRandomValues(new Uint8Array(32));
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const key = await wrappingKey(password, salt, PBKDF2_ITERATIONS);
  const wrapped = new Uint8Array(await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: additionalData(username) }, key, raw));
  localStorage.setItem(VAULT, JSON.stringify({ version: 1, username,
    kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations: PBKDF2_ITERATIONS, salt: toBase64(salt) },
    iv: toBase64(iv), wrapped: toBase64(wrapped) }));
  await useDataKey(raw);
}

/** Unwrap the data key with the password, offline; a wrong one throws WrongPassword. */
export async function unlock(password) {
  const vault = kept();
  if (!vault) throw new Locked('no vault on this phone');
  const key = await wrappingKey(password, fromBase64(vault.kdf.salt), vault.kdf.iterations);
  let raw;
  try {
    raw = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM',
      iv: fromBase64(vault.iv), additionalData: additionalData(vault.username) }, key,
    fromBase64(vault.wrapped)));
  } catch {
    throw new WrongPassword('wrong password');
  }
  await useDataKey(raw);
}

/** Forget the keys (the caller reloads the page, so no decrypted record stays in memory). */
export function lock() {
  if (boxKey) boxKey.fill(0);
  boxKey = null;
  photoKey = null;
}

/** A remote wipe or a new owner: the wrapped key and every sealed item go; what is left
 * in IndexedDB can never be read again. */
export function destroyVault() {
  lock();
  const doomed = [];
  for (let i = 0; i < localStorage.length; i += 1) {
    const key = localStorage.key(i);
    if (key.startsWith(PREFIX) && !KEPT_IN_CLEAR.has(key)) doomed.push(key);
  }
  doomed.forEach((key) => localStorage.removeItem(key));
  localStorage.removeItem(VAULT);
}

function box() {
  if (!boxKey) throw new Locked('the app is locked');
  return boxKey;
}

/** secretbox(text) as base64, with the label inside, so a sealed value cannot be moved to
 * another label (another collection, another item) unnoticed. */
export function sealText(label, text) {
  const nonce = nacl.randomBytes(nacl.secretbox.nonceLength);
  const sealed = nacl.secretbox(utf8.encode(`${label}\n${text}`), nonce, box());
  const out = new Uint8Array(nonce.length + sealed.length);
  out.set(nonce);
  out.set(sealed, nonce.length);
  return toBase64(out);
}

export function openText(label, sealed) {
  const bytes = fromBase64(sealed);
  const n = nacl.secretbox.nonceLength;
  const opened = nacl.secretbox.open(bytes.subarray(n), bytes.subarray(0, n), box());
  if (!opened) throw new Error(`${label}: sealed data does not open with this key`);
  const text = fromUtf8.decode(opened);
  if (!text.startsWith(`${label}\n`)) throw new Error(`${label}: sealed data belongs elsewhere`);
  return text.slice(label.length + 1);
}

/** LokiJS's IncrementalIndexedDBAdapter hooks: every chunk of records (up to 100 of one
 * collection) is sealed before it goes to IndexedDB and opened as it is loaded. */
export const chunkHooks = {
  serializeChunk: (collection, docs) => sealText(`chunk ${collection}`, JSON.stringify(docs)),
  deserializeChunk: (collection, value) => JSON.parse(openText(`chunk ${collection}`, value)),
};

/** localStorage with sealed values: the session, the kept schema, refusals, settings. */
export const sealedStorage = {
  getItem(key) {
    const value = localStorage.getItem(key);
    if (value === null || !value.startsWith(SEALED_MARK)) return null;
    return openText(key, value.slice(SEALED_MARK.length));
  },
  setItem(key, value) {
    localStorage.setItem(key, SEALED_MARK + sealText(key, String(value)));
  },
  removeItem(key) {
    localStorage.removeItem(key);
  },
};

/** Photos and other bytes: AES-GCM, a fresh 96-bit IV in front of the ciphertext. */
export async function sealBytes(bytes) {
  if (!photoKey) throw new Locked('the app is locked');
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, photoKey,
    bytes));
  const out = new Uint8Array(iv.length + sealed.length);
  out.set(iv);
  out.set(sealed, iv.length);
  return out;
}

export async function openBytes(sealed) {
  if (!photoKey) throw new Locked('the app is locked');
  return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: sealed.subarray(0, 12) },
    photoKey, sealed.subarray(12)));
}
