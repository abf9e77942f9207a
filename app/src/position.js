// The phone's position, one a court can trust (issue 27). The browser gives WGS-84 (the W3C
// Geolocation API's datum), sent as `wgs84` with its accuracy and its source (`gps`). The
// app keeps watching until a fix is as accurate as the court asks (settings.js, default
// 50 m) or the wait ends; then it keeps the best fix with the reason it is not better. A
// fix older than the court's limit (default 2 minutes) is never reused for a new record.
import { addWords, t } from './i18n.js';
import { settings } from './settings.js';
import { render, state } from './state.js';

addWords({
  zh: { positionTooRough: '等待 {wait} 秒仍未达到要求的精度（{want} 米），最好约 {acc} 米',
    positionNone: '等待 {wait} 秒未取得位置', positionDenied: '未允许定位',
    positionUnavailable: '无法定位（{reason}）', positionStale: '位置已超过 {age} 秒，未使用',
    noGeolocation: '此浏览器不能定位', positionWaiting: '正在等待更准确的位置（要求 {want} 米以内）…' },
  en: { positionTooRough: 'No fix within {want} m after {wait} s; the best was about {acc} m',
    positionNone: 'No position after {wait} s', positionDenied: 'Location not allowed',
    positionUnavailable: 'No position ({reason})', positionStale: 'The position was older than {age} s and was not used',
    noGeolocation: 'This browser cannot locate', positionWaiting: 'Waiting for a better fix (within {want} m)…' },
});

let watch = null;
let deadline = null;
let startedAt = 0;

function finish(note) {
  if (watch !== null) navigator.geolocation.clearWatch(watch);
  clearTimeout(deadline);
  watch = null;
  state.locating = false;
  state.positionNote = note;
  render();
}

/** Look for a fix: as good as the court asks, within its wait. */
export function locate() {
  if (!navigator.geolocation) {
    state.position = null;
    state.positionNote = t('noGeolocation');
    return;
  }
  if (watch !== null) return;
  const want = settings.position_accuracy_m;
  const wait = settings.position_wait_s;
  state.locating = true;
  startedAt = Date.now();
  state.position = null;
  state.positionNote = '';
  watch = navigator.geolocation.watchPosition((where) => {
    const fix = { lon: where.coords.longitude, lat: where.coords.latitude,
      accuracy: where.coords.accuracy, source: 'gps', at: Date.now() };
    if (!state.position || fix.accuracy <= state.position.accuracy) state.position = fix;
    if (fix.accuracy <= want) finish('');
    else render();
  }, (error) => {
    if (error.code === error.TIMEOUT) return; // the deadline below says it
    finish(error.code === error.PERMISSION_DENIED ? t('positionDenied')
      : t('positionUnavailable', { reason: error.message }));
  }, { enableHighAccuracy: true, maximumAge: settings.position_max_age_s * 1000,
    timeout: wait * 1000 });
  deadline = setTimeout(() => finish(state.position
    ? t('positionTooRough', { wait, want, acc: Math.round(state.position.accuracy) })
    : t('positionNone', { wait })), wait * 1000);
}

/** The fix a new record may carry (never one older than the court allows) and, when it is
 * less than asked for or missing, why: `{ fix, note }`. */
export function positionForRecord() {
  const { position } = state;
  if (position && Date.now() - position.at > settings.position_max_age_s * 1000) {
    return { fix: null, note: t('positionStale', { age: settings.position_max_age_s }) };
  }
  if (state.locating) {
    const wait = Math.round((Date.now() - startedAt) / 1000);
    if (!position) return { fix: null, note: t('positionNone', { wait }) };
    return { fix: position, note: position.accuracy > settings.position_accuracy_m
      ? t('positionTooRough', { wait, want: settings.position_accuracy_m,
        acc: Math.round(position.accuracy) }) : '' };
  }
  return { fix: position, note: state.positionNote || '' };
}

/** Whether the kept fix is too old to show as current (the report screen looks again). */
export const positionStale = () => Boolean(state.position)
  && Date.now() - state.position.at > settings.position_max_age_s * 1000;
