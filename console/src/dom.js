// A tiny element builder: text always goes in as text, never as HTML.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key in el && key !== 'list' && key !== 'form') el[key] = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function clear(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined));
  return el;
}

/** A message line for the result of an action: `kind` is ok or error. */
export function notice(kind, text) {
  return h('p', { className: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

export function formatMoney(value) {
  if (value === null || value === undefined) return '—';
  return Number(value).toLocaleString(undefined, { minimumFractionDigits: 2,
    maximumFractionDigits: 2 });
}

export function formatTime(iso) {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
}

/** The API's problem title, with the field errors it names (e.g. a 422's `reason`). */
export function describeError(err) {
  const fields = err.problem && err.problem.errors;
  if (!fields || typeof fields !== 'object') return err.message;
  const flat = [];
  const walk = (value, path) => {
    if (Array.isArray(value)) flat.push(`${path}: ${value.join(' ')}`);
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) walk(inner, key === 'json' ? path : key);
    }
  };
  walk(fields, '');
  return flat.length ? `${err.message} (${flat.join('; ')})` : err.message;
}
