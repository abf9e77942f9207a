// The field app for grid assistants: sign in once, then work offline for days. Leads are
// written to WatermelonDB on the phone and sent by synchronize(): on start, when the
// network returns, every minute, and on the button. The wanted list and tasks come with
// the same sync, so they read offline too.
import './style.css';
import { ApiError, authorizedFetch, call, currentSession, signIn, signOut } from './api.js';
import { openDatabase, sync } from './db.js';
import { h } from './dom.js';
import { LEAD_KINDS, lang, t, toggleLang } from './i18n.js';

const LAST_SYNC = 'gridwork.app.lastSync';
const REJECTIONS = 'gridwork.app.rejections';
const SYNC_EVERY_MS = 60_000;

const state = {
  database: null, tab: 'report', syncing: null, syncError: '', storageRefused: false,
  position: null, locating: false, notice: '',
};
const root = document.getElementById('app');

const formatTime = (ms) => new Date(ms).toLocaleString(lang(), { hour12: false });
const rejections = () => JSON.parse(localStorage.getItem(REJECTIONS) || '{}');

// --- persistent storage -------------------------------------------------------------------

// Evicted storage is how offline apps lose data: ask to be kept, and say so when refused.
async function askPersistentStorage() {
  if (!navigator.storage || !navigator.storage.persist) {
    state.storageRefused = true;
    return;
  }
  state.storageRefused = !((await navigator.storage.persisted())
    || (await navigator.storage.persist()));
}

// --- sync ---------------------------------------------------------------------------------

async function refreshRejections() {
  const open = await call('/sync/rejections?status=open');
  const byRecord = {};
  for (const item of open) byRecord[item.record_id] = { code: item.code, message: item.message };
  localStorage.setItem(REJECTIONS, JSON.stringify(byRecord));
}

// One sync at a time; a request for another while one runs joins it.
function syncNow() {
  if (!state.database || !currentSession()) return Promise.resolve();
  if (state.syncing) return state.syncing;
  state.syncing = (async () => {
    state.syncError = '';
    render();
    try {
      const { wiped } = await sync(state.database, authorizedFetch);
      if (wiped) {
        localStorage.removeItem(LAST_SYNC);
        localStorage.removeItem(REJECTIONS);
        signOut();
        state.notice = t('wiped');
        return;
      }
      await refreshRejections();
      localStorage.setItem(LAST_SYNC, String(Date.now()));
    } catch (error) {
      state.syncError = error instanceof ApiError ? error.message : String(error.message || error);
    } finally {
      state.syncing = null;
      render();
    }
  })();
  return state.syncing;
}

// --- position -----------------------------------------------------------------------------

// The browser gives WGS-84 (the W3C Geolocation API's datum), sent as `wgs84`; the server
// keeps that and places the lead on its grid.
function locate() {
  if (!navigator.geolocation) return;
  state.locating = true;
  navigator.geolocation.getCurrentPosition((where) => {
    state.position = { lon: where.coords.longitude, lat: where.coords.latitude,
      accuracy: where.coords.accuracy };
    state.locating = false;
    render();
  }, () => {
    state.locating = false;
    render();
  }, { enableHighAccuracy: true, timeout: 30_000, maximumAge: 60_000 });
}

// --- screens ------------------------------------------------------------------------------

function loginScreen() {
  const username = h('input', { id: 'username', name: 'username', autocomplete: 'username' });
  const password = h('input', { id: 'password', name: 'password', type: 'password',
    autocomplete: 'current-password' });
  const message = h('p', { class: 'error', role: 'alert' }, state.notice);
  const form = h('form', { class: 'login', onsubmit: async (event) => {
    event.preventDefault();
    if (!navigator.onLine) {
      message.textContent = t('signInOffline');
      return;
    }
    try {
      await signIn(username.value.trim(), password.value);
    } catch (error) {
      message.textContent = t('signInFailed', { reason: error.message });
      return;
    }
    state.notice = '';
    await start().catch((error) => { message.textContent = String(error.message || error); });
  } },
  h('h1', {}, t('title')),
  h('label', { for: 'username' }, t('username')), username,
  h('label', { for: 'password' }, t('password')), password,
  h('button', { type: 'submit' }, t('signIn')), message,
  h('p', {}, h('button', { type: 'button', class: 'lang', onclick: () => {
    toggleLang();
    render();
  } }, t('language'))));
  return form;
}

