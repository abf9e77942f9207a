// The map screen: the grids, and open leads, recent sightings and open cases as clusters.
import { api, listAll } from './api.js';
import { h, formatTime } from './dom.js';
import { dot, gridMap, L, layerControl } from './gridmap.js';
import { t } from './i18n.js';

export const OPEN_LEAD_STATUSES = ['submitted', 'under_review', 'accepted', 'assigned',
  'verified'];
const COLOURS = { leads: '#d9480f', sightings: '#7048e8', cases: '#2b8a3e' };

function clusterGroup(kind) {
  return L.markerClusterGroup({
    showCoverageOnHover: false,
    maxClusterRadius: 45,
    iconCreateFunction: (cluster) => L.divIcon({ className: `cluster cluster-${kind}`,
      iconSize: [34, 34], html: `<span>${cluster.getAllChildMarkers()
        .reduce((sum, marker) => sum + (marker.options.count || 1), 0)}</span>` }),
  });
}

async function quietly(promise) {
  try {
    return await promise;
  } catch (err) {
    if (err.status === 403) return [];
    throw err;
  }
}

export async function mapScreen(main) {
  const status = h('p', { className: 'map-status', id: 'map-status' }, t('map.loading'));
  const el = h('div', { className: 'map', id: 'main-map' });
  main.append(h('h2', {}, t('nav.map')), status, el);
  const { map } = await gridMap(el);
  const status_q = OPEN_LEAD_STATUSES.map((s) => `status=${s}`).join('&');
  const [leads, sightings, clusters] = await Promise.all([
    quietly(listAll(`/leads?${status_q}`, 2000)),
    quietly(listAll('/sightings', 2000)),
    quietly(api('/geo/clusters?distance_m=10&min_size=1')),
  ]);
  const groups = { 'map.leads': clusterGroup('leads'), 'map.sightings': clusterGroup('sightings'),
    'map.cases': clusterGroup('cases') };
  const placed = { leads: 0, sightings: 0, cases: 0 };
  for (const lead of leads) {
    if (!lead.point) continue;
    dot([lead.point.lat, lead.point.lon], COLOURS.leads, t(`kind.${lead.kind}`))
      .bindPopup(`${t(`kind.${lead.kind}`)} · ${t(`status.${lead.status}`)}<br>${formatTime(lead.created_at)}`)
      .addTo(groups['map.leads']);
    placed.leads += 1;
  }
  for (const sighting of sightings) {
    if (!sighting.point) continue;
    dot([sighting.point.lat, sighting.point.lon], COLOURS.sightings, t('map.sighting'))
      .bindPopup(`${t('map.sighting')} · ${formatTime(sighting.seen_at)}`)
      .addTo(groups['map.sightings']);
    placed.sightings += 1;
  }
  for (const spot of clusters) {
    if (!spot.cases) continue;
    const marker = dot([spot.lat, spot.lon], COLOURS.cases, t('map.case'));
    marker.options.count = spot.cases;
    marker.addTo(groups['map.cases']);
    placed.cases += spot.cases;
  }
  for (const group of Object.values(groups)) group.addTo(map);
  layerControl(map, groups);
  Object.assign(el.dataset, { leads: placed.leads, sightings: placed.sightings,
    cases: placed.cases, loaded: 'true' });
  status.textContent = t('map.counts', placed);
}
