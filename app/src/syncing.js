// Sync as the user sees it: one synchronize() at a time, the last success time, the
// refusals with their reasons (kept on the phone so they show offline), and the wipe of a
// revoked phone.
import { Q } from '@nozbe/watermelondb';
import { ApiError, authorizedFetch, call, currentSession, forgetDevice, signOut } from './api.js';
import { sync } from './db.js';
import { addWords, t } from './i18n.js';
import { clearPhotos, localIso, sendPhotos } from './photos.js';
import { loadSettings } from './settings.js';
import { render, state } from './state.js';
import { sealedStorage } from './vault.js';

addWords({
  zh: { photosWaiting: '照片尚未全部发送：下次同步时从中断处继续',
    sendingPhoto: '正在发送照片 {n}/{of}（{percent}%）', sendingRecords: '正在同步记录…',
    unreachable: '连不上法院的服务器，稍后自动重试' },
  en: { photosWaiting: 'Not every photo went: the next sync resumes where it stopped',
    sendingPhoto: 'Sending photo {n} of {of} ({percent}%)', sendingRecords: 'Syncing records…',
    unreachable: 'The court\'s server cannot be reached; the app tries again by itself' },
});

const LAST_SYNC = 'gridwork.app.lastSync';
const REJECTIONS = 'gridwork.app.rejections';

export const lastSync = () => sealedStorage.getItem(LAST_SYNC);
export const rejections = () => JSON.parse(sealedStorage.getItem(REJECTIONS) || '{}');

async function refreshRejections() {
  const open = await call('/sync/rejections?status=open');
  const byRecord = {};
  for (const item of open) {
    byRecord[item.record_id] = { id: item.id, table: item.table, code: item.code,
      message: item.message };
  }
  sealedStorage.setItem(REJECTIONS, JSON.stringify(byRecord));
}

// An uploaded photo listed in its record's attachments (once), with its capture time as
// the caption; a record deleted meanwhile just lets the photo go.
// The record a photo belongs to, or null when it is gone (a query: no "not found" error).
const recordOf = async (photo) => (await state.database.get(photo.table)
  .query(Q.where('id', photo.recordId)).fetch())[0] || null;

async function attachPhoto(photo) {
  const { database } = state;
  const record = await recordOf(photo);
  if (!record) return;
  const files = JSON.parse(record._raw.attachments || '[]');
  if (files.some((file) => file.sha256 === photo.sha256)) return;
  files.push({ sha256: photo.sha256, caption: localIso(photo.takenAt) });
  await database.write(() => record.update((r) => r._setRaw('attachments', JSON.stringify(files))));
}

// What the sync is doing now, for the status bar; drawn again only when the words change
// (a photo's progress in steps of ten per cent).
function step(text) {
  if (state.syncStep === text) return;
  state.syncStep = text;
  render();
}

// One sync at a time; a request for another while one runs is done right after it, so a
// record saved during a sync is not left waiting for the timer.
let again = false;
export function syncNow() {
  if (!state.database || !currentSession()) return Promise.resolve();
  if (state.syncing) {
    again = true;
    return state.syncing;
  }
  state.syncing = (async () => {
    state.syncError = '';
    render();
    try {
      // Photos first, so the records that list them go in this push; a photo that cannot
      // go now waits (resumed next time) while every record is still sent.
      await loadSettings();
      const photos = await sendPhotos(attachPhoto, async (photo) => Boolean(await recordOf(photo)),
        (n, of, percent) => step(t('sendingPhoto', { n, of, percent: Math.floor(percent / 10) * 10 })))
        .then(() => null, (error) => error);
      step(t('sendingRecords'));
      const { wiped } = await sync(state.database, authorizedFetch);
      if (wiped) {
        // The vault (wrapped key, sealed items) is gone: the photos waiting on the phone
        // go too, the device id with them, and the app starts again with nothing in memory.
        await clearPhotos();
        signOut();
        forgetDevice();
        sessionStorage.setItem('gridwork.app.notice', 'wiped');
        window.location.reload();
        return;
      }
      await refreshRejections();
      sealedStorage.setItem(LAST_SYNC, String(Date.now()));
      if (photos) state.syncError = t('photosWaiting');
    } catch (error) {
      // Offline is no failure (the bar says it); a server out of reach is said in words.
      if (!navigator.onLine) state.syncError = '';
      else if (error instanceof ApiError) state.syncError = error.message;
      else state.syncError = error instanceof TypeError ? t('unreachable') : String(error.message || error);
    } finally {
      state.syncing = null;
      state.syncStep = '';
      render();
      if (again) {
        again = false;
        syncNow();
      }
    }
  })();
  return state.syncing;
}
