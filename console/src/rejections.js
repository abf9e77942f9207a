// Refused records: what phones sent that the server refused whole (GET /sync/rejections),
// newest first, with the reason in the user's language and the fields as sent; an open one
// can be discarded (POST /sync/rejections/{id}/discard) and the phone drops it on its next
// pull. Officers and judges see the court's, everyone else their own (the API decides).
import { api } from './api.js';
import { clear, describeError, formatTime, h, notice } from './dom.js';
import { t } from './i18n.js';

const STATUSES = ['open', 'fixed', 'discarded', 'all'];
const LONG = 30;

/** A word from the dictionary, or the raw value when it has none (a table added later). */
function label(key, raw) {
  const text = t(key);
  return text === key ? raw : text;
}

function shown(value) {
  if (value === null || value === undefined) return '—';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** The fields as the phone sent them, one `key: value` a line; long values cut short, whole
 * in the title. */
function fieldList(fields) {
  const entries = Object.entries(fields || {});
  if (!entries.length) return h('span', { className: 'muted' }, '—');
  return h('ul', { className: 'sent-fields' }, entries.map(([key, value]) => {
    const text = shown(value);
    const long = text.length > LONG;
    return h('li', { dataset: { field: key } }, h('span', { className: 'muted' }, `${key}: `),
      h('span', { className: 'value', title: long ? text : undefined },
        long ? `${text.slice(0, LONG)}…` : text));
  }));
}

function recordName(row) {
  return `${label(`table.${row.table}`, row.table)} ${row.record_id}`;
}

export async function rejectionsScreen(main) {
  const wanted = location.hash.split('/')[1];
  const status = h('select', { name: 'status', id: 'rejection-status' },
    STATUSES.map((s) => h('option', { value: s, selected: s === wanted },
      t(`rejections.show.${s}`))));
  const feedback = h('div', { id: 'rejections-feedback' });
  const table = h('table', { id: 'rejections-table' });
  const load = async (message) => {
    let rows;
    try {
      rows = await api(`/sync/rejections?status=${status.value}`);
    } catch (err) {
      clear(feedback, notice('error', describeError(err)));
      return;
    }
    clear(feedback, message || null);
    const header = h('tr', {}, ['when', 'author', 'table', 'reason', 'attempts', 'fields',
      'status', 'action'].map((c) => h('th', {}, t(`rejections.col.${c}`))));
    const line = (row) => h('tr', { dataset: { rejectionId: row.id, status: row.status,
      code: row.code } },
    h('td', { title: t('rejections.first', { time: formatTime(row.first_refused_at) }) },
      formatTime(row.last_refused_at)),
    h('td', {}, row.author_name || row.author_id, h('br'),
      h('small', { className: 'muted' }, row.device_id)),
    h('td', {}, `${label(`table.${row.table}`, row.table)} · ${t(`op.${row.op}`)}`, h('br'),
      h('small', { className: 'muted', title: row.record_id }, row.record_id.slice(0, 8))),
    h('td', { className: 'reason' }, h('span', { className: 'message' }, row.message), h('br'),
      h('small', { className: 'muted code', title: row.detail || undefined }, row.code)),
    h('td', { className: 'num' }, String(row.attempts)),
    h('td', {}, fieldList(row.mutation && row.mutation.fields)),
    h('td', {}, h('span', { className: `status rejection-${row.status}` },
      t(`rejections.status.${row.status}`)),
    row.resolved_at ? [h('br'), h('small', { className: 'muted' }, formatTime(row.resolved_at))]
      : null),
    h('td', {}, row.status === 'open' ? h('button', { type: 'button', className: 'danger discard',
      onclick: () => discard(row) }, t('rejections.discard')) : null));
    clear(table, h('thead', {}, header), h('tbody', {}, rows.length ? rows.map(line)
      : h('tr', {}, h('td', { colSpan: 8, className: 'muted' }, t('rejections.empty')))));
    Object.assign(table.dataset, { loaded: 'true', count: String(rows.length),
      status: status.value });
  };
  const discard = async (row) => {
    if (!window.confirm(t('rejections.confirm', { record: recordName(row) }))) return;
    try {
      await api(`/sync/rejections/${row.id}/discard`, { method: 'POST' });
    } catch (err) {
      await load(notice('error', describeError(err)));
      return;
    }
    await load(notice('ok', t('rejections.discarded', { record: recordName(row) })));
  };
  status.addEventListener('change', () => {
    history.replaceState(null, '', `#rejections/${status.value}`);  // kept across a re-render
    table.dataset.loaded = 'false';
    load();
  });
  main.append(h('h2', {}, t('nav.rejections')),
    h('p', { className: 'muted' }, t('rejections.hint')),
    h('div', { className: 'filters' }, h('label', {}, t('rejections.showLabel'), status)),
    feedback, h('div', { className: 'table-wrap' }, table));
  await load();
}
