// An officer on a round, offline: today's stops of their team in the planned order, a map
// drawn from the grid outlines the phone holds, the day's progress, and a visit recorded
// at each stop. Stops are the read-only `round_stop` table (enforcement/rounds/stop_spec.py:
// the team's stops of locked or running rounds, today and the next six days); a visit is a
// `visit` record (enforcement/rounds/sync_spec.py), sent by the next sync and stored by the
// server exactly as POST /rounds/{id}/visits stores it (the stop moves on, an amount
// becomes a payment). A visit takes photos as a lead does (camera.js): kept sealed on the
// phone, uploaded by the next sync before the visit goes, and listed in its `attachments`.
import { cameraField, keepPhotos } from '../camera.js';
import { h } from '../dom.js';
import { formatTime } from '../format.js';
import { addWords, t } from '../i18n.js';
import { stopsMap } from '../map.js';
import { photoUrls } from '../photos.js';
import { locate } from '../position.js';
import { render, state } from '../state.js';
import { rejections, syncNow } from '../syncing.js';
import { photoStrip } from './leads.js';

addWords({
  zh: {
    'title.officer': '执行干警',
    'tab.round': '今日走访', noStops: '今天没有走访任务（锁定的执行轮次同步后显示）',
    progress: '今日进度：已走访 {done} / {total}，待发送 {waiting}', todayOf: '{round} · {team} · {day}',
    laterDays: '之后几天', recordVisit: '记录走访', cancel: '取消', result: '走访结果',
    amount: '当场收取金额（元，可选）', outcomeKind: '其他结果（可选）', outcomeNone: '无',
    visitNotes: '情况说明', saveVisit: '保存走访', visitSaved: '走访已保存，联网后发送',
    needAmount: '“已履行”需填写收取金额', mapLabel: '走访地图', eta: '预计 {time}',
    'stop.planned': '待走访', 'stop.visited': '已走访', 'stop.revisit': '需再访',
    'stop.skipped': '已跳过', 'stop.recorded': '已记录', 'stop.refused': '被拒绝',
    'result.debtor_met': '见到被执行人', 'result.debtor_absent': '被执行人不在',
    'result.paid': '已履行（收取款项）', 'result.settled': '达成和解',
    'result.property_found': '发现财产', 'result.refused': '拒不配合',
    'result.address_wrong': '地址有误', 'result.other': '其他',
    'outcome.debtor_located': '找到被执行人', 'outcome.debtor_detained': '司法拘留',
    'outcome.property_found': '发现财产', 'outcome.property_sealed': '查封财产',
    'outcome.property_frozen': '冻结财产', 'outcome.property_seized': '扣押财产',
    'outcome.settlement_reached': '达成和解',
  },
  en: {
    'title.officer': 'Enforcement officer',
    'tab.round': 'Today\'s round', noStops: 'No stops today (a locked round\'s stops come with a sync)',
    progress: 'Today: {done} of {total} visited, {waiting} waiting to be sent',
    todayOf: '{round} · {team} · {day}', laterDays: 'Next days', recordVisit: 'Record visit',
    cancel: 'Cancel', result: 'Result', amount: 'Collected on the spot (yuan, optional)',
    outcomeKind: 'Other outcome (optional)', outcomeNone: 'None', visitNotes: 'Notes',
    saveVisit: 'Save visit', visitSaved: 'Visit saved; it is sent when online',
    needAmount: 'A paid visit needs the amount collected', mapLabel: 'Map of the stops',
    eta: 'ETA {time}',
    'stop.planned': 'To visit', 'stop.visited': 'Visited', 'stop.revisit': 'Visit again',
    'stop.skipped': 'Skipped', 'stop.recorded': 'Recorded', 'stop.refused': 'Refused',
    'result.debtor_met': 'Debtor met', 'result.debtor_absent': 'Debtor absent',
    'result.paid': 'Paid', 'result.settled': 'Settled', 'result.property_found': 'Property found',
    'result.refused': 'Refused to cooperate', 'result.address_wrong': 'Wrong address',
    'result.other': 'Other',
    'outcome.debtor_located': 'Debtor located', 'outcome.debtor_detained': 'Debtor detained',
    'outcome.property_found': 'Property found', 'outcome.property_sealed': 'Property sealed',
    'outcome.property_frozen': 'Property frozen', 'outcome.property_seized': 'Property seized',
    'outcome.settlement_reached': 'Settlement reached',
  },
});

