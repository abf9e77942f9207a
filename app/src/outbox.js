// Nothing unsent is lost (issue 27): what is still on the phone only is counted on every
// screen, every record shows whether it is waiting, sent or refused (with the court's
// reason), and nothing unsent is deleted without a confirmation that names it.
import { Q } from '@nozbe/watermelondb';
import { call } from './api.js';
import { h } from './dom.js';
import { addWords, t } from './i18n.js';
import { removePhotosOf, waitingPhotos } from './photos.js';
import { rejections } from './syncing.js';

addWords({
  zh: {
    unsent: '待发送：{records} 条记录，{photos} 张照片', allSent: '全部已发送',
    cancel: '取消', discard: '放弃', remove: '删除', fix: '修改后重新发送',
    confirmRemove: '删除尚未发送的{what}“{name}”？它只在这部手机上，删除后无法恢复。',
    confirmDiscard: '放弃被拒绝的{what}“{name}”？它不会再发送给法院，并从手机上删除。',
    discardOffline: '放弃被拒绝的记录需要网络，请联网后再试',
    'what.lead': '线索', 'what.sighting': '发现记录', 'what.task_answer': '任务回复',
  },
  en: {
    unsent: 'Waiting to be sent: {records} records, {photos} photos', allSent: 'Everything sent',
    cancel: 'Cancel', discard: 'Discard', remove: 'Delete', fix: 'Fix and resend',
    confirmRemove: 'Delete the unsent {what} “{name}”? It exists only on this phone and cannot be recovered.',
    confirmDiscard: 'Discard the refused {what} “{name}”? It will not be sent to the court and is removed from this phone.',
    discardOffline: 'Discarding a refused record needs the network; try again when online',
    'what.lead': 'lead', 'what.sighting': 'sighting', 'what.task_answer': 'task answer',
  },
});

// Records not yet taken by the court, in every table (created, changed or deleted on the
// phone, refused ones included), and photos not yet uploaded.
export async function unsentCounts(database) {
  let records = 0;
  for (const table of Object.keys(database.schema.tables)) {
    records += await database.get(table).query(Q.where('_status', Q.notEq('synced')))
      .fetchCount();
    records += (await database.adapter.getDeletedRecords(table)).length;
  }
  return { records, photos: (await waitingPhotos()).length };
}

export async function unsentBar(database) {
  const { records, photos } = await unsentCounts(database);
  const none = records === 0 && photos === 0;
  return h('div', { class: `bar ${none ? '' : 'warning'}`, id: 'unsent',
    'data-records': records, 'data-photos': photos },
  none ? t('allSent') : t('unsent', { records, photos }));
}

// waiting, sent or refused (with the court's reason, kept on the phone).
export function statusOf(record) {
  const rejection = rejections()[record.id];
  if (rejection) return { status: 'refused', rejection };
  return { status: record._raw._status === 'synced' ? 'sent' : 'waiting', rejection: null };
}

// A modal question naming what is at stake; resolves true only on the named action.
export function confirmDialog(text, action) {
  return new Promise((resolve) => {
    const dialog = h('dialog', { id: 'confirm' },
      h('p', { id: 'confirm-text' }, text),
      h('div', { class: 'actions' },
        h('button', { type: 'button', id: 'confirm-cancel', class: 'secondary',
          onclick: () => dialog.close('cancel') }, t('cancel')),
        h('button', { type: 'button', id: 'confirm-ok', onclick: () => dialog.close('ok') },
          action)));
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(dialog.returnValue === 'ok');
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

// Delete a record that is not yet with the court (never sent, or refused) after the person
// confirmed it by name. A refused record is discarded at the court too (online only), so
// it leaves the court's list of refusals; true when it is gone.
export async function removeUnsent(database, record, name, onMessage) {
  const { status, rejection } = statusOf(record);
  const what = t(`what.${record.table}`);
  if (status === 'refused') {
    if (!navigator.onLine) {
      onMessage(t('discardOffline'));
      return false;
    }
    if (!await confirmDialog(t('confirmDiscard', { what, name }), t('discard'))) return false;
    await call(`/sync/rejections/${rejection.id}/discard`, { method: 'POST' });
  } else if (!await confirmDialog(t('confirmRemove', { what, name }), t('remove'))) {
    return false;
  }
  // A record the court never took goes now; a refused change of a record the court holds
  // is dropped by the next pull (the court's copy stays).
  if (record._raw._status === 'created') {
    await database.write(() => record.destroyPermanently());
  }
  await removePhotosOf(record.id);
  return true;
}
