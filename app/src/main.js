// The field app: sign in once, then work offline for days. Records are written to
// WatermelonDB on the phone and sent by synchronize(): on start, when the network returns,
// every minute, and on the button. What the court sends (wanted list, tasks, …) comes with
// the same sync, so it reads offline too. Each role's tabs are in screens/index.js.
import './style.css';
import { currentSession, signOut } from './api.js';
import { closeDatabase, forgetUnreadableDatabase, openDatabase } from './db.js';
import { h } from './dom.js';
import { formatTime } from './format.js';
import { lang, t, toggleLang } from './i18n.js';
import { unsentBar } from './outbox.js';
import { locate } from './position.js';
import { adoptPrevault, loadPrevault, prevaultBar, setAsidePrevault } from './premigrate.js';
import { TABS } from './screens/index.js';
import { insecureScreen } from './screens/insecure.js';
import { loginScreen } from './screens/login.js';
import { unlockScreen } from './screens/unlock.js';
import { loadSettings, settings } from './settings.js';
import { render, setDraw, state } from './state.js';
import { lastSync, syncNow } from './syncing.js';
import { destroyVault, hasVault, isUnlocked, lock } from './vault.js';

const SYNC_EVERY_MS = 60_000;
const root = document.getElementById('app');

// Evicted storage is how offline apps lose data: ask to be kept, and say so when refused.
async function askPersistentStorage() {
  if (!navigator.storage || !navigator.storage.persist) {
    state.storageRefused = true;
    return;
  }
  state.storageRefused = !((await navigator.storage.persisted())
    || (await navigator.storage.persist()));
}

const tabsOf = (session) => TABS[session.role] || null;
// A role's own title where its screens give one (`title.<role>`), else the app's.
const titleOf = (session) => {
  const text = session && t(`title.${session.role}`);
  return text && text !== `title.${session.role}` ? text : t('title');
};

async function draw() {
  if (hasVault() && !isUnlocked()) {
    document.title = `${t('title')} · Gridwork`;
    root.replaceChildren(unlockScreen(start));
    return;
  }
  const session = currentSession();
  document.title = `${titleOf(session)} · Gridwork`;
  if (!session || !state.database) {
    root.replaceChildren(loginScreen(start));
    return;
  }
  const tabs = tabsOf(session);
  if (!state.tab || !tabs[state.tab]) [state.tab] = Object.keys(tabs);
  const last = lastSync();
  const header = h('header', {},
    h('h1', {}, titleOf(session)),
    h('button', { type: 'button', id: 'sync', disabled: Boolean(state.syncing),
      onclick: () => syncNow() }, state.syncing ? t('syncing') : t('sync')),
    h('button', { type: 'button', class: 'lang', onclick: () => { toggleLang(); render(); } },
      t('language')),
    h('button', { type: 'button', id: 'lock', onclick: () => lockNow() }, t('lock')),
    h('button', { type: 'button', onclick: () => { signOut(); lockNow(); } }, t('signOut')));
  const bars = [
    await unsentBar(state.database),
    prevaultBar(session),
    h('div', { class: 'bar', id: 'sync-status' },
      last ? t('lastSync', { time: formatTime(Number(last)) }) : t('neverSynced'),
      state.syncing && state.syncStep && h('span', { id: 'sync-step' }, ' · ', state.syncStep)),
    !navigator.onLine && h('div', { class: 'bar warning', id: 'offline' }, t('offline')),
    state.syncError && h('div', { class: 'bar error', id: 'sync-error' },
      t('syncFailed', { reason: state.syncError })),
    state.storageRefused && h('div', { class: 'bar warning', id: 'storage-warning', role: 'alert' },
      t('storageRefused')),
  ];
  const nav = h('nav', {}, Object.keys(tabs).map((tab) => h('button', {
    type: 'button', 'data-tab': tab, 'aria-selected': String(state.tab === tab),
    onclick: () => { state.tab = tab; render(); },
  }, t(`tab.${tab}`))));
  const body = await tabs[state.tab]();
  const focused = document.activeElement && document.activeElement.id;
  root.replaceChildren(header, ...bars.filter(Boolean), nav, h('main', {}, body));
  if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
}
setDraw(draw);

let timer = null;
async function start() {
  const session = currentSession();
  if (!tabsOf(session)) {
    signOut();
    state.notice = t('notForRole');
    await render();
    return;
  }
  if (!state.database) {
    await adoptPrevault(session); // the build before the vault left this user's records
    state.database = await openDatabase();
  }
  await loadSettings();
  watchIdle();
  await render();
  locate();
  syncNow();
  if (!timer) timer = setInterval(() => { if (navigator.onLine) syncNow(); }, SYNC_EVERY_MS);
}

window.addEventListener('online', () => { render(); syncNow(); });
window.addEventListener('offline', () => render());

// Locked: every write is in IndexedDB (sealed), the keys are forgotten and the page reloads,
// so no decrypted record stays in memory; the password opens it again, offline too.
let locking = null;
export function lockNow() {
  locking = locking || (async () => {
    if (state.syncing) await state.syncing.catch(() => {});
    if (state.database) await closeDatabase(state.database);
    lock();
    sessionStorage.setItem('gridwork.app.notice', 'locked');
    window.location.reload();
  })();
  return locking;
}

// Idle for the court's setting (FIELD_APP_LOCK_MINUTES, default 5): lock.
let lastTouch = Date.now();
let idleTimer = null;
function watchIdle() {
  if (idleTimer) return;
  for (const event of ['pointerdown', 'keydown', 'touchstart', 'scroll']) {
    window.addEventListener(event, () => { lastTouch = Date.now(); }, { passive: true });
  }
  idleTimer = setInterval(() => {
    if (Date.now() - lastTouch >= settings.lock_after_minutes * 60_000) lockNow();
  }, 5_000);
}

async function boot() {
  document.documentElement.lang = lang();
  // Service workers and persistent storage need a secure context: say so and store nothing.
  if (!window.isSecureContext) {
    root.replaceChildren(insecureScreen());
    return;
  }
  const notice = sessionStorage.getItem('gridwork.app.notice');
  sessionStorage.removeItem('gridwork.app.notice');
  if (notice) state.notice = t(notice);
  if (!hasVault()) {
    // Nothing readable without a key: a wiped phone's leftovers are deleted; what the build
    // before the vault kept in clear is set aside first (premigrate.js), not lost.
    await setAsidePrevault();
    destroyVault();
    await forgetUnreadableDatabase();
  }
  await loadPrevault();
  if ('serviceWorker' in navigator) {
    // Look for a new build on every start (the browser's own check may wait): it installs
    // beside this one and runs at the next opening; records stay in the database.
    navigator.serviceWorker.register('sw.js', { scope: './' })
      .then((registration) => navigator.onLine && registration.update()).catch(() => {});
  }
  await askPersistentStorage();
  render();
}

boot();
