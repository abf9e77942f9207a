// The tasks sent to the assistant's grids.
import { h } from '../dom.js';
import { formatTime } from '../format.js';
import { t } from '../i18n.js';
import { state } from '../state.js';

export async function tasksScreen() {
  const tasks = await state.database.get('task').query().fetch();
  if (!tasks.length) return h('p', { class: 'muted' }, t('noTasks'));
  return h('ul', { class: 'list', id: 'tasks' }, tasks.map(({ _raw: task }) => h('li', { class: 'task' },
    h('strong', {}, task.title || ''), ' ',
    h('span', { class: 'badge' }, t(`task.${task.status}`)),
    h('div', {}, task.body || ''),
    task.due_at && h('div', { class: 'muted' }, t('due', { date: formatTime(task.due_at) })))));
}
