// A phone that ran the build before the vault (issue 27 follow-up) holds WatermelonDB's
// LokiJS chunks, its photos and its session in clear, and maybe leads not yet sent. The
// sealed build must not delete them, nor hand them to whoever signs in next:
// 1. At start, with no vault yet, that clear data is set aside whole in one IndexedDB
//    transaction (`gridwork-premigrate`, with whose it is and how much is unsent), then the
//    old databases are deleted. A tab closed in between sets it aside again next time.
// 2. At its former user's sign-in (and at each unlock until it is done), with the new key:
//    every clear chunk is sealed as LokiJS's `serializeChunk` seals it, the other rows
//    (LokiJS's metadata) copied as they are, so each record keeps its `_status` and
//    `_changed` and an unsent one is pushed once by the next sync; the photos are sealed
//    into the photo store. Each database is written in one transaction, then the set-aside
//    copy is marked `sealed` and deleted; a start that finds it marked deletes it at once.
// 3. Anyone else who signs in gets a database of their own; the set-aside records stay
//    untouched and a bar names their owner and counts them; deleting them asks first.
import { h } from './dom.js';
import { addWords, t } from './i18n.js';
import { confirmDialog } from './outbox.js';
import { render } from './state.js';
import { chunkHooks, sealBytes } from './vault.js';

addWords({
  zh: {
    prevaultWaiting: '本机有 {user} 在旧版本中未发送的 {records} 条记录、{photos} 张照片，只有 {user} 登录后才能加密保存并发送。',
    prevaultRemove: '删除这些记录',
    prevaultConfirm: '删除 {user} 未发送的 {records} 条记录、{photos} 张照片？它们只在这部手机上，尚未交给法院，删除后无法恢复。',
    prevaultUnknown: '一位以前的用户',
  },
  en: {
    prevaultWaiting: 'This phone holds {records} records and {photos} photos that {user} did not send from the previous version; only {user} can sign in to seal and send them.',
    prevaultRemove: 'Delete these records',
    prevaultConfirm: 'Delete the {records} unsent records and {photos} photos of {user}? They exist only on this phone, the court does not have them, and they cannot be recovered.',
    prevaultUnknown: 'a former user',
  },
});

const LOKI = 'gridwork';
const LOKI_STORE = 'LokiIncrementalData';
const PHOTOS = 'gridwork-photos';
const ASIDE = 'gridwork-premigrate';
const OLD_SESSION = 'gridwork.app.session';

const ask = (request) => new Promise((resolve, reject) => {
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});
const committed = (tx) => new Promise((resolve, reject) => {
  tx.oncomplete = () => resolve();
  tx.onerror = () => reject(tx.error);
  tx.onabort = () => reject(tx.error);
});

// Without creating it: where indexedDB.databases() is missing (Firefox before 126), an
// open that would create the database is aborted.
async function exists(name) {
  if (indexedDB.databases) return (await indexedDB.databases()).some((db) => db.name === name);
  return new Promise((resolve) => {
    const request = indexedDB.open(name);
    request.onupgradeneeded = () => {
      request.transaction.abort();
      resolve(false);
    };
    request.onsuccess = () => {
      request.result.close();
      resolve(true);
    };
    request.onerror = () => resolve(false);
  });
}

