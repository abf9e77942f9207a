// A mediator's day, offline: the cases the court assigned them (the `case` table brings
// exactly those), each case's notes, and a new note with its outcome, a settlement proposal
// and the next visit. Notes are `mediation_note` records (enforcement/mediation/sync_spec.py):
// saved on the phone, sent by the next sync; an `agreed` note becomes the case's settlement
// on the server, and is closed to edits from then on.
import { h } from '../dom.js';
import { formatTime } from '../format.js';
import { addWords, t } from '../i18n.js';
import { render, state } from '../state.js';
import { rejections, syncNow } from '../syncing.js';

addWords({
  zh: {
    'title.mediator': '调解员',
    'tab.cases': '我的案件', noCases: '没有分配给您的案件（同步后显示）', backToCases: '返回案件列表',
    caseNotes: '调解记录', newNote: '新调解记录', noNotes: '还没有调解记录',
    heldAt: '调解时间', place: '地点', present: '在场人员（用逗号分隔）',
    applicantStatement: '申请执行人陈述', debtorStatement: '被执行人陈述', outcome: '结果',
    'outcome.continue': '继续调解', 'outcome.agreed': '达成和解', 'outcome.refused': '调解不成',
    proposal: '和解方案', 'proposal.none': '无', 'proposal.lump_sum': '一次性付清',
    'proposal.instalments': '分期履行', total: '金额（元）', firstDue: '（首期）付款日',
    instalmentCount: '期数（每月一期）', nextVisit: '下次走访日期（可选）', saveNote: '保存调解记录',
    noteSaved: '已保存，联网后发送', needStatements: '请至少填写一方的陈述',
    needProposal: '达成和解需要和解方案：金额和付款日', badTotal: '金额须大于零',
    instalmentLine: '第{seq}期 {date} ￥{amount}', owed: '申请执行标的 ￥{owed}，已执行 ￥{recovered}',
    nextVisitOn: '下次走访：{date}', applicant: '申请执行人：{name}',
  },
  en: {
    'title.mediator': 'Mediator',
    'tab.cases': 'My cases', noCases: 'No cases assigned to you (they come with a sync)',
    backToCases: 'Back to my cases', caseNotes: 'Mediation notes', newNote: 'New note',
    noNotes: 'No notes yet', heldAt: 'Held at', place: 'Place',
    present: 'Present (comma-separated)', applicantStatement: 'Applicant\'s statement',
    debtorStatement: 'Debtor\'s statement', outcome: 'Outcome',
    'outcome.continue': 'Continue', 'outcome.agreed': 'Agreed', 'outcome.refused': 'Refused',
    proposal: 'Settlement proposal', 'proposal.none': 'None', 'proposal.lump_sum': 'Lump sum',
    'proposal.instalments': 'Instalments', total: 'Amount (yuan)', firstDue: '(First) due date',
    instalmentCount: 'Instalments (one a month)', nextVisit: 'Next visit (optional)',
    saveNote: 'Save note', noteSaved: 'Saved; it is sent when online',
    needStatements: 'Please write at least one side\'s statement',
    needProposal: 'An agreement needs a proposal: amount and due date',
    badTotal: 'The amount must be above zero', instalmentLine: '#{seq} {date} ¥{amount}',
    owed: 'Owed ¥{owed}, recovered ¥{recovered}', nextVisitOn: 'Next visit: {date}',
    applicant: 'Applicant: {name}',
  },
});

const OUTCOMES = ['continue', 'agreed', 'refused'];
let openCase = null;
let justSaved = '';

// Whole fen, so the instalments add up to the total exactly (the server checks the sum).
const toFen = (yuan) => Math.round(Number(yuan) * 100);
const fromFen = (fen) => (fen / 100).toFixed(2);

function addMonths(isoDay, months) {
  const [y, m, d] = isoDay.split('-').map(Number);
  const day = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth() + 1, 0)).getUTCDate();
  day.setUTCDate(Math.min(d, last));
  return day.toISOString().slice(0, 10);
}

