// What a person is typing survives a redraw (a sync finishing, the position arriving, the
// network coming back all redraw the screen), a lock after idle time, a reload and a closed
// tab: each field's value is kept by key until its form is saved, sealed like everything the
// app keeps (issue 27: drafts are encrypted too).
import { sealedStorage } from './vault.js';

const STORE = 'gridwork.app.drafts';
let drafts = null;

function all() {
  if (drafts === null) {
    let stored = null;
    try {
      stored = sealedStorage.getItem(STORE);
    } catch {
      stored = null; // locked: nothing to restore
    }
    drafts = new Map(Object.entries(JSON.parse(stored || '{}')));
  }
  return drafts;
}

function save() {
  try {
    sealedStorage.setItem(STORE, JSON.stringify(Object.fromEntries(all())));
  } catch {
    // locked: the values stay in memory until the next change after unlocking
  }
}

// `field` gets the kept value (if any) and keeps every change; returns the field.
export function kept(key, field) {
  const restore = () => {
    const value = all().get(key);
    if (typeof value === 'string' && field.value !== value) field.value = value;
  };
  restore();
  // A screen is built before it replaces the old one: what was typed into the old one
  // meanwhile is put into the new one once it is on the page.
  setTimeout(restore, 0);
  const keep = () => {
    all().set(key, field.value);
    save();
  };
  field.addEventListener('input', keep);
  field.addEventListener('change', keep);
  return field;
}

// Forget the kept values whose key starts with `prefix` (the form was saved or cancelled).
export function forget(prefix) {
  for (const key of [...all().keys()]) if (key.startsWith(prefix)) all().delete(key);
  save();
}
