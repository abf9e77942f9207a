// A Leaflet map whose base is the court's own township and village grids (GeoJSON from
// /geo/townships and /geo/villages), drawn as SVG: no internet tiles, no WebGL. When the
// server is configured with a tile URL (CONSOLE_TILE_URL) those tiles go underneath.
import L from './leaflet-global.js';
import 'leaflet.markercluster';
import { api } from './api.js';
import { t } from './i18n.js';

const TOWNSHIP_STYLE = { color: '#1f4e79', weight: 2.5, fill: false };
const VILLAGE_STYLE = { color: '#6b8fb5', weight: 1, fillColor: '#dfe9f3', fillOpacity: 0.35 };

function tileUrl() {
  const meta = document.querySelector('meta[name="gridwork-tile-url"]');
  return meta ? meta.content : '';
}

/** A map in `element`, its grids loaded; element.dataset says how many were drawn. */
export async function gridMap(element, { onVillageClick } = {}) {
  const map = L.map(element, { zoomSnap: 0.25, maxZoom: 19, attributionControl: false });
  map.setView([35.4, 108.3], 10);
  if (tileUrl()) L.tileLayer(tileUrl(), { maxZoom: 19 }).addTo(map);
  const [townships, villages] = await Promise.all([
    api('/geo/townships?simplify=5'), api('/geo/villages?simplify=5')]);
  const villageLayer = L.geoJSON(villages, {
    style: VILLAGE_STYLE,
    onEachFeature: (feature, layer) => {
      layer.bindTooltip(feature.properties.name, { sticky: true });
      if (onVillageClick) layer.on('click', () => onVillageClick(feature, layer));
    },
  }).addTo(map);
  const townshipLayer = L.geoJSON(townships, { style: TOWNSHIP_STYLE, interactive: false })
    .addTo(map);
  const bounds = villageLayer.getBounds().extend(townshipLayer.getBounds());
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12] });
  element.dataset.townships = String(townships.features.length);
  element.dataset.villages = String(villages.features.length);
  return { map, townships, villages, townshipLayer, villageLayer, bounds };
}

export function layerControl(map, overlays) {
  const named = {};
  for (const [key, layer] of Object.entries(overlays)) named[t(key)] = layer;
  return L.control.layers(null, named, { collapsed: false }).addTo(map);
}

/** A small coloured dot as a marker (no image files needed). */
export function dot(latlng, colour, title) {
  return L.marker(latlng, {
    title,
    icon: L.divIcon({ className: 'dot', html: `<span style="background:${colour}"></span>`,
      iconSize: [14, 14] }),
  });
}

/** A numbered stop in a team's colour. */
export function numbered(latlng, n, colour, title) {
  return L.marker(latlng, {
    title,
    icon: L.divIcon({ className: 'stop', iconSize: [22, 22],
      html: `<span style="background:${colour}">${n}</span>` }),
  });
}

export { L };
