// Rounds: pick townships or villages (or draw a polygon) on the grid map, set dates and
// teams, create the round and run the planner; each team's route in its colour with
// numbered stops; move a stop to another team and re-plan (the move is a `pinned` stop);
// lock; open the visit sheet PDF. All through /rounds.
import { api, blobUrl } from './api.js';
import { clear, describeError, h, notice } from './dom.js';
import { gridMap, L, numbered } from './gridmap.js';
import { t } from './i18n.js';

export const TEAM_COLOURS = ['#e03131', '#1971c2', '#2f9e44', '#f08c00', '#9c36b5', '#0c8599',
  '#5c940d', '#d6336c'];
const today = () => new Date().toISOString().slice(0, 10);

function centreOf(layers) {
  const bounds = L.latLngBounds([]);
  for (const layer of layers) bounds.extend(layer.getBounds());
  const c = bounds.getCenter();
  return { lon: Number(c.lng.toFixed(6)), lat: Number(c.lat.toFixed(6)) };
}

function teamRow(n) {
  return h('fieldset', { className: 'team' },
    h('legend', {}, t('rounds.team', { n })),
    h('input', { name: 'team_name', value: t('rounds.teamName', { n }), required: true }),
    h('label', {}, t('rounds.from'), h('input', { name: 'work_start', value: '08:00', size: 5 })),
    h('label', {}, t('rounds.to'), h('input', { name: 'work_end', value: '18:00', size: 5 })),
    h('label', {}, t('rounds.maxStops'), h('input', { name: 'max_stops', type: 'number',
      value: 8, min: 1, max: 60 })));
}

/** The new-round form; the map picks the area. Resolves with the created round. */
function newRoundForm(panel, grid, onCreated) {
  const picked = new Map();
  const drawn = [];
  let mode = 'township';
  let sketch = null;
  const highlight = (layer, on) => layer.setStyle(on ? { fillColor: '#ffd43b', fillOpacity: 0.6 }
    : { fillColor: '#dfe9f3', fillOpacity: 0.35 });
  const onVillageClick = (event) => {
    if (mode === 'polygon') return;
    const village = (event.layer || event.sourceTarget).feature;
    const feature = mode === 'village' ? village
      : grid.townships.features.find((f) => f.properties.id === village.properties.township_id);
    if (!feature) return;
    const { id } = feature.properties;
    if (picked.has(id)) picked.delete(id); else picked.set(id, feature);
    grid.villageLayer.eachLayer((v) => highlight(v, picked.has(v.feature.properties.id)
      || picked.has(v.feature.properties.township_id)));
    summary.textContent = t('rounds.picked', { n: picked.size });
  };
  const onMapClick = (event) => {
    if (mode !== 'polygon') return;
    drawn.push(event.latlng);
    if (sketch) sketch.remove();
    sketch = L.polygon(drawn, { color: '#e8590c', dashArray: '4 4' }).addTo(grid.map);
    summary.textContent = t('rounds.vertices', { n: drawn.length });
  };
  if (grid.stopPicking) grid.stopPicking();
  grid.villageLayer.on('click', onVillageClick);
  grid.map.on('click', onMapClick);
  grid.stopPicking = () => {
    grid.villageLayer.off('click', onVillageClick);
    grid.map.off('click', onMapClick);
    grid.stopPicking = null;
  };
  const resetPick = () => {
    picked.clear();
    drawn.length = 0;
    if (sketch) sketch.remove();
    sketch = null;
    grid.villageLayer.eachLayer((v) => highlight(v, false));
    summary.textContent = t('rounds.pickHint');
  };
  const summary = h('p', { id: 'area-summary', className: 'muted' }, t('rounds.pickHint'));
  const modes = h('div', { className: 'modes' }, ['township', 'village', 'polygon'].map((m) =>
    h('label', {}, h('input', { type: 'radio', name: 'area_mode', value: m, checked: m === mode,
      onchange: () => { mode = m; resetPick(); } }), t(`rounds.mode.${m}`))));
  const teams = h('div', { className: 'teams' }, teamRow(1), teamRow(2));
  const feedback = h('div', { id: 'round-form-feedback' });
  const form = h('form', { id: 'round-form', className: 'round-form' },
    h('h3', {}, t('rounds.new')),
    h('label', {}, t('rounds.name'), h('input', { name: 'name', required: true,
      value: t('rounds.defaultName', { date: today() }) })),
    h('label', {}, t('rounds.startsOn'), h('input', { name: 'starts_on', type: 'date',
      value: today(), required: true })),
    h('label', {}, t('rounds.endsOn'), h('input', { name: 'ends_on', type: 'date',
      value: today(), required: true })),
    modes, summary,
    h('button', { type: 'button', onclick: resetPick }, t('rounds.clearArea')),
    teams,
    h('button', { type: 'button', id: 'add-team', onclick: () => teams.append(
      teamRow(teams.childElementCount + 1)) }, t('rounds.addTeam')),
    h('button', { type: 'submit', id: 'create-round' }, t('rounds.createAndPlan')), feedback);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const area = { township_ids: [], village_ids: [], polygon: null };
    let base;
    if (mode === 'polygon') {
      if (drawn.length < 3) return clear(feedback, notice('error', t('rounds.needPolygon')));
      const ring = drawn.map((p) => [p.lng, p.lat]);
      area.polygon = { type: 'Polygon', coordinates: [[...ring, ring[0]]] };
      base = centreOf([sketch]);
    } else {
      if (!picked.size) return clear(feedback, notice('error', t('rounds.needArea')));
      area[mode === 'village' ? 'village_ids' : 'township_ids'] = [...picked.keys()];
      base = centreOf([...picked.values()].map((f) => L.geoJSON(f)));
    }
    const names = data.getAll('team_name');
    const body = { name: data.get('name'), starts_on: data.get('starts_on'),
      ends_on: data.get('ends_on'), area,
      teams: names.map((name, k) => ({ name, start: base,
        work_start: data.getAll('work_start')[k], work_end: data.getAll('work_end')[k],
        max_stops: Number(data.getAll('max_stops')[k]) })) };
    try {
      const created = await api('/rounds', { method: 'POST', body });
      resetPick();
      grid.stopPicking();
      await onCreated(created, true);
    } catch (err) {
      clear(feedback, notice('error', describeError(err)));
    }
  });
  clear(panel, form);
}

