// My leads: waiting on the phone, sent, or refused with the court's reason.
import { h } from '../dom.js';
import { formatTime } from '../format.js';
import { t } from '../i18n.js';
import { state } from '../state.js';
import { rejections } from '../syncing.js';

export async function leadsScreen() {
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
