// The wanted list of the assistant's grids, masked exactly as GET /api/v1/wanted masks it.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { state } from '../state.js';

export async function wantedScreen() {
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