// Version 1 with these stores ({name: keyPath}), as LokiJS and photos.js open theirs.
function open(name, stores) {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name, 1);
    request.onupgradeneeded = () => {
      for (const [store, keyPath] of Object.entries(stores)) {
        if (!request.result.objectStoreNames.contains(store)) {
          request.result.createObjectStore(store, { keyPath });
        }
      }
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function readAll(name, stores) {
  const db = await open(name, stores);
  try {
    const tx = db.transaction(Object.keys(stores));
    const names = Object.keys(stores);
    const all = await Promise.all(names.map((store) => ask(tx.objectStore(store).getAll())));
    return Object.fromEntries(names.map((store, i) => [store, all[i]]));
  } finally {
    db.close();
  }
}

// Resolves once the database is gone; a connection still open elsewhere only delays it.
const remove = (name) => new Promise((resolve, reject) => {
  const request = indexedDB.deleteDatabase(name);
  request.onsuccess = () => resolve();
  request.onerror = () => reject(request.error);
});

// A LokiJS data chunk (`lead.chunk.0`) as that build wrote it: JSON of its records. A sealed
// one is JSON of a base64 string.
const collectionOf = (row) => /^(.+)\.chunk\.\d+$/.exec(row.key)?.[1] ?? null;
const isClearChunk = (row) => collectionOf(row) !== null && typeof row.value === 'string'
  && row.value.startsWith('[');

function unsentIn(rows) {
  let records = 0;
  let authorId = null;
  for (const row of rows.filter(isClearChunk)) {
    for (const doc of JSON.parse(row.value)) {
      if (doc._status && doc._status !== 'synced') records += 1;
      if (collectionOf(row) === 'lead' && doc.author_id) authorId = authorId || doc.author_id;
    }
  }
  return { records, authorId };
}

let aside = null; // the set-aside copy's description, while there is one

/** At start with no vault: a clear database of the build before the vault is set aside
 * (with its photos and whose it was) instead of being deleted; true when there was one. */
export async function setAsidePrevault() {
  if (!await exists(LOKI)) return false;
  const { [LOKI_STORE]: rows } = await readAll(LOKI, { [LOKI_STORE]: 'key' });
  if (!rows.some(isClearChunk)) return false; // a wiped phone's sealed leftovers
  const photos = await exists(PHOTOS) ? (await readAll(PHOTOS, { photos: 'id' })).photos : [];
  // That build kept its session in clear: it names the phone's user.
  const session = JSON.parse(localStorage.getItem(OLD_SESSION) || 'null');
  const { records, authorId } = unsentIn(rows);
  if (records === 0 && photos.length === 0) return false; // the court has it all
  const meta = { key: 'meta', state: 'waiting', records, photos: photos.length,
    userId: session?.userId || authorId, username: session?.username || '' };
  const db = await open(ASIDE, { loki: 'key', photos: 'id', meta: 'key' });
  try {
    const tx = db.transaction(['loki', 'photos', 'meta'], 'readwrite');
    tx.objectStore('loki').clear();
    tx.objectStore('photos').clear();
    rows.forEach((row) => tx.objectStore('loki').put(row));
    photos.forEach((photo) => tx.objectStore('photos').put(photo));
    tx.objectStore('meta').put(meta);
    await committed(tx);
  } finally {
    db.close();
  }
  await remove(LOKI);
  await remove(PHOTOS);
  return true;
}

/** On every start: what is set aside (kept for the bar), and a copy already sealed (the
 * tab was closed before it was deleted) goes now. */
export async function loadPrevault() {
  aside = null;
  if (!await exists(ASIDE)) return null;
  const { meta: [meta] } = await readAll(ASIDE, { loki: 'key', photos: 'id', meta: 'key' });
  if (!meta || meta.state === 'sealed') {
    await remove(ASIDE);
    return null;
  }
  aside = meta;
  return aside;
}

const ownedBy = (meta, session) => Boolean(meta.userId
  ? meta.userId === session.userId : meta.username && meta.username === session.username);

/** Once the vault is open, before the database is: the former user's set-aside records and
 * photos are sealed into the app's stores, then the clear copy is deleted. Anyone else's
 * session leaves them where they are. */
export async function adoptPrevault(session) {
  if (!aside || !ownedBy(aside, session)) return false;
  const { loki, photos } = await readAll(ASIDE, { loki: 'key', photos: 'id', meta: 'key' });
  const sealedRows = loki.map((row) => (isClearChunk(row)
    ? { key: row.key, value: JSON.stringify(chunkHooks.serializeChunk(collectionOf(row),
      JSON.parse(row.value))) }
    : row));
  const sealedPhotos = [];
  for (const photo of photos) {
    sealedPhotos.push({ ...photo, sealed: await sealBytes(photo.sealed) });
  }
  const records = await open(LOKI, { [LOKI_STORE]: 'key' });
  try {
    const tx = records.transaction(LOKI_STORE, 'readwrite');
    tx.objectStore(LOKI_STORE).clear();
    sealedRows.forEach((row) => tx.objectStore(LOKI_STORE).put(row));
    await committed(tx);
  } finally {
    records.close();
  }
  const store = await open(PHOTOS, { photos: 'id' });
  try {
    const tx = store.transaction('photos', 'readwrite');
    sealedPhotos.forEach((photo) => tx.objectStore('photos').put(photo));
    await committed(tx);
  } finally {
    store.close();
  }
  // Sealed and committed: from here on the clear copy is only a risk.
  const db = await open(ASIDE, { loki: 'key', photos: 'id', meta: 'key' });
  try {
    const tx = db.transaction('meta', 'readwrite');
    tx.objectStore('meta').put({ ...aside, state: 'sealed' });
    await committed(tx);
  } finally {
    db.close();
  }
  await remove(ASIDE);
  aside = null;
  return true;
}

function words() {
  return { user: aside.username || t('prevaultUnknown'), records: aside.records,
    photos: aside.photos };
}

/** On the sign-in screen: whose records wait on this phone. */
export function prevaultNote() {
  return aside && h('p', { class: 'bar warning', id: 'prevault-note', role: 'status' },
    t('prevaultWaiting', words()));
}

/** For someone else signed in: the former user's records, named and counted; deleting
 * them asks first, naming them. */
export function prevaultBar(session) {
  if (!aside || ownedBy(aside, session)) return null;
  return h('div', { class: 'bar warning', id: 'prevault', 'data-records': aside.records,
    'data-photos': aside.photos },
  t('prevaultWaiting', words()), ' ',
  h('button', { type: 'button', id: 'prevault-remove', onclick: async () => {
    if (!await confirmDialog(t('prevaultConfirm', words()), t('remove'))) return;
    await remove(ASIDE);
    aside = null;
    render();
  } }, t('prevaultRemove')));
}
