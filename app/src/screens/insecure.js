// Opened over plain HTTP at a network address (not 127.0.0.1): no service worker, no
// persistent storage, no WebCrypto. One clear screen in both languages, and nothing is
// stored (not even the language choice).
import { h } from '../dom.js';

export function insecureScreen() {
  const https = `https://${window.location.host}${window.location.pathname}`;
  return h('section', { class: 'login insecure', id: 'insecure', role: 'alert' },
    h('h1', { lang: 'zh-CN' }, '请使用 HTTPS 打开'),
    h('p', { lang: 'zh-CN' }, '此地址不安全（未加密的 HTTP）。为保护本机数据，应用在这里不能离线工作，也不会保存任何内容。',
      '请改用法院提供的 HTTPS 地址，例如 ', h('code', {}, https), '，并按说明安装法院的证书。'),
    h('h1', { lang: 'en' }, 'Please open this app over HTTPS'),
    h('p', { lang: 'en' }, 'This address is not secure (plain HTTP). To protect the data on the phone, the app cannot work offline here and stores nothing. ',
      'Use the court\'s HTTPS address instead, e.g. ', h('code', {}, https),
      ', and install the court\'s certificate as the court explains.'));
}