const RESULTS = ['debtor_met', 'debtor_absent', 'paid', 'settled', 'property_found', 'refused',
  'address_wrong', 'other'];
const OUTCOME_KINDS = ['debtor_located', 'debtor_detained', 'property_found', 'property_sealed',
  'property_frozen', 'property_seized', 'settlement_reached'];
const DONE = ['visited', 'revisit', 'skipped'];

let recording = null;
let justSaved = '';
const visitPhotos = []; // photos taken for the visit being recorded (kept across redraws)

function record(stopId) {
  if (recording !== stopId) visitPhotos.length = 0;
  recording = stopId;
  render();
}

// The round's calendar is China Standard Time (as the server's stops and summary count days),
// whatever zone the phone is set to.
export const roundDay = (ms = Date.now()) => new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit',
}).format(new Date(ms));

const order = (a, b) => String(a._raw.day).localeCompare(String(b._raw.day))
  || (a._raw.seq ?? 0) - (b._raw.seq ?? 0) || a.id.localeCompare(b.id);

// Where a stop stands on this phone: a visit recorded here counts at once (waiting to be
// sent, or refused with its reason); otherwise what the court last said.
function stopState(stop, visits, refused) {
  const mine = visits.filter((v) => v._raw.target_id === stop.id);
  if (mine.some((v) => refused[v.id])) return { key: 'refused', waiting: false };
  const unsent = mine.some((v) => v._raw._status !== 'synced');
  if (unsent) return { key: 'recorded', waiting: true };
  if (DONE.includes(stop._raw.status)) return { key: stop._raw.status, waiting: false };
  return { key: mine.length ? 'recorded' : 'planned', waiting: false };
}

function visitForm(stop) {
  const result = h('select', { id: 'visit-result' },
    RESULTS.map((r) => h('option', { value: r }, t(`result.${r}`))));
  const amount = h('input', { id: 'visit-amount', type: 'number', min: '0', step: '0.01',
    inputmode: 'decimal' });
  const outcome = h('select', { id: 'visit-outcome' }, h('option', { value: '' }, t('outcomeNone')),
    OUTCOME_KINDS.map((o) => h('option', { value: o }, t(`outcome.${o}`))));
  const notes = h('textarea', { id: 'visit-notes' });
  const message = h('p', { id: 'visit-message', role: 'status' });
  const { position } = state;
  return h('form', { id: 'visit-form', 'data-stop': stop.id, onsubmit: async (event) => {
    event.preventDefault();
    const collected = Number(amount.value || 0);
    if (result.value === 'paid' && !(collected > 0)) {
      message.textContent = t('needAmount');
      message.className = 'error';
      return;
    }
    // Every column the server reads is set (notes are text, never null; an amount is
    // decimal text); the optional ones stay unset.
    const columns = { round_id: stop._raw.round_id, target_id: stop.id, visited_at: Date.now(),
      result: result.value, amount_collected: collected.toFixed(2), notes: notes.value.trim() };
    if (outcome.value) columns.outcome_kind = outcome.value;
    if (state.position) {
      Object.assign(columns, { lon: state.position.lon, lat: state.position.lat,
        datum: 'wgs84', accuracy_m: state.position.accuracy });
    }
    const { database } = state;
    const visit = await database.write(() => database.get('visit').create((raw) => {
      for (const [column, value] of Object.entries(columns)) raw._setRaw(column, value);
    }));
    await keepPhotos('visit', visit.id, visitPhotos);
    recording = null;
    justSaved = t('visitSaved');
    await render();
    if (navigator.onLine) syncNow();
  } },
  h('label', { for: 'visit-result' }, t('result')), result,
  h('label', { for: 'visit-amount' }, t('amount')), amount,
  h('label', { for: 'visit-outcome' }, t('outcomeKind')), outcome,
  h('label', { for: 'visit-notes' }, t('visitNotes')), notes,
  h('p', { class: 'muted' }, t('position'), ': ', state.locating ? t('locating') : position
    ? t('located', { lon: position.lon.toFixed(5), lat: position.lat.toFixed(5),
      acc: Math.round(position.accuracy) }) : t('noPosition'), ' ',
  h('button', { type: 'button', onclick: () => { locate(); render(); } }, t('locate'))),
  cameraField('visit-photo', visitPhotos),
  h('button', { type: 'submit', id: 'visit-submit' }, t('saveVisit')), ' ',
  h('button', { type: 'button', class: 'secondary', onclick: () => record(null) },
    t('cancel')), message);
}

