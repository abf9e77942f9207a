// Photos taken for a record: downscaled on the phone to the court's longest side (JPEG),
// checked against the server's upload limit before saving, kept in IndexedDB until sent,
// then uploaded resumably with tus-js-client (by SHA-256, as docs/attachments.md says) and
// listed in the record's `attachments`. Every byte in and out of IndexedDB goes through
// vault.js, so photos are stored as the vault seals them.
import * as tus from 'tus-js-client';
import { BASE, call, currentSession } from './api.js';
import { lang } from './i18n.js';
import { settings } from './settings.js';
import { openBytes, sealBytes } from './vault.js';

const QUALITY = 0.85;

export class PhotoTooLarge extends Error {
  constructor(size, limit) {
    super(`photo of ${size} bytes over the limit of ${limit}`);
    this.size = size;
    this.limit = limit;
  }
}

// --- IndexedDB: one store of photos, each { id, table, recordId, sealed, sha256, … } ---
let opened = null;
function idb() {
  opened = opened || new Promise((resolve, reject) => {
    const request = indexedDB.open('gridwork-photos', 1);
    request.onupgradeneeded = () => request.result.createObjectStore('photos', { keyPath: 'id' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return opened;
}

async function store(mode, work) {
  const db = await idb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction('photos', mode);
    const request = work(tx.objectStore('photos'));
    tx.oncomplete = () => resolve(request && request.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

// Every photo waiting on the phone, without its bytes, oldest first.
export async function waitingPhotos() {
  const all = await store('readonly', (s) => s.getAll());
  return all.map(({ sealed, ...photo }) => photo).sort((a, b) => a.createdAt - b.createdAt);
}

export async function photosOf(recordId) {
  return (await waitingPhotos()).filter((p) => p.recordId === recordId);
}

export async function photoBytes(id) {
  const photo = await store('readonly', (s) => s.get(id));
  return photo ? openBytes(photo.sealed) : null;
}

export async function removePhotosOf(recordId) {
  for (const photo of await photosOf(recordId)) await store('readwrite', (s) => s.delete(photo.id));
}

// A revoked phone's wipe takes its photos too.
export async function clearPhotos() {
  await store('readwrite', (s) => s.clear());
}

// --- taking a photo ---
// EXIF DateTimeOriginal (the camera's local time), if the JPEG carries it; else null.
function exifTakenAt(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.byteLength < 4 || view.getUint16(0) !== 0xffd8) return null;
  for (let at = 2; at + 10 < view.byteLength;) {
    const marker = view.getUint16(at);
    if ((marker & 0xff00) !== 0xff00 || marker === 0xffda) return null;
    if (marker === 0xffe1 && view.getUint32(at + 4) === 0x45786966) { // "Exif"
      const tiff = at + 10;
      const little = view.getUint16(tiff) === 0x4949;
      const u16 = (o) => view.getUint16(tiff + o, little);
      const u32 = (o) => view.getUint32(tiff + o, little);
      const find = (ifd, tag) => {
        for (let i = 0, n = u16(ifd); i < n; i += 1) {
          if (u16(ifd + 2 + i * 12) === tag) return u32(ifd + 2 + i * 12 + 8);
        }
        return null;
      };
      const exif = find(u32(4), 0x8769);
      const text = exif === null ? null : find(exif, 0x9003);
      if (text === null) return null;
      const value = String.fromCharCode(...bytes.subarray(tiff + text, tiff + text + 19));
      const m = /^(\d{4}):(\d\d):(\d\d) (\d\d):(\d\d):(\d\d)$/.exec(value);
      return m ? new Date(m[1], m[2] - 1, m[3], m[4], m[5], m[6]).getTime() : null;
    }
    at += 2 + view.getUint16(at + 2);
  }
  return null;
}

async function downscale(file, maxSide) {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  canvas.getContext('2d').drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const blob = await new Promise((resolve) => { canvas.toBlob(resolve, 'image/jpeg', QUALITY); });
  return { bytes: new Uint8Array(await blob.arrayBuffer()), width, height };
}

export async function sha256Hex(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

// The capture time as local time with its offset (2026-12-06T09:15:00+08:00): it goes to
// the court as the photo's caption.
export function localIso(ms) {
  const d = new Date(ms);
  const pad = (n) => String(Math.trunc(Math.abs(n))).padStart(2, '0');
  const offset = -d.getTimezoneOffset();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:`
    + `${pad(d.getMinutes())}:${pad(d.getSeconds())}${offset >= 0 ? '+' : '-'}`
    + `${pad(offset / 60)}:${pad(offset % 60)}`;
}

// A photo from the camera, ready to keep: downscaled and checked before any record is
// saved, so the person hears at once when it is too large (PhotoTooLarge).
export async function preparePhoto(file) {
  const original = new Uint8Array(await file.arrayBuffer());
  const takenAt = exifTakenAt(original) ?? (file.lastModified || Date.now());
  const { bytes, width, height } = await downscale(file, settings.photo_max_side_px);
  if (bytes.byteLength > settings.attachment_max_bytes) {
    throw new PhotoTooLarge(bytes.byteLength, settings.attachment_max_bytes);
  }
  return { bytes, type: 'image/jpeg', size: bytes.byteLength, sha256: await sha256Hex(bytes),
    width, height, takenAt };
}

// A prepared photo kept for a record until it is sent: sealed by the vault, in IndexedDB.
export async function keepPhoto(table, recordId, { bytes, ...prepared }) {
  const photo = { ...prepared, id: crypto.randomUUID(), table, recordId, createdAt: Date.now() };
  const sealed = await sealBytes(bytes);
  await store('readwrite', (s) => s.put({ ...photo, sealed }));
  return photo;
}

// --- sending ---
function upload(bytes, photo, onProgress) {
  const chunkSize = Math.max(64 * 1024,
    Math.min(1024 * 1024, settings.request_max_bytes - 64 * 1024));
  return new Promise((resolve, reject) => {
    new tus.Upload(new Blob([bytes], { type: photo.type }), {
      endpoint: `${BASE}/attachments`,
      uploadUrl: `${BASE}/attachments/${photo.sha256}`, // HEAD first: resume where it stopped
      uploadDataDuringCreation: true,
      storeFingerprintForResuming: false,
      chunkSize,
      retryDelays: [0, 1000, 3000],
      metadata: { sha256: photo.sha256, filetype: photo.type, filename: `${photo.id}.jpg` },
      onBeforeRequest: (request) => {
        const session = currentSession();
        if (session) request.setHeader('Authorization', `Bearer ${session.access}`);
        request.setHeader('Accept-Language', lang());
      },
      onProgress,
      onSuccess: resolve,
      onError: reject,
    }).start();
  });
}

// Upload every waiting photo; `attach(photo)` lists each in its record once the court holds
// it, and only then are its bytes dropped from the phone. A photo whose record is gone
// (discarded) is dropped unsent. A failure leaves that photo waiting (the next sync
// resumes it from the server's offset) and the others go on. `progress(n, of, percent)`
// hears which photo is going and how much of it has arrived.
export async function sendPhotos(attach, recordExists, progress = () => {}) {
  let failure = null;
  const waiting = await waitingPhotos();
  for (const [k, photo] of waiting.entries()) {
    try {
      if (!await recordExists(photo)) {
        await store('readwrite', (s) => s.delete(photo.id));
        continue;
      }
      progress(k + 1, waiting.length, 0);
      await upload(await photoBytes(photo.id), photo,
        (sent, total) => progress(k + 1, waiting.length, total ? (100 * sent) / total : 0));
      await attach(photo);
      await store('readwrite', (s) => s.delete(photo.id));
    } catch (error) {
      failure = failure || error;
    }
  }
  if (failure) throw failure;
}

// A record's photos as shown: the waiting ones from the phone, the sent ones from the court
// (with the token, when online); each URL is made once per page.
const urls = new Map();
export async function photoUrls(recordId, attachments) {
  const out = [];
  for (const photo of await photosOf(recordId)) {
    if (!urls.has(photo.sha256)) {
      urls.set(photo.sha256, URL.createObjectURL(new Blob([await photoBytes(photo.id)],
        { type: photo.type })));
    }
    out.push({ sha256: photo.sha256, url: urls.get(photo.sha256), waiting: true });
  }
  for (const { sha256 } of attachments) {
    if (out.some((p) => p.sha256 === sha256)) continue;
    if (!urls.has(sha256) && navigator.onLine && currentSession()) {
      const response = await fetch(`${BASE}/attachments/${sha256}`, {
        headers: { Authorization: `Bearer ${currentSession().access}` } }).catch(() => null);
      if (response && response.ok) urls.set(sha256, URL.createObjectURL(await response.blob()));
    }
    out.push({ sha256, url: urls.get(sha256) || null, waiting: false });
  }
  return out;
}
