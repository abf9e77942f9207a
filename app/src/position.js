// The phone's position. The browser gives WGS-84 (the W3C Geolocation API's datum), sent as
// `wgs84`; the server keeps that and places the record on its grid.
import { render, state } from './state.js';

export function locate() {
  if (!navigator.geolocation) return;
  state.locating = true;
  navigator.geolocation.getCurrentPosition((where) => {
    state.position = { lon: where.coords.longitude, lat: where.coords.latitude,
      accuracy: where.coords.accuracy };
    state.locating = false;
    render();
  }, () => {
    state.locating = false;
    render();
  }, { enableHighAccuracy: true, timeout: 30_000, maximumAge: 60_000 });
}
