// The tasks sent to the assistant's grids, each answerable offline: a result (done, not
// found, unable, for information) and a text, with the phone's position; saved on the phone
// and sent by the next sync as a `task_answer`. The answer's state shows under its task.
import { Q } from '@nozbe/watermelondb';
import { h } from '../dom.js';
import { forget, kept } from '../drafts.js';
import { formatTime } from '../format.js';
import { addWords, t } from '../i18n.js';
import { removeUnsent, statusOf } from '../outbox.js';
import { render, state } from '../state.js';
import { syncNow } from '../syncing.js';
import { nameOf } from './leads.js';

const RESULTS = ['done', 'not_found', 'unable', 'info'];

addWords({
  zh: { answerTask: '回复任务', result: '结果', answerText: '情况说明', sendAnswer: '保存回复',
    answerRequired: '请填写情况说明', 'result.done': '已完成', 'result.not_found': '未找到',
    'result.unable': '无法完成', 'result.info': '提供情况', answered: '我的回复' },
  en: { answerTask: 'Answer', result: 'Result', answerText: 'What you found', sendAnswer: 'Save answer',
    answerRequired: 'Please say what you found', 'result.done': 'Done',
    'result.not_found': 'Not found', 'result.unable': 'Unable', 'result.info': 'Information',
    answered: 'My answer' },
});

function answerForm(task) {
  const { database } = state;
  const result = h('select', { class: 'answer-result', 'aria-label': t('result') },
    RESULTS.map((r) => h('option', { value: r }, t(`result.${r}`))));
  const text = h('textarea', { class: 'answer-text', 'aria-label': t('answerText') });
  kept(`answer:${task.id}:result`, result);
  kept(`answer:${task.id}:text`, text);
  const message = h('p', { class: 'error', role: 'alert' });
  return h('form', { class: 'answer', onsubmit: async (event) => {
    event.preventDefault();
    if (!text.value.trim()) {
      message.textContent = t('answerRequired');
      return;
    }
    const columns = { task_id: task.id, result: result.value, answer: text.value.trim(),
      answered_at: Date.now() };
    if (state.position) {
      Object.assign(columns, { lon: state.position.lon, lat: state.position.lat,
        datum: 'wgs84', accuracy_m: state.position.accuracy });
    }
    await database.write(() => database.get('task_answer').create((record) => {
      for (const [column, value] of Object.entries(columns)) record._setRaw(column, value);
    }));
    forget(`answer:${task.id}:`);
    await render();
    if (navigator.onLine) syncNow();
  } },
  h('label', {}, t('result')), result, h('label', {}, t('answerText')), text,
  h('button', { type: 'submit', class: 'answer-submit' }, t('sendAnswer')), message);
}

export async function tasksScreen() {
  const { database } = state;
  const tasks = await database.get('task').query().fetch();
  if (!tasks.length) return h('p', { class: 'muted' }, t('noTasks'));
  const problem = h('p', { class: 'error', role: 'alert' });
  const items = [];
  for (const record of tasks) {
    const task = record._raw;
    const answers = await database.get('task_answer').query(Q.where('task_id', record.id)).fetch();
    items.push(h('li', { class: 'task', 'data-id': record.id },
      h('strong', {}, task.title || ''), ' ',
      h('span', { class: 'badge' }, t(`task.${task.status}`)),
      h('div', {}, task.body || ''),
      task.due_at && h('div', { class: 'muted' }, t('due', { date: formatTime(task.due_at) })),
      answers.map((answer) => {
        const { status, rejection } = statusOf(answer);
        return h('div', { class: `answer-item ${status}`, 'data-id': answer.id },
          h('span', { class: 'badge status' }, t(status)), ' ', t('answered'), ': ',
          t(`result.${answer._raw.result}`), ' · ', answer._raw.answer || '',
          rejection && h('div', { class: 'error reason' },
            t('reason', { reason: rejection.message })),
          (status === 'refused' || answer._raw._status === 'created') && h('button', {
            type: 'button', class: 'remove secondary', onclick: async () => {
              const name = nameOf(answer._raw.answer || task.title || '');
              if (await removeUnsent(database, answer, name,
                (text) => { problem.textContent = text; })) await render();
            } }, status === 'refused' ? t('discard') : t('remove')));
      }),
      task.status === 'open' && !answers.length && answerForm(record)));
  }
  return h('div', {}, problem, h('ul', { class: 'list', id: 'tasks' }, items));
}