/** One round: its routes drawn on the map, its stops with a "move to team" choice. */
async function roundView(panel, grid, round, drawn, refreshList, message) {
  for (const layer of drawn.splice(0)) layer.remove();
  const colour = new Map(round.teams.map((team, k) => [team.id, TEAM_COLOURS[k % TEAM_COLOURS.length]]));
  const teamName = new Map(round.teams.map((team) => [team.id, team.name]));
  if (round.area && round.area.type) {
    drawn.push(L.geoJSON(round.area, { style: { color: '#e8590c', weight: 2, fill: false,
      dashArray: '6 4' }, interactive: false }).addTo(grid.map));
  }
  const plan = round.plan;
  const moves = new Map();
  let stopCount = 0;
  const tables = h('div', { className: 'routes', id: 'round-routes' });
  for (const route of plan ? plan.routes : []) {
    const team = round.teams.find((x) => x.id === route.team_id);
    const base = team && team.start ? [team.start.lat, team.start.lon] : null;
    const line = [base, ...route.stops.map((s) => [s.lat, s.lon]), base].filter(Boolean);
    drawn.push(L.polyline(line, { color: colour.get(route.team_id), weight: 4, opacity: 0.85,
      className: 'route-line' }).addTo(grid.map));
    const rows = route.stops.map((stop) => {
      stopCount += 1;
      drawn.push(numbered([stop.lat, stop.lon], stop.seq, colour.get(route.team_id),
        stop.case_number || '').addTo(grid.map));
      const move = h('select', { className: 'move', dataset: { targetId: stop.target_id },
        onchange: () => {
          if (move.value) moves.set(stop.target_id, move.value); else moves.delete(stop.target_id);
          replan.disabled = !moves.size;
        } }, h('option', { value: '' }, t('rounds.keep')),
      round.teams.filter((x) => x.id !== route.team_id).map((x) => h('option', { value: x.id },
        t('rounds.moveTo', { team: x.name }))));
      move.disabled = round.status !== 'planned';
      return h('tr', {}, h('td', {}, stop.seq), h('td', {}, stop.case_number || stop.lead_id || ''),
        h('td', {}, stop.eta || ''), h('td', {}, move));
    });
    tables.append(h('section', { className: 'route', dataset: { teamId: route.team_id } },
      h('h4', {}, h('span', { className: 'swatch', style: `background:${colour.get(route.team_id)}` }),
        `${teamName.get(route.team_id)} · ${route.day} · ${t('rounds.stops', { n: route.stops.length })}`),
      h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, '#'), h('th', {}, t('rounds.case')),
        h('th', {}, t('rounds.eta')), h('th', {}, t('rounds.move')))), h('tbody', {}, rows))));
  }
  const unassigned = plan ? plan.unassigned.length : 0;
  Object.assign(grid.map.getContainer().dataset, { routes: String(plan ? plan.routes.length : 0),
    stops: String(stopCount) });
  const feedback = h('div', { id: 'round-feedback' }, message || null);
  const run = async (work, done) => {
    try {
      const updated = await work();
      await refreshList();
      await roundView(panel, grid, updated, drawn, refreshList, notice('ok', done));
    } catch (err) {
      clear(feedback, notice('error', describeError(err)));
    }
  };
  // Target ids change with every plan, so a move is pinned by its case (or lead), and the
  // stops pinned before (`pinned: true` in the plan) stay where the planner put them.
  const pinOf = (stop, team_id) => (stop.case_id ? { case_id: stop.case_id, team_id }
    : { lead_id: stop.lead_id, team_id });
  const pinnedBody = () => {
    const pins = new Map();
    for (const route of plan ? plan.routes : []) {
      for (const stop of route.stops) {
        const team = moves.get(stop.target_id) || (stop.pinned ? route.team_id : null);
        if (team) pins.set(stop.target_id, pinOf(stop, team));
      }
    }
    return { pinned: [...pins.values()] };
  };
  const replan = h('button', { type: 'button', id: 'replan', disabled: true, onclick: () => run(
    () => api(`/rounds/${round.id}/plan`, { method: 'POST', body: pinnedBody() }),
    t('rounds.replanned')) }, t('rounds.replan'));
  const canPlan = ['draft', 'planned'].includes(round.status);
  clear(panel,
    h('h3', { id: 'round-title', dataset: { roundId: round.id, status: round.status } }, round.name),
    h('p', {}, `${round.starts_on} – ${round.ends_on} · `,
      h('span', { className: 'status', id: 'round-status' }, t(`roundStatus.${round.status}`)),
      plan ? ` · ${t('rounds.summary', { stops: stopCount, routes: plan.routes.length, unassigned })}` : ''),
    h('div', { className: 'actions' },
      h('button', { type: 'button', id: 'plan-round', disabled: !canPlan, onclick: () => run(
        () => api(`/rounds/${round.id}/plan`, { method: 'POST', body: {} }), t('rounds.planned')) },
      plan ? t('rounds.planAgain') : t('rounds.plan')),
      replan,
      h('button', { type: 'button', id: 'lock-round', disabled: round.status !== 'planned',
        onclick: () => run(() => api(`/rounds/${round.id}/lock`, { method: 'POST' }),
          t('rounds.locked')) }, t('rounds.lock')),
      h('button', { type: 'button', id: 'sheet-pdf', disabled: !plan, onclick: async () => {
        try {
          const { url } = await blobUrl(`/rounds/${round.id}/sheet.pdf`);
          window.open(url, '_blank');
        } catch (err) {
          clear(feedback, notice('error', describeError(err)));
        }
      } }, t('rounds.sheet'))),
    feedback, tables);
  if (drawn.length) {
    const bounds = L.featureGroup(drawn).getBounds();
    if (bounds.isValid()) grid.map.fitBounds(bounds, { padding: [20, 20] });
  }
}