// A proposal as the server stores it: {kind, total, instalments: [{due_on, amount}]}; the
// last instalment takes the remainder of an uneven split.
export function proposalOf(kind, totalYuan, firstDue, count) {
  const total = toFen(totalYuan);
  const n = kind === 'lump_sum' ? 1 : Math.max(1, Math.floor(Number(count) || 1));
  const each = Math.floor(total / n);
  const instalments = Array.from({ length: n }, (_, i) => ({
    due_on: addMonths(firstDue, i),
    amount: fromFen(i === n - 1 ? total - each * (n - 1) : each),
  }));
  return { kind, total: fromFen(total), instalments };
}

function statusOf(note) {
  if (rejections()[note.id]) return 'refused';
  return note._raw._status === 'synced' ? 'sent' : 'waiting';
}

async function casesList() {
  const cases = await state.database.get('case').query().fetch();
  if (!cases.length) return h('p', { class: 'muted' }, t('noCases'));
  cases.sort((a, b) => String(a._raw.case_number).localeCompare(String(b._raw.case_number)));
  const notes = await state.database.get('mediation_note').query().fetch();
  return h('ul', { class: 'list', id: 'cases' }, cases.map(({ id, _raw: c }) => {
    const count = notes.filter((n) => n._raw.case_id === id).length;
    return h('li', { class: 'case', 'data-id': id },
      h('button', { type: 'button', class: 'link', onclick: () => { openCase = id; render(); } },
        c.case_number || id),
      ' ', h('span', { class: 'badge' }, t('caseNotes'), ` ${count}`),
      h('div', {}, c.cause || ''),
      c.applicant_name && h('div', { class: 'muted' }, t('applicant', { name: c.applicant_name })),
      c.amount_owed && h('div', { class: 'muted' }, t('owed', {
        owed: c.amount_owed, recovered: c.amount_recovered || '0' })),
      c.address && h('div', { class: 'muted' }, c.address));
  }));
}

function noteItem(note) {
  const raw = note._raw;
  const status = statusOf(note);
  const rejection = rejections()[note.id];
  const proposal = raw.proposal ? JSON.parse(raw.proposal) : null;
  return h('li', { class: `note ${status}`, 'data-id': note.id },
    h('span', { class: 'badge status' }, t(status)),
    h('span', { class: 'badge outcome' }, t(`outcome.${raw.outcome}`)),
    h('span', { class: 'muted' }, raw.held_at ? formatTime(raw.held_at) : ''),
    raw.place && h('div', { class: 'muted' }, raw.place),
    raw.applicant_statement && h('div', {}, raw.applicant_statement),
    raw.debtor_statement && h('div', {}, raw.debtor_statement),
    proposal && h('div', { class: 'proposal' }, `${t(`proposal.${proposal.kind}`)} ￥${proposal.total}`,
      h('ul', {}, proposal.instalments.map((p, i) => h('li', {}, t('instalmentLine', {
        seq: i + 1, date: p.due_on, amount: p.amount }))))),
    raw.next_visit_on && h('div', { class: 'muted' }, t('nextVisitOn', { date: raw.next_visit_on })),
    rejection && h('div', { class: 'error reason' }, t('reason', { reason: rejection.message })));
}

