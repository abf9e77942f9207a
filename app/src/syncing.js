// Sync as the user sees it: one synchronize() at a time, the last success time, the
// refusals with their reasons (kept on the phone so they show offline), and the wipe of a
// revoked phone.
import { ApiError, authorizedFetch, call, currentSession, signOut } from './api.js';
import { sync } from './db.js';
import { render, state } from './state.js';
import { sealedStorage } from './vault.js';

const LAST_SYNC = 'gridwork.app.lastSync';
const REJECTIONS = 'gridwork.app.rejections';

export const lastSync = () => sealedStorage.getItem(LAST_SYNC);
export const rejections = () => JSON.parse(sealedStorage.getItem(REJECTIONS) || '{}');

async function refreshRejections() {
  const open = await call('/sync/rejections?status=open');
  const byRecord = {};
  for (const item of open) byRecord[item.record_id] = { code: item.code, message: item.message };
  sealedStorage.setItem(REJECTIONS, JSON.stringify(byRecord));
}

// One sync at a time; a request for another while one runs joins it.
export function syncNow() {
  if (!state.database || !currentSession()) return Promise.resolve();
  if (state.syncing) return state.syncing;
  state.syncing = (async () => {
    state.syncError = '';
    render();
    try {
      const { wiped } = await sync(state.database, authorizedFetch);
      if (wiped) {
        // The vault (wrapped key, sealed items) is gone: start again with nothing in memory.
        signOut();
        sessionStorage.setItem('gridwork.app.notice', 'wiped');
        window.location.reload();
        return;
      }
      await refreshRejections();
      sealedStorage.setItem(LAST_SYNC, String(Date.now()));
    } catch (error) {
      state.syncError = error instanceof ApiError ? error.message : String(error.message || error);
    } finally {
      state.syncing = null;
      render();
    }
  })();
  return state.syncing;
}
