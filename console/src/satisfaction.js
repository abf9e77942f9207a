// The parties' satisfaction (issue 21): GET /reports/satisfaction per judge, township or
// month, and the complaints still waiting for the judge's answer (GET /party-feedback),
// which the case's judge answers here (POST /party-feedback/{id}/reply; the API refuses
// anyone else with 403 not_responsible_judge).
import { api } from './api.js';
import { clear, describeError, formatTime, h, notice } from './dom.js';
import { t } from './i18n.js';

const GROUPS = ['judge', 'township', 'month'];
const COLUMNS = ['evaluations', 'average_rating', 'satisfied', 'complaints', 'answered',
  'answered_on_time', 'overdue', 'average_answer_hours'];

function complaintRow(row, reload, feedback) {
  const reply = h('textarea', { name: 'reply', rows: 2, maxLength: 10000, required: true });
  const form = h('form', { className: 'reply', dataset: { id: row.id } }, reply,
    h('button', { type: 'submit' }, t('satisfaction.reply')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api(`/party-feedback/${row.id}/reply`, { method: 'POST',
        body: { reply: reply.value } });
      clear(feedback, notice('ok', t('satisfaction.replied')));
      await reload();
    } catch (err) {
      clear(feedback, notice('error', describeError(err)));
    }
  });
  return h('li', { className: row.overdue ? 'overdue' : '', dataset: { id: row.id } },
    h('strong', {}, `${row.rating}/5`), ' ', row.complaint, ' · ',
    t('satisfaction.due'), ' ', formatTime(row.due_at), form);
}

export async function satisfactionScreen(main) {
  const groupBy = h('select', { name: 'group_by', id: 'satisfaction-group-by' },
    GROUPS.map((g) => h('option', { value: g }, t(`satisfaction.by.${g}`))));
  const feedback = h('div', { id: 'satisfaction-feedback' });
  const table = h('div', { className: 'table-wrap', id: 'satisfaction-table' });
  const complaints = h('ul', { id: 'complaints' });
  const loadReport = async () => {
    const report = await api(`/reports/satisfaction?group_by=${groupBy.value}`);
    const line = (row, total) => h('tr', { className: total ? 'total' : '' },
      h('td', {}, total ? t('outcomes.total') : row.label || t('outcomes.noGroup')),
      COLUMNS.map((c) => h('td', { className: 'num' }, row[c] ?? '—')));
    clear(table, h('table', { id: 'satisfaction-grid' },
      h('thead', {}, h('tr', {}, h('th', {}, t(`satisfaction.by.${report.group_by}`)),
        COLUMNS.map((c) => h('th', {}, t(`satisfaction.col.${c}`))))),
      h('tbody', {}, report.rows.map((r) => line(r, false)), line(report.total, true))));
    table.dataset.rows = String(report.rows.length);
  };
  const loadComplaints = async () => {
    const page = await api('/party-feedback?complaints_only=true&answered=false&limit=100');
    clear(complaints, page.items.length ? page.items.map((r) => complaintRow(
      r, reload, feedback)) : h('li', { className: 'muted' }, t('satisfaction.none')));
    complaints.dataset.count = String(page.items.length);
  };
  const reload = async () => {
    try {
      await Promise.all([loadReport(), loadComplaints()]);
    } catch (err) {
      clear(feedback, notice('error', describeError(err)));
    }
  };
  groupBy.addEventListener('change', reload);
  main.append(h('h2', {}, t('nav.satisfaction')),
    h('div', { className: 'filters' }, h('label', {}, t('outcomes.groupBy'), groupBy)),
    feedback, table, h('h3', {}, t('satisfaction.open')), complaints);
  await reload();
}
