// The console's shell: sign-in, the screens (map, triage, rounds, outcomes, the parties'
// satisfaction, refused records)
// chosen by the URL hash, and the language switch. Every screen talks only to /api/v1.
import './style.css';
import { api, signedIn, signIn, signOut } from './api.js';
import { h, clear, notice } from './dom.js';
import { lang, setLang, t } from './i18n.js';
import { mapScreen } from './mapview.js';
import { outcomesScreen } from './outcomes.js';
import { rejectionsScreen } from './rejections.js';
import { roundsScreen } from './rounds.js';
import { satisfactionScreen } from './satisfaction.js';
import { triageScreen } from './triage.js';

const SCREENS = { map: mapScreen, triage: triageScreen, rounds: roundsScreen,
  outcomes: outcomesScreen, satisfaction: satisfactionScreen, rejections: rejectionsScreen };
const root = document.getElementById('app');
let me = null;

function languageSwitch() {
  const other = lang() === 'en' ? 'zh-CN' : 'en';
  return h('button', { type: 'button', className: 'lang', id: 'lang-switch',
    onclick: () => { setLang(other); render(); } }, other === 'en' ? 'English' : '中文');
}

function loginScreen(message) {
  document.title = t('app.title');
  const error = h('div', { id: 'login-error' }, message ? notice('error', message) : null);
  const form = h('form', { id: 'login-form', className: 'login' },
    h('h1', {}, t('app.title')),
    h('label', {}, t('login.username'), h('input', { name: 'username', autocomplete: 'username',
      required: true })),
    h('label', {}, t('login.password'), h('input', { name: 'password', type: 'password',
      autocomplete: 'current-password', required: true })),
    h('button', { type: 'submit' }, t('login.submit')), error, languageSwitch());
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      await signIn(data.get('username'), data.get('password'));
      me = null;
      render();
    } catch (err) {
      clear(error, notice('error', err.message));
    }
  });
  clear(root, form);
}

async function render() {
  document.documentElement.lang = lang();
  if (!signedIn()) return loginScreen();
  try {
    me = me || await api('/me');
  } catch (err) {
    return loginScreen(err.message);
  }
  const name = (location.hash.slice(1) || 'map').split('/')[0];
  const screen = SCREENS[name] ? name : 'map';
  document.title = `${t(`nav.${screen}`)} · ${t('app.title')}`;
  const nav = h('nav', { className: 'top' },
    h('strong', { className: 'brand' }, t('app.title')),
    ...Object.keys(SCREENS).map((key) => h('a', { href: `#${key}`, id: `nav-${key}`,
      className: key === screen ? 'active' : '' }, t(`nav.${key}`))),
    h('span', { className: 'who', id: 'who' },
      `${me.display_name || me.username} · ${t(`role.${me.role}`)} · ${me.court.name}`),
    languageSwitch(),
    h('button', { type: 'button', id: 'sign-out', onclick: () => { signOut(); me = null;
      render(); } }, t('login.signOut')));
  const main = h('main', { id: 'screen', dataset: { screen } });
  clear(root, nav, main);
  try {
    await SCREENS[screen](main, me);
  } catch (err) {
    main.append(notice('error', err.message || String(err)));
  }
}

window.addEventListener('hashchange', render);
window.addEventListener('gridwork:signed-out', () => loginScreen(t('login.expired')));
render();