function noteForm(caseId) {
  const input = (id, props = {}) => h('input', { id, name: id, ...props });
  const place = input('note-place');
  const present = input('note-present');
  const applicant = h('textarea', { id: 'note-applicant' });
  const debtor = h('textarea', { id: 'note-debtor' });
  const outcome = h('select', { id: 'note-outcome' },
    OUTCOMES.map((o) => h('option', { value: o }, t(`outcome.${o}`))));
  const kind = h('select', { id: 'proposal-kind' }, ['none', 'lump_sum', 'instalments'].map(
    (k) => h('option', { value: k }, t(`proposal.${k}`))));
  const total = input('proposal-total', { type: 'number', min: '0.01', step: '0.01',
    inputmode: 'decimal' });
  const firstDue = input('proposal-due', { type: 'date' });
  const count = input('proposal-count', { type: 'number', min: '1', max: '60', value: '6' });
  const nextVisit = input('note-next-visit', { type: 'date' });
  const message = h('p', { id: 'note-message', role: 'status' });
  const fail = (key) => {
    message.textContent = t(key);
    message.className = 'error';
  };
  return h('form', { id: 'note-form', onsubmit: async (event) => {
    event.preventDefault();
    if (!applicant.value.trim() && !debtor.value.trim()) return fail('needStatements');
    let proposal = null;
    if (kind.value !== 'none') {
      if (!(Number(total.value) > 0)) return fail('badTotal');
      if (!firstDue.value) return fail('needProposal');
      proposal = proposalOf(kind.value, total.value, firstDue.value, count.value);
    } else if (outcome.value === 'agreed') {
      return fail('needProposal');
    }
    const names = present.value.split(/[,，、]/).map((n) => n.trim()).filter(Boolean);
    // Every column the server reads is set: a statement is text (never null), `present`
    // a JSON list; the optional ones stay unset (null) when empty.
    const columns = { case_id: caseId, held_at: Date.now(), outcome: outcome.value,
      applicant_statement: applicant.value.trim(), debtor_statement: debtor.value.trim(),
      present: JSON.stringify(names) };
    if (place.value.trim()) columns.place = place.value.trim();
    if (proposal) columns.proposal = JSON.stringify(proposal);
    if (nextVisit.value) columns.next_visit_on = nextVisit.value;
    const { database } = state;
    await database.write(() => database.get('mediation_note').create((record) => {
      for (const [column, value] of Object.entries(columns)) record._setRaw(column, value);
    }));
    justSaved = t('noteSaved');
    await render();
    if (navigator.onLine) syncNow();
    return undefined;
  } },
  h('h2', {}, t('newNote')),
  h('label', { for: 'note-place' }, t('place')), place,
  h('label', { for: 'note-present' }, t('present')), present,
  h('label', { for: 'note-applicant' }, t('applicantStatement')), applicant,
  h('label', { for: 'note-debtor' }, t('debtorStatement')), debtor,
  h('label', { for: 'note-outcome' }, t('outcome')), outcome,
  h('fieldset', {}, h('legend', {}, t('proposal')),
    h('label', { for: 'proposal-kind' }, t('proposal')), kind,
    h('label', { for: 'proposal-total' }, t('total')), total,
    h('label', { for: 'proposal-due' }, t('firstDue')), firstDue,
    h('label', { for: 'proposal-count' }, t('instalmentCount')), count),
  h('label', { for: 'note-next-visit' }, t('nextVisit')), nextVisit,
  h('button', { type: 'submit', id: 'note-submit' }, t('saveNote')), message);
}

async function caseScreen(caseId) {
  const found = await state.database.get('case').query().fetch();
  const shown = found.find((c) => c.id === caseId);
  if (!shown) {
    openCase = null;
    return casesList();
  }
  const notes = (await state.database.get('mediation_note').query().fetch())
    .filter((n) => n._raw.case_id === caseId)
    .sort((a, b) => b._raw.held_at - a._raw.held_at);
  const saved = justSaved;
  justSaved = '';
  return h('section', { id: 'case', 'data-id': caseId },
    h('button', { type: 'button', id: 'back', onclick: () => { openCase = null; render(); } },
      t('backToCases')),
    h('h2', {}, shown._raw.case_number || caseId, ' ', h('span', { class: 'muted' },
      shown._raw.cause || '')),
    saved && h('p', { id: 'note-saved', role: 'status' }, saved),
    h('h3', {}, t('caseNotes')),
    notes.length ? h('ul', { class: 'list', id: 'notes' }, notes.map(noteItem))
      : h('p', { class: 'muted' }, t('noNotes')),
    noteForm(caseId));
}

export async function casesScreen() {
  return openCase ? caseScreen(openCase) : casesList();
}
