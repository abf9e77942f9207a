// A form's unsaved words are kept as they are typed (sealed, like everything the app
// keeps): a lock after idle time, a reload, a closed tab or the redraw after a sync never
// loses what the user was writing (issue 27: drafts are encrypted too).
import { sealedStorage } from './vault.js';

const KEY = 'gridwork.app.draft.';

/** Fill `fields` ({ name: input }) from the kept draft and keep every change. */
export function keepDraft(name, fields) {
  const kept = JSON.parse(sealedStorage.getItem(KEY + name) || '{}');
  for (const [field, input] of Object.entries(fields)) {
    if (typeof kept[field] === 'string') input.value = kept[field];
  }
  const save = () => sealedStorage.setItem(KEY + name, JSON.stringify(Object.fromEntries(
    Object.entries(fields).map(([field, input]) => [field, input.value]))));
  for (const input of Object.values(fields)) {
    input.addEventListener('input', save);
    input.addEventListener('change', save);
  }
}

/** The record is saved: its draft goes. */
export const dropDraft = (name) => sealedStorage.removeItem(KEY + name);
