// Report a sighting: a wanted debtor seen (from the wanted list, or described), when, where
// (the phone's position with its accuracy), a vehicle plate and a note. Saved on the phone;
// sent by the next sync. Below the form: the assistant's sightings and their state.
import { h } from '../dom.js';
import { forget, kept } from '../drafts.js';
import { formatTime } from '../format.js';
import { addWords, t } from '../i18n.js';
import { removeUnsent, statusOf } from '../outbox.js';
import { render, state } from '../state.js';
import { syncNow } from '../syncing.js';
import { nameOf } from './leads.js';

addWords({
  zh: { 'tab.sighting': '发现', seenDebtor: '看到的被执行人', seenOther: '名单外（在备注中说明）',
    plate: '车牌号（可选）', notes: '备注', saveSighting: '保存发现记录',
    sightingRequired: '请选择被执行人或填写备注', mySightings: '我的发现记录',
    sightingSaved: '已保存，联网后发送' },
  en: { 'tab.sighting': 'Sighting', seenDebtor: 'Debtor seen', seenOther: 'Not on the list (say who in the note)',
    plate: 'Vehicle plate (optional)', notes: 'Note', saveSighting: 'Save sighting',
    sightingRequired: 'Choose the debtor or write a note', mySightings: 'My sightings',
    sightingSaved: 'Saved; it is sent when online' },
});

let flash = ''; // "saved", shown after a save (across redraws) until the next is typed

export async function sightingScreen() {
  const { database } = state;
  const wanted = await database.get('wanted').query().fetch();
  const names = Object.fromEntries(wanted.map((w) => [w.id, w._raw.name]));
  const debtor = h('select', { id: 'sighting-debtor' }, h('option', { value: '' }, t('seenOther')),
    wanted.map((w) => h('option', { value: w.id }, `${w._raw.name} ${w._raw.id_number || ''}`)));
  const plate = h('input', { id: 'sighting-plate', maxlength: 16 });
  const notes = h('textarea', { id: 'sighting-notes' });
  notes.addEventListener('input', () => { flash = ''; message.textContent = ''; });
  for (const [name, field] of Object.entries({ debtor, plate, notes })) {
    kept(`sighting:new:${name}`, field);
  }
  const message = h('p', { id: 'sighting-message', role: 'status' }, flash);
  const { position } = state;
  const where = position ? t('located', { lon: position.lon.toFixed(5),
    lat: position.lat.toFixed(5), acc: Math.round(position.accuracy) }) : t('noPosition');
  const form = h('form', { id: 'sighting', onsubmit: async (event) => {
    event.preventDefault();
    if (!debtor.value && !notes.value.trim()) {
      message.textContent = t('sightingRequired');
      message.className = 'error';
      return;
    }
    const columns = { seen_at: Date.now() };
    if (debtor.value) columns.party_id = debtor.value;
    if (notes.value.trim()) columns.notes = notes.value.trim();
    if (plate.value.trim()) columns.vehicle_plate = plate.value.trim();
    if (state.position) {
      Object.assign(columns, { lon: state.position.lon, lat: state.position.lat,
        datum: 'wgs84', accuracy_m: state.position.accuracy });
    }
    await database.write(() => database.get('sighting').create((record) => {
      for (const [column, value] of Object.entries(columns)) record._setRaw(column, value);
    }));
    forget('sighting:new:');
    flash = t('sightingSaved');
    await render();
    if (navigator.onLine) syncNow();
  } },
  h('label', { for: 'sighting-debtor' }, t('seenDebtor')), debtor,
  h('label', { for: 'sighting-plate' }, t('plate')), plate,
  h('label', { for: 'sighting-notes' }, t('notes')), notes,
  h('label', {}, t('position')), h('p', { id: 'sighting-position', class: 'muted' }, where),
  h('button', { type: 'submit', id: 'sighting-submit' }, t('saveSighting')), message);

  const mine = await database.get('sighting').query().fetch();
  mine.sort((a, b) => b._raw.seen_at - a._raw.seen_at);
  const problem = h('p', { class: 'error', role: 'alert' });
  const list = h('ul', { class: 'list', id: 'sightings' }, mine.map((seen) => {
    const raw = seen._raw;
    const { status, rejection } = statusOf(seen);
    const name = nameOf([names[raw.party_id], raw.notes].filter(Boolean).join(' ')
      || formatTime(raw.seen_at));
    return h('li', { class: `sighting ${status}`, 'data-id': seen.id },
      h('span', { class: 'badge status' }, t(status)),
      h('strong', {}, names[raw.party_id] || ''), ' ',
      h('span', { class: 'muted' }, raw.seen_at ? formatTime(raw.seen_at) : ''),
      h('div', {}, [raw.vehicle_plate, raw.notes].filter(Boolean).join(' · ')),
      rejection && h('div', { class: 'error reason' }, t('reason', { reason: rejection.message })),
      (status === 'refused' || raw._status === 'created') && h('button', { type: 'button',
        class: 'remove secondary', onclick: async () => {
          if (await removeUnsent(database, seen, name, (text) => { problem.textContent = text; })) {
            await render();
          }
        } }, status === 'refused' ? t('discard') : t('remove')));
  }));
  return h('div', {}, form,
    mine.length > 0 && [h('h2', { class: 'section' }, t('mySightings')), problem, list]);
}
