// Report a lead: kind, free text, optionally the debtor from the wanted list, and the
// phone's position with its accuracy. Saved on the phone first; sent by the next sync.
import { h } from '../dom.js';
import { LEAD_KINDS, t } from '../i18n.js';
import { locate } from '../position.js';
import { render, state } from '../state.js';
import { syncNow } from '../syncing.js';

export async function reportScreen() {
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
