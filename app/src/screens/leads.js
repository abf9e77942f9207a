// My leads: waiting on the phone, sent, or refused with the court's reason; each with its
// photos. A refused lead can be fixed and resent, or discarded; a lead never sent can be
// deleted. Both only after a confirmation that names the lead.
import { h } from '../dom.js';
import { formatTime } from '../format.js';
import { addWords, t } from '../i18n.js';
import { removeUnsent, statusOf } from '../outbox.js';
import { photoUrls } from '../photos.js';
import { render, state } from '../state.js';
import { syncNow } from '../syncing.js';

addWords({
  zh: { photoWaiting: '照片待发送', photoSent: '照片已发送（联网时显示）', edit: '修改',
    debtorIs: '被执行人：{name}' },
  en: { photoWaiting: 'Photo waiting', photoSent: 'Photo sent (shown when online)', edit: 'Edit',
    debtorIs: 'Debtor: {name}' },
});

export const nameOf = (text) => (text.length > 20 ? `${text.slice(0, 20)}…` : text);

export function photoStrip(photos) {
  if (!photos.length) return null;
  return h('div', { class: 'photos' }, photos.map((p) => (p.url
    ? h('img', { class: `photo ${p.waiting ? 'waiting' : 'sent'}`, src: p.url,
      'data-sha256': p.sha256, alt: p.waiting ? t('photoWaiting') : '' })
    : h('span', { class: 'badge photo-placeholder', 'data-sha256': p.sha256 }, t('photoSent')))));
}

export async function leadsScreen() {
  const { database } = state;
  const leads = await database.get('lead').query().fetch();
  leads.sort((a, b) => b._raw.created_at - a._raw.created_at);
  if (!leads.length) return h('p', { class: 'muted' }, t('noLeads'));
  const debtors = Object.fromEntries((await database.get('wanted').query().fetch())
    .map((w) => [w.id, w._raw.name]));
  const message = h('p', { id: 'leads-message', class: 'error', role: 'alert' });
  const items = [];
  for (const lead of leads) {
    const raw = lead._raw;
    const { status, rejection } = statusOf(lead);
    const name = nameOf(raw.description || t(`kind.${raw.kind}`));
    const remove = async () => {
      if (await removeUnsent(database, lead, name, (text) => { message.textContent = text; })) {
        await render();
        if (navigator.onLine) syncNow();
      }
    };
    const edit = () => {
      state.editing = lead.id;
      state.tab = 'report';
      render();
    };
    const photos = await photoUrls(lead.id, JSON.parse(raw.attachments || '[]'));
    items.push(h('li', { class: `lead ${status}`, 'data-id': lead.id },
      h('span', { class: 'badge status' }, t(status)),
      h('span', { class: 'badge' }, t(`kind.${raw.kind}`)),
      h('div', { class: 'description' }, raw.description || ''),
      raw.party_id && h('div', { class: 'debtor muted' }, t('debtorIs', {
        name: debtors[raw.party_id] || '—' })),
      h('div', { class: 'muted' }, raw.observed_at ? formatTime(raw.observed_at)
        : raw.created_at ? formatTime(raw.created_at) : ''),
      photoStrip(photos),
      rejection && h('div', { class: 'error reason' }, t('reason', { reason: rejection.message })),
      status === 'refused' && h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'fix', onclick: edit }, t('fix')),
        h('button', { type: 'button', class: 'discard secondary', onclick: remove }, t('discard'))),
      status !== 'refused' && h('div', { class: 'actions' },
        (!raw.status || raw.status === 'submitted') && h('button', { type: 'button',
          class: 'edit secondary', onclick: edit }, t('edit')),
        raw._status === 'created' && h('button', { type: 'button', class: 'remove secondary',
          onclick: remove }, t('remove')))));
  }
  return h('div', {}, message, h('ul', { class: 'list', id: 'leads' }, items));
}