async function reportScreen() {
  const wanted = await state.database.get('wanted').query().fetch();
  const kind = h('select', { id: 'lead-kind' },
    LEAD_KINDS.map((k) => h('option', { value: k }, t(`kind.${k}`))));
  const description = h('textarea', { id: 'lead-description' });
  const debtor = h('select', { id: 'lead-debtor' }, h('option', { value: '' }, t('noDebtor')),
    wanted.map((w) => h('option', { value: w.id }, `${w._raw.name} ${w._raw.id_number || ''}`)));
  const { position } = state;
  const where = state.locating ? t('locating') : position
    ? t('located', { lon: position.lon.toFixed(5), lat: position.lat.toFixed(5),
      acc: Math.round(position.accuracy) })
    : t('noPosition');
  const message = h('p', { id: 'report-message', role: 'status' });
  return h('form', { id: 'report', onsubmit: async (event) => {
    event.preventDefault();
    if (!description.value.trim()) {
      message.textContent = t('required');
      message.className = 'error';
      return;
    }
    const columns = { kind: kind.value, description: description.value.trim(),
      observed_at: Date.now() };
    if (debtor.value) columns.party_id = debtor.value;
    if (state.position) {
      Object.assign(columns, { lon: state.position.lon, lat: state.position.lat,
        datum: 'wgs84', accuracy_m: state.position.accuracy });
    }
    const { database } = state;
    await database.write(() => database.get('lead').create((record) => {
      for (const [column, value] of Object.entries(columns)) record._setRaw(column, value);
    }));
    description.value = '';
    debtor.value = '';
    message.textContent = t('saved');
    message.className = '';
    if (navigator.onLine) syncNow();
  } },
  h('label', { for: 'lead-kind' }, t('kind')), kind,
  h('label', { for: 'lead-description' }, t('description')), description,
  h('label', { for: 'lead-debtor' }, t('debtor')), debtor,
  h('label', {}, t('position')),
  h('p', { id: 'lead-position', class: 'muted' }, where, ' ',
    h('button', { type: 'button', onclick: () => { locate(); render(); } }, t('locate'))),
  h('button', { type: 'submit', id: 'lead-submit' }, t('submit')), message);
}

async function leadsScreen() {
  const leads = await state.database.get('lead').query().fetch();
  leads.sort((a, b) => b._raw.created_at - a._raw.created_at);
  const refused = rejections();
  if (!leads.length) return h('p', { class: 'muted' }, t('noLeads'));
  return h('ul', { class: 'list', id: 'leads' }, leads.map((lead) => {
    const raw = lead._raw;
    const rejection = refused[lead.id];
    const status = rejection ? 'refused' : raw._status === 'synced' ? 'sent' : 'waiting';
    return h('li', { class: `lead ${status}`, 'data-id': lead.id },
      h('span', { class: 'badge status' }, t(status)),
      h('span', { class: 'badge' }, t(`kind.${raw.kind}`)),
      h('div', { class: 'description' }, raw.description || ''),
      h('div', { class: 'muted' }, raw.created_at ? formatTime(raw.created_at) : ''),
      rejection && h('div', { class: 'error reason' }, t('reason', { reason: rejection.message })));
  }));
}

