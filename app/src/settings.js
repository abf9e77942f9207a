// What the court sets for its phones (GET /app/settings.json, from the server's settings):
// when the app locks itself, and how good a position must be. Kept sealed on the phone, so
// it applies offline; the defaults hold until the first answer.
import { sealedStorage } from './vault.js';

const KEY = 'gridwork.app.settings';
export const settings = {
  lock_after_minutes: 5, position_accuracy_m: 50, position_max_age_s: 120,
  position_wait_s: 30, manual_position: true,
};

export async function loadSettings() {
  try {
    const response = await fetch('settings.json', { cache: 'no-store' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const served = await response.json();
    sealedStorage.setItem(KEY, JSON.stringify(served));
    Object.assign(settings, served);
  } catch {
    Object.assign(settings, JSON.parse(sealedStorage.getItem(KEY) || '{}'));
  }
}