export async function roundsScreen(main) {
  const list = h('ul', { className: 'round-list', id: 'round-list' });
  const panel = h('div', { className: 'round-panel', id: 'round-panel' });
  const mapEl = h('div', { className: 'map', id: 'round-map' });
  const drawn = [];
  main.append(h('h2', {}, t('nav.rounds')),
    h('div', { className: 'rounds' },
      h('div', { className: 'side' }, h('button', { type: 'button', id: 'new-round',
        onclick: () => { for (const l of drawn.splice(0)) l.remove(); newRoundForm(panel, grid, open); } },
      t('rounds.new')), list, panel),
      mapEl));
  const grid = await gridMap(mapEl);

  async function refreshList() {
    const rounds = (await api('/rounds')).items;
    clear(list, rounds.map((r) => h('li', { dataset: { roundId: r.id } },
      h('a', { href: '#rounds', onclick: async (event) => { event.preventDefault();
        await open(await api(`/rounds/${r.id}`)); } }, r.name), ' ',
      h('small', {}, t(`roundStatus.${r.status}`)))));
  }

  async function open(round, plan = false) {
    if (grid.stopPicking) grid.stopPicking();
    grid.villageLayer.resetStyle();
    if (plan) {
      try {
        round = await api(`/rounds/${round.id}/plan`, { method: 'POST', body: {} });
      } catch (err) {
        await refreshList();
        return roundView(panel, grid, round, drawn, refreshList, notice('error', describeError(err)));
      }
    }
    await refreshList();
    await roundView(panel, grid, round, drawn, refreshList,
      plan ? notice('ok', t('rounds.planned')) : null);
  }

  await refreshList();
  newRoundForm(panel, grid, open);
}