// The photos of the visits recorded at a stop: waiting ones from the phone, sent ones from
// the court.
async function stopPhotos(stop, visits) {
  const out = [];
  for (const visit of visits.filter((v) => v._raw.target_id === stop.id)) {
    out.push(...await photoUrls(visit.id, JSON.parse(visit._raw.attachments || '[]')));
  }
  return out;
}

function stopItem(stop, stand, refused, visits, photos) {
  const raw = stop._raw;
  const rejection = visits.filter((v) => v._raw.target_id === stop.id)
    .map((v) => refused[v.id]).find(Boolean);
  return h('li', { class: `stop ${stand.key}`, 'data-id': stop.id },
    h('span', { class: 'seq' }, String(raw.seq ?? '')),
    h('span', { class: 'badge status' }, t(`stop.${stand.key}`)),
    h('strong', {}, raw.debtor || raw.case_number || ''),
    raw.case_number && h('span', { class: 'muted' }, ` ${raw.case_number}`),
    h('div', {}, [raw.village, raw.address].filter(Boolean).join(' · ')),
    h('div', { class: 'muted' }, raw.todo || ''),
    raw.visited_at && h('div', { class: 'muted' }, formatTime(raw.visited_at)),
    rejection && h('div', { class: 'error reason' }, t('reason', { reason: rejection.message })),
    photoStrip(photos),
    recording === stop.id ? visitForm(stop)
      : h('button', { type: 'button', class: 'record', onclick: () => record(stop.id) },
        t('recordVisit')));
}

export async function roundScreen() {
  const { database } = state;
  const [stops, visits, villages, townships] = await Promise.all(
    ['round_stop', 'visit', 'village_grid', 'township'].map((n) => database.get(n).query().fetch()));
  const today = roundDay();
  const todays = stops.filter((s) => s._raw.day === today).sort(order);
  const later = stops.filter((s) => s._raw.day > today).sort(order);
  const refused = rejections();
  const saved = justSaved;
  justSaved = '';
  if (!todays.length && !later.length) {
    return h('section', { id: 'round' }, saved && h('p', { role: 'status' }, saved),
      h('p', { class: 'muted' }, t('noStops')));
  }
  const stands = new Map(todays.map((s) => [s.id, stopState(s, visits, refused)]));
  const done = todays.filter((s) => stands.get(s.id).key !== 'planned'
    && stands.get(s.id).key !== 'refused').length;
  const waiting = visits.filter((v) => v._raw._status !== 'synced' && !refused[v.id]
    && todays.some((s) => s.id === v._raw.target_id)).length;
  const photos = new Map();
  for (const stop of todays) photos.set(stop.id, await stopPhotos(stop, visits));
  const first = todays[0] || later[0];
  const map = todays.length ? stopsMap({
    stops: todays.map((s) => ({ id: s.id, seq: s._raw.seq, lon: s._raw.lon, lat: s._raw.lat,
      state: stands.get(s.id).key })),
    villages: villages.map((v) => v._raw), townships: townships.map((v) => v._raw),
    position: state.position, label: t('mapLabel') }) : null;
  return h('section', { id: 'round' },
    h('h2', {}, t('todayOf', { round: first._raw.round_name || '', team: first._raw.team_name || '',
      day: today })),
    saved && h('p', { id: 'visit-saved', role: 'status' }, saved),
    todays.length > 0 && h('div', { id: 'round-progress' },
      h('p', {}, t('progress', { done, total: todays.length, waiting })),
      h('progress', { max: String(todays.length), value: String(done) })),
    map,
    todays.length ? h('ol', { class: 'list', id: 'stops' },
      todays.map((s) => stopItem(s, stands.get(s.id), refused, visits, photos.get(s.id))))
      : h('p', { class: 'muted' }, t('noStops')),
    later.length > 0 && h('details', { id: 'later' }, h('summary', {}, t('laterDays')),
      h('ul', { class: 'list' }, later.map((s) => h('li', { class: 'stop', 'data-id': s.id },
        h('span', { class: 'badge' }, s._raw.day), ` ${s._raw.seq ?? ''}. `,
        s._raw.debtor || s._raw.case_number || '', h('div', { class: 'muted' },
          [s._raw.village, s._raw.address].filter(Boolean).join(' · ')))))));
}
