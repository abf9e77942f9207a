// What a person is typing survives a redraw (a sync finishing, the position arriving, the
// network coming back all redraw the screen): each field's value is kept here by key until
// its form is saved.
const drafts = new Map();

// `field` gets the kept value (if any) and keeps every change; returns the field.
export function kept(key, field) {
  const restore = () => {
    if (drafts.has(key) && field.value !== drafts.get(key)) field.value = drafts.get(key);
  };
  restore();
  // A screen is built before it replaces the old one: what was typed into the old one
  // meanwhile is put into the new one once it is on the page.
  setTimeout(restore, 0);
  const keep = () => drafts.set(key, field.value);
  field.addEventListener('input', keep);
  field.addEventListener('change', keep);
  return field;
}

// Forget the kept values whose key starts with `prefix` (the form was saved or cancelled).
export function forget(prefix) {
  for (const key of [...drafts.keys()]) if (key.startsWith(prefix)) drafts.delete(key);
}