async function wantedScreen() {
  const wanted = await state.database.get('wanted').query().fetch();
  if (!wanted.length) return h('p', { class: 'muted' }, t('noWanted'));
  return h('ul', { class: 'list', id: 'wanted' }, wanted.map(({ _raw: w }) => {
    const numbers = JSON.parse(w.case_numbers || '[]');
    return h('li', { class: 'wanted' },
      h('strong', {}, w.name || ''), ' ', h('span', { class: 'muted' }, w.id_number || ''),
      h('div', {}, w.is_dishonest && h('span', { class: 'badge' }, t('dishonest')),
        w.consumption_restricted && h('span', { class: 'badge' }, t('restricted')),
        w.exit_restricted && h('span', { class: 'badge' }, t('exitRestricted'))),
      h('div', { class: 'muted' }, [w.phone, w.address].filter(Boolean).join(' · ')),
      numbers.length > 0 && h('div', { class: 'muted' }, t('cases', { numbers: numbers.join('、') })));
  }));
}

async function tasksScreen() {
  const tasks = await state.database.get('task').query().fetch();
  if (!tasks.length) return h('p', { class: 'muted' }, t('noTasks'));
  return h('ul', { class: 'list', id: 'tasks' }, tasks.map(({ _raw: task }) => h('li', { class: 'task' },
    h('strong', {}, task.title || ''), ' ',
    h('span', { class: 'badge' }, t(`task.${task.status}`)),
    h('div', {}, task.body || ''),
    task.due_at && h('div', { class: 'muted' }, t('due', { date: formatTime(task.due_at) })))));
}

const SCREENS = { report: reportScreen, leads: leadsScreen, wanted: wantedScreen, tasks: tasksScreen };

let rendering = Promise.resolve();
function render() {
  rendering = rendering.then(draw, draw);
  return rendering;
}

async function draw() {
  document.title = `${t('title')} · Gridwork`;
  if (!currentSession() || !state.database) {
    root.replaceChildren(loginScreen());
    return;
  }
  const last = localStorage.getItem(LAST_SYNC);
  const header = h('header', {},
    h('h1', {}, t('title')),
    h('button', { type: 'button', id: 'sync', disabled: Boolean(state.syncing),
      onclick: () => syncNow() }, state.syncing ? t('syncing') : t('sync')),
    h('button', { type: 'button', class: 'lang', onclick: () => { toggleLang(); render(); } },
      t('language')),
    h('button', { type: 'button', onclick: () => { signOut(); render(); } }, t('signOut')));
  const bars = [
    h('div', { class: 'bar', id: 'sync-status' },
      last ? t('lastSync', { time: formatTime(Number(last)) }) : t('neverSynced')),
    !navigator.onLine && h('div', { class: 'bar warning', id: 'offline' }, t('offline')),
    state.syncError && h('div', { class: 'bar error', id: 'sync-error' },
      t('syncFailed', { reason: state.syncError })),
    state.storageRefused && h('div', { class: 'bar warning', id: 'storage-warning', role: 'alert' },
      t('storageRefused')),
  ];
  const nav = h('nav', {}, Object.keys(SCREENS).map((tab) => h('button', {
    type: 'button', 'data-tab': tab, 'aria-selected': String(state.tab === tab),
    onclick: () => { state.tab = tab; render(); },
  }, t(`tab${tab[0].toUpperCase()}${tab.slice(1)}`))));
  const body = await SCREENS[state.tab]();
  root.replaceChildren(header, ...bars.filter(Boolean), nav, h('main', {}, body));
}

// --- start --------------------------------------------------------------------------------

let timer = null;
async function start() {
  if (!state.database) state.database = await openDatabase();
  await render();
  locate();
  syncNow();
  if (!timer) timer = setInterval(() => { if (navigator.onLine) syncNow(); }, SYNC_EVERY_MS);
}

window.addEventListener('online', () => { render(); syncNow(); });
window.addEventListener('offline', () => render());

async function boot() {
  document.documentElement.lang = lang();
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('sw.js', { scope: './' }).catch(() => {});
  }
  await askPersistentStorage();
  if (currentSession()) {
    try {
      await start();
      return;
    } catch (error) {
      state.notice = String(error.message || error);
    }
  }
  render();
}

boot();
