// Sign in once, online; the device is registered with the court, which can revoke it.
import { signIn } from '../api.js';
import { h } from '../dom.js';
import { t, toggleLang } from '../i18n.js';
import { prevaultNote } from '../premigrate.js';
import { render, state } from '../state.js';
import { createVault } from '../vault.js';
import { TABS } from './index.js';

class NotForRole extends Error {}

export function loginScreen(start) {
  const username = h('input', { id: 'username', name: 'username', autocomplete: 'username' });
  const password = h('input', { id: 'password', name: 'password', type: 'password',
    autocomplete: 'current-password' });
  const message = h('p', { class: 'error', role: 'alert' }, state.notice);
  return h('form', { class: 'login', onsubmit: async (event) => {
    event.preventDefault();
    if (!navigator.onLine) {
      message.textContent = t('signInOffline');
      return;
    }
    try {
      // The court accepted the password: a new data key, wrapped by it, seals everything
      // from here on (no key, nothing kept, for roles that have no tabs here).
      await signIn(username.value.trim(), password.value, async ({ role }) => {
        if (!TABS[role]) throw new NotForRole();
        await createVault(username.value.trim(), password.value);
      });
    } catch (error) {
      if (error instanceof NotForRole) {
        message.textContent = t('notForRole');
        return;
      }
      message.textContent = t('signInFailed', { reason: error.message });
      return;
    }
    state.notice = '';
    await start().catch((error) => { message.textContent = String(error.message || error); });
  } },
  h('h1', {}, t('title')), prevaultNote(),
  h('label', { for: 'username' }, t('username')), username,
  h('label', { for: 'password' }, t('password')), password,
  h('button', { type: 'submit' }, t('signIn')), message,
  h('p', {}, h('button', { type: 'button', class: 'lang', onclick: () => {
    toggleLang();
    render();
  } }, t('language'))));
}
