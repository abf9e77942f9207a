// Unlock: the password unwraps this phone's data key, offline too. A wrong password opens
// nothing; without a kept session (signed out) the court is asked once more, online.
import { loadSession, signIn } from '../api.js';
import { h } from '../dom.js';
import { addWords, t, toggleLang } from '../i18n.js';
import { render, state } from '../state.js';
import { WrongPassword, lock, unlock, vaultOwner } from '../vault.js';

addWords({
  zh: { unlockTitle: '解锁', unlock: '解锁', unlocking: '正在解锁…', locked: '已锁定：请输入密码',
    wrongPassword: '密码错误，本机数据未解锁', lock: '锁定',
    unlockHint: '本机数据已加密，只有 {user} 的密码能打开（无需网络）' },
  en: { unlockTitle: 'Unlock', unlock: 'Unlock', unlocking: 'Unlocking…',
    locked: 'Locked: enter your password', wrongPassword: 'Wrong password: nothing was unlocked',
    lock: 'Lock', unlockHint: 'The data on this phone is encrypted; only {user}\'s password opens it (no network needed)' },
});

export function unlockScreen(start) {
  const password = h('input', { id: 'password', name: 'password', type: 'password',
    autocomplete: 'current-password' });
  const message = h('p', { class: 'error', role: 'alert', id: 'unlock-message' }, state.notice);
  const button = h('button', { type: 'submit', id: 'unlock' }, t('unlock'));
  const owner = vaultOwner();
  return h('form', { class: 'login', id: 'unlock-form', onsubmit: async (event) => {
    event.preventDefault();
    button.disabled = true;
    message.textContent = t('unlocking');
    try {
      await unlock(password.value);
      if (!loadSession()) {
        if (!navigator.onLine) throw new Error(t('signInOffline'));
        await signIn(owner, password.value).catch((error) => {
          throw new Error(t('signInFailed', { reason: error.message }));
        });
      }
      state.notice = '';
      await start();
    } catch (error) {
      lock();
      button.disabled = false;
      password.value = '';
      message.textContent = error instanceof WrongPassword ? t('wrongPassword')
        : String(error.message || error);
    }
  } },
  h('h1', {}, t('title')),
  h('p', { class: 'muted' }, t('unlockHint', { user: owner })),
  h('input', { type: 'text', name: 'username', autocomplete: 'username', value: owner,
    hidden: true, readonly: true }),
  h('label', { for: 'password' }, t('password')), password,
  button, message,
  h('p', {}, h('button', { type: 'button', class: 'lang', onclick: () => {
    toggleLang();
    render();
  } }, t('language'))));
}
