// Report a lead: kind, free text, optionally the debtor from the wanted list, and the
// phone's position with its accuracy. Saved on the phone first; sent by the next sync.
import { h } from '../dom.js';
import { dropDraft, keepDraft } from '../drafts.js';
import { LEAD_KINDS, t } from '../i18n.js';
import { manualPositionInput } from '../manual_position.js';
import { locate, positionForRecord, positionStale } from '../position.js';
import { settings } from '../settings.js';
import { render, state } from '../state.js';
import { syncNow } from '../syncing.js';

export async function reportScreen() {
  const wanted = await state.database.get('wanted').query().fetch();
  const kind = h('select', { id: 'lead-kind' },
    LEAD_KINDS.map((k) => h('option', { value: k }, t(`kind.${k}`))));
  const description = h('textarea', { id: 'lead-description' });
  const debtor = h('select', { id: 'lead-debtor' }, h('option', { value: '' }, t('noDebtor')),
    wanted.map((w) => h('option', { value: w.id }, `${w._raw.name} ${w._raw.id_number || ''}`)));
  keepDraft('lead', { kind, description, debtor });
  const manual = manualPositionInput();
  if (positionStale() && !state.locating) locate(); // an old fix is never reused
  const { position } = state;
  const where = [position ? t('located', { lon: position.lon.toFixed(5),
    lat: position.lat.toFixed(5), acc: Math.round(position.accuracy) })
    : state.locating ? t('locating') : t('noPosition'),
  state.locating && position && t('positionWaiting', { want: settings.position_accuracy_m }),
  !state.locating && state.positionNote].filter(Boolean).join(' · ');
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
    const { database } = state;
    // Only the columns this phone's schema declares (a phone still on an older schema,
    // kept while offline, has no column for what came later).
    const declared = database.schema.tables.lead.columns;
    await database.write(() => database.get('lead').create((record) => {
      for (const [column, value] of Object.entries(columns)) {
        if (declared[column]) record._setRaw(column, value);
      }
    }));
    dropDraft('lead');
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
  manual.element,
  h('button', { type: 'submit', id: 'lead-submit' }, t('submit')), message);
}
