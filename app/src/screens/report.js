// Report a lead: kind, free text, optionally the debtor from the wanted list, when it was
// seen, the phone's position with its accuracy, and photos from the camera. Saved on the
// phone first; sent by the next sync. The same form fixes a refused lead (state.editing):
// the corrected lead is sent again and the court's refusal closes.
import { cameraField, keepPhotos } from '../camera.js';
import { h } from '../dom.js';
import { forget, kept } from '../drafts.js';
import { addWords, LEAD_KINDS, t } from '../i18n.js';
import { statusOf } from '../outbox.js';
import { manualPositionInput } from '../manual_position.js';
import { locate, positionForRecord, positionStale } from '../position.js';
import { settings } from '../settings.js';
import { render, state } from '../state.js';
import { syncNow } from '../syncing.js';

addWords({
  zh: { observed: '看到的时间', editing: '修改被拒绝的线索', resend: '保存并重新发送',
    cancelEdit: '取消修改', editingLead: '修改线索（法院处理前可以修改）', saveEdit: '保存修改' },
  en: { observed: 'Seen at', editing: 'Fixing a refused lead',
    resend: 'Save and resend', cancelEdit: 'Cancel',
    editingLead: 'Editing a lead (possible until the court takes it up)', saveEdit: 'Save changes' },
});

// <input type=datetime-local> speaks the phone's local time without a zone.
function localInput(ms) {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

const prepared = []; // photos taken for the lead being written, kept with it on save
let flash = ''; // "saved", shown after a save (across redraws) until the next is typed

export async function reportScreen() {
  const { database } = state;
  const editing = state.editing
    ? await database.get('lead').find(state.editing).catch(() => null) : null;
  const wanted = await database.get('wanted').query().fetch();
  const raw = editing ? editing._raw : {};
  const draft = `lead:${editing ? editing.id : 'new'}:`;
  const kind = h('select', { id: 'lead-kind' },
    LEAD_KINDS.map((k) => h('option', { value: k, selected: raw.kind === k }, t(`kind.${k}`))));
  const description = h('textarea', { id: 'lead-description', value: raw.description || '' });
  const debtor = h('select', { id: 'lead-debtor' }, h('option', { value: '' }, t('noDebtor')),
    wanted.map((w) => h('option', { value: w.id, selected: raw.party_id === w.id },
      `${w._raw.name} ${w._raw.id_number || ''}`)));
  const observed = h('input', { id: 'lead-observed', type: 'datetime-local',
    value: localInput(raw.observed_at || Date.now()) });
  const observedAsDrawn = observed.value;
  description.addEventListener('input', () => { flash = ''; message.textContent = ''; });
  for (const [name, field] of Object.entries({ kind, description, debtor, observed })) {
    kept(draft + name, field);
  }
  const manual = manualPositionInput();
  const rejection = editing && statusOf(editing).rejection;
  // A new lead takes a position; so does one refused for its hand-typed position (the court
  // turned FIELD_APP_MANUAL_POSITION off), which is fixed by locating it again.
  const locating = !editing || rejection?.code === 'manual_position_not_allowed';
  if (locating && positionStale() && !state.locating) locate(); // an old fix is never reused
  const { position } = state;
  const where = [position ? t('located', { lon: position.lon.toFixed(5),
    lat: position.lat.toFixed(5), acc: Math.round(position.accuracy) })
    : state.locating ? t('locating') : t('noPosition'),
  state.locating && position && t('positionWaiting', { want: settings.position_accuracy_m }),
  !state.locating && state.positionNote].filter(Boolean).join(' · ');
  const message = h('p', { id: 'report-message', role: 'status' }, flash);
  return h('form', { id: 'report', onsubmit: async (event) => {
    event.preventDefault();
    if (!description.value.trim()) {
      message.textContent = t('required');
      message.className = 'error';
      return;
    }
    const columns = { kind: kind.value, description: description.value.trim(),
      observed_at: observed.value ? new Date(observed.value).getTime() : Date.now(),
      party_id: debtor.value || null };
    if (locating) {
      let { fix, note } = positionForRecord();
      try {
        const typed = manual.read();
        if (typed) [fix, note] = [typed, t('manualNote')];
      } catch (error) {
        message.textContent = error.message;
        message.className = 'error';
        return;
      }
      if (fix) {
        Object.assign(columns, { lon: fix.lon, lat: fix.lat, datum: 'wgs84',
          accuracy_m: fix.accuracy, position_source: fix.source });
      }
      if (note) columns.position_note = note.slice(0, 200);
      else if (editing) columns.position_note = null; // the hand-typed note no longer holds
    }
    if (!editing && !columns.party_id) delete columns.party_id; // optional columns stay unset
    if (editing && observed.value === observedAsDrawn) delete columns.observed_at; // untouched
    // Only the columns this phone's schema declares (a phone still on an older schema,
    // kept while offline, has no column for what came later).
    const declared = database.schema.tables.lead.columns;
    const write = (record) => {
      for (const [column, value] of Object.entries(columns)) {
        if (declared[column]) record._setRaw(column, value);
      }
    };
    const lead = await database.write(() => (editing ? editing.update(write).then(() => editing)
      : database.get('lead').create(write)));
    await keepPhotos('lead', lead.id, prepared);
    forget(draft);
    state.editing = null;
    state.notice = '';
    if (editing) {
      state.tab = 'leads';
      await render();
    } else {
      flash = t('saved');
      await render();
    }
    if (navigator.onLine) syncNow();
  } },
  editing && h('p', { class: 'bar warning', id: 'editing' },
    rejection ? [t('editing'), ' · ', t('reason', { reason: rejection.message })]
      : t('editingLead')),
  h('label', { for: 'lead-kind' }, t('kind')), kind,
  h('label', { for: 'lead-description' }, t('description')), description,
  h('label', { for: 'lead-debtor' }, t('debtor')), debtor,
  h('label', { for: 'lead-observed' }, t('observed')), observed,
  locating && [h('label', {}, t('position')),
    h('p', { id: 'lead-position', class: 'muted' }, where, ' ',
      h('button', { type: 'button', onclick: () => { locate(); render(); } }, t('locate'))),
    manual.element],
  cameraField('lead-photo', prepared),
  h('button', { type: 'submit', id: 'lead-submit' },
    editing ? t(rejection ? 'resend' : 'saveEdit') : t('submit')),
  editing && h('button', { type: 'button', id: 'edit-cancel', class: 'secondary', onclick: () => {
    forget(draft);
    state.editing = null;
    state.tab = 'leads';
    render();
  } }, t('cancelEdit')),
  message);
}
