// Outcomes: GET /reports/outcomes as a table and a bar chart drawn in SVG by hand, and
// the same report as a CSV or XLSX file (headers in the user's language; audited).
import { api, blobUrl } from './api.js';
import { clear, describeError, formatMoney, h, notice } from './dom.js';
import { t } from './i18n.js';

const GROUPS = ['township', 'village', 'assistant', 'round', 'month'];
const COLUMNS = ['leads_submitted', 'leads_accepted', 'leads_rejected', 'leads_duplicate',
  'median_hours_to_triage', 'leads_with_outcome', 'debtors_located', 'property_sealed',
  'settlements', 'amount_recovered', 'amount_through_leads', 'lead_share'];
const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, value);
  if (text !== undefined) el.textContent = text;
  return el;
}

function cell(row, column) {
  const value = row[column];
  if (value === null || value === undefined) return '—';
  if (column.startsWith('amount')) return formatMoney(value);
  if (column === 'lead_share') return `${(value * 100).toFixed(1)}%`;
  if (column === 'median_hours_to_triage') return value.toFixed(1);
  return String(value);
}

/** Horizontal bars of one figure per group: plain SVG, no chart library. */
export function barChart(rows, figure) {
  const values = rows.map((r) => Number(r[figure] || 0));
  const max = Math.max(1, ...values);
  const width = 640;
  const label = 170;
  const bar = 22;
  const chart = svg('svg', { width, height: rows.length * (bar + 6) + 10, role: 'img',
    class: 'bar-chart', 'aria-label': t(`col.${figure}`) });
  rows.forEach((row, k) => {
    const y = 5 + k * (bar + 6);
    const length = Math.round(((width - label - 90) * values[k]) / max);
    chart.append(
      svg('text', { x: label - 6, y: y + bar * 0.7, 'text-anchor': 'end' },
        (row.label || t('outcomes.noGroup')).slice(0, 14)),
      svg('rect', { x: label, y, width: Math.max(length, 1), height: bar, fill: '#1971c2',
        class: 'bar', 'data-value': values[k] }),
      svg('text', { x: label + length + 6, y: y + bar * 0.7 }, cell(row, figure)));
  });
  return chart;
}

export async function outcomesScreen(main) {
  const groupBy = h('select', { name: 'group_by', id: 'group-by' },
    GROUPS.map((g) => h('option', { value: g }, t(`outcomes.by.${g}`))));
  const from = h('input', { type: 'date', name: 'from', id: 'from' });
  const to = h('input', { type: 'date', name: 'to', id: 'to' });
  const figure = h('select', { name: 'figure', id: 'figure' },
    ['amount_recovered', 'leads_submitted', 'leads_accepted', 'leads_with_outcome']
      .map((c) => h('option', { value: c }, t(`col.${c}`))));
  const feedback = h('div', { id: 'outcomes-feedback' });
  const chart = h('div', { className: 'chart', id: 'outcomes-chart' });
  const table = h('div', { className: 'table-wrap', id: 'outcomes-table' });
  const query = (format) => {
    const params = new URLSearchParams({ group_by: groupBy.value, format });
    if (from.value) params.set('from', from.value);
    if (to.value) params.set('to', to.value);
    return `/reports/outcomes?${params}`;
  };
  let report = null;
  const draw = () => clear(chart, report && report.rows.length ? barChart(report.rows, figure.value)
    : h('p', { className: 'muted' }, t('outcomes.empty')));
  const load = async () => {
    try {
      report = await api(query('json'));
    } catch (err) {
      clear(feedback, notice('error', describeError(err)));
      return;
    }
    clear(feedback);
    const header = h('tr', {}, h('th', {}, t(`outcomes.by.${report.group_by}`)),
      COLUMNS.map((c) => h('th', {}, t(`col.${c}`))));
    const line = (row, total) => h('tr', { className: total ? 'total' : '' },
      h('td', {}, total ? t('outcomes.total') : row.label || t('outcomes.noGroup')),
      COLUMNS.map((c) => h('td', { className: 'num' }, cell(row, c))));
    clear(table, h('table', { id: 'outcomes-grid' }, h('thead', {}, header),
      h('tbody', {}, report.rows.map((r) => line(r, false)), line(report.total, true))));
    table.dataset.rows = String(report.rows.length);
    draw();
  };
  const download = (format) => async () => {
    try {
      const { url, filename } = await blobUrl(query(format));
      const link = h('a', { href: url, download: filename || `outcomes.${format}` });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (err) {
      clear(feedback, notice('error', describeError(err)));
    }
  };
  for (const input of [groupBy, from, to]) input.addEventListener('change', load);
  figure.addEventListener('change', draw);
  main.append(h('h2', {}, t('nav.outcomes')),
    h('div', { className: 'filters' },
      h('label', {}, t('outcomes.groupBy'), groupBy), h('label', {}, t('outcomes.from'), from),
      h('label', {}, t('outcomes.to'), to), h('label', {}, t('outcomes.figure'), figure),
      h('button', { type: 'button', id: 'download-csv', onclick: download('csv') }, t('outcomes.csv')),
      h('button', { type: 'button', id: 'download-xlsx', onclick: download('xlsx') },
        t('outcomes.xlsx'))),
    feedback, chart, table);
  await load();
}
