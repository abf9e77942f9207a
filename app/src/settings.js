// What the court sets for its phones (GET /api/v1/field-app/settings, from the server's
// settings): the photo size and upload limits, when the app locks itself, and how good a
// position must be. Fetched at each start and sync while online and kept sealed on the
// phone, so it applies offline; the defaults hold until the first answer.
import { call } from './api.js';
import { sealedStorage } from './vault.js';

const KEY = 'gridwork.app.settings';
export const settings = {
  photo_max_side_px: 2048, attachment_max_bytes: 50 * 1024 * 1024,
  request_max_bytes: 2 * 1024 * 1024,
  lock_after_minutes: 5, position_accuracy_m: 50, position_max_age_s: 120,
  position_wait_s: 30, manual_position: true,
};

export async function loadSettings() {
  try {
    const served = await call('/field-app/settings');
    sealedStorage.setItem(KEY, JSON.stringify(served));
    Object.assign(settings, served);
  } catch {
    Object.assign(settings, JSON.parse(sealedStorage.getItem(KEY) || '{}'));
  }
}
