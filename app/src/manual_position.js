// A position typed by hand, where the court allows it (FIELD_APP_MANUAL_POSITION): kept with
// source `manual` and no accuracy, so the court never takes it for a GPS fix.
import { h } from './dom.js';
import { addWords, t } from './i18n.js';
import { settings } from './settings.js';

addWords({
  zh: { manualPosition: '手动输入位置（经纬度，WGS-84）', manualLon: '经度', manualLat: '纬度',
    manualNote: '位置为手动输入', manualInvalid: '手动输入的经纬度无效' },
  en: { manualPosition: 'Type the position by hand (WGS-84 lon/lat)', manualLon: 'Longitude',
    manualLat: 'Latitude', manualNote: 'Position typed by hand', manualInvalid: 'The typed position is not valid' },
});

/** `{ element, read() }`: read() is null when nothing was typed, a fix when it was, and
 * throws when what was typed is not a position. */
export function manualPositionInput() {
  const lon = h('input', { id: 'manual-lon', inputmode: 'decimal', 'aria-label': t('manualLon'),
    placeholder: t('manualLon') });
  const lat = h('input', { id: 'manual-lat', inputmode: 'decimal', 'aria-label': t('manualLat'),
    placeholder: t('manualLat') });
  const element = settings.manual_position === false ? null
    : h('details', { id: 'manual-position' }, h('summary', {}, t('manualPosition')), lon, lat);
  return {
    element,
    read() {
      if (!element || (!lon.value.trim() && !lat.value.trim())) return null;
      const fix = { lon: Number(lon.value), lat: Number(lat.value), accuracy: null,
        source: 'manual' };
      if (!(Math.abs(fix.lon) <= 180 && Math.abs(fix.lat) <= 90)
          || !lon.value.trim() || !lat.value.trim()) throw new Error(t('manualInvalid'));
      return fix;
    },
  };
}
