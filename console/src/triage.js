// The triage queue: new leads newest first; one lead with its photo, its pin on the grid
// map and a possible duplicate side by side; accept, reject, mark duplicate or assign
// through POST /leads/{id}/transitions. The API's lifecycle rules decide: a refused step
// shows the problem title it answers.
import { api, blobUrl, listAll } from './api.js';
import { clear, describeError, formatTime, h, notice } from './dom.js';
import { dot, gridMap, L } from './gridmap.js';
import { t } from './i18n.js';

const QUEUE = ['submitted', 'under_review'];

// How far to trust a lead's position: its accuracy and how it was taken (issue 27), and
// the phone's reason when it is less than the court asked for.
function positionText(lead) {
  if (!lead.reported) return null;
  const accuracy = lead.reported.accuracy_m;
  return [accuracy == null ? t('triage.accuracyUnknown') : t('triage.accuracy', { m: Math.round(accuracy) }),
    t(`triage.source.${lead.position_source || 'unknown'}`), lead.position_note].filter(Boolean).join(' · ');
}

function leadCard(lead, title, villages) {
  const village = villages.get(lead.village_grid_id);
  const photos = h('div', { className: 'photos' });
  for (const file of lead.attachments || []) {
    if (!file.content_type.startsWith('image/')) continue;
    const img = h('img', { alt: file.caption || t('triage.photo'), className: 'photo' });
    photos.append(img);
    blobUrl(`/attachments/${file.sha256}`).then(({ url }) => { img.src = url; })
      .catch((err) => img.replaceWith(notice('error', err.message)));
  }
  if (!photos.childElementCount) photos.append(h('p', { className: 'muted' }, t('triage.noPhoto')));
  const row = (label, value) => [h('dt', {}, label), h('dd', {}, value || '—')];
  return h('section', { className: 'lead-card', dataset: { leadId: lead.id } },
    h('h3', {}, title),
    h('dl', {},
      row(t('triage.kind'), t(`kind.${lead.kind}`)),
      row(t('triage.status'), h('span', { className: `status status-${lead.status}`,
        dataset: { status: lead.status } }, t(`status.${lead.status}`))),
      row(t('triage.urgency'), t(`urgency.${lead.urgency}`)),
      row(t('triage.debtor'), lead.debtor_text),
      row(t('triage.description'), lead.description),
      row(t('triage.observed'), formatTime(lead.observed_at)),
      row(t('triage.reported'), formatTime(lead.created_at)),
      row(t('triage.grid'), village ? village.properties.name
        : lead.outside_grid ? t('triage.outside') : '—'),
      row(t('triage.position'), h('span', { className: 'position' }, positionText(lead) || '—'))),
    photos);
}

function actionsFor(lead, me, rounds, act) {
  const reason = h('input', { name: 'reason', placeholder: t('triage.reason') });
  const duplicateOf = h('input', { name: 'duplicate_of_id', placeholder: t('triage.duplicateOf'),
    value: lead.possible_duplicate_of_id || '' });
  const box = h('div', { className: 'actions', id: 'triage-actions' });
  if (QUEUE.includes(lead.status)) {
    box.append(
      h('button', { type: 'button', id: 'action-accept', onclick: () => act('accepted', {
        reason: reason.value || null }) }, t('triage.accept')),
      h('button', { type: 'button', id: 'action-reject', className: 'danger',
        onclick: () => act('rejected', { reason: reason.value || null }) }, t('triage.reject')),
      reason,
      h('button', { type: 'button', id: 'action-duplicate', onclick: () => act('duplicate', {
        duplicate_of_id: duplicateOf.value.trim() || null, reason: reason.value || null }) },
      t('triage.markDuplicate')),
      duplicateOf);
  } else if (lead.status === 'accepted') {
    const officer = h('select', { name: 'officer_id' },
      h('option', { value: '' }, t('triage.noOfficer')),
      ['officer', 'judge'].includes(me.role)
        ? h('option', { value: me.user_id, selected: true }, t('triage.toMe')) : null);
    const round = h('select', { name: 'round_id' }, h('option', { value: '' }, t('triage.noRound')),
      rounds.filter((r) => ['draft', 'planned', 'locked', 'running'].includes(r.status))
        .map((r) => h('option', { value: r.id }, r.name)));
    box.append(officer, round, h('button', { type: 'button', id: 'action-assign',
      onclick: () => act('assigned', { officer_id: officer.value || null,
        round_id: round.value || null }) }, t('triage.assign')));
  } else {
    box.append(h('p', { className: 'muted' }, t('triage.done')));
  }
  return box;
}

export async function triageScreen(main, me) {
  const list = h('ol', { className: 'queue', id: 'triage-queue' });
  const detail = h('div', { className: 'triage-detail', id: 'triage-detail' },
    h('p', { className: 'muted' }, t('triage.pick')));
  const mapEl = h('div', { className: 'map small', id: 'triage-map' });
  main.append(h('h2', {}, t('nav.triage')),
    h('div', { className: 'triage' }, h('div', { className: 'queue-pane' }, list),
      h('div', { className: 'detail-pane' }, detail, mapEl)));
  const grid = await gridMap(mapEl);
  const villages = new Map(grid.villages.features.map((f) => [f.properties.id, f]));
  const rounds = ['officer', 'judge'].includes(me.role)
    ? (await api('/rounds').catch(() => ({ items: [] }))).items : [];
  let pins = [];

  async function show(leadId, message) {
    const lead = await api(`/leads/${leadId}`);
    const twin = lead.possible_duplicate_of_id
      ? await api(`/leads/${lead.possible_duplicate_of_id}`).catch(() => null) : null;
    for (const pin of pins) pin.remove();
    pins = [lead, twin].filter((l) => l && l.point).map((l, k) => dot([l.point.lat, l.point.lon],
      k ? '#868e96' : '#d9480f', l.id).addTo(grid.map));
    if (pins.length) {
      grid.map.fitBounds(L.latLngBounds(pins.map((pin) => pin.getLatLng())).pad(0.5),
        { maxZoom: 12 });
    }
    const feedback = h('div', { id: 'triage-feedback' }, message || null);
    const act = async (to, extra) => {
      try {
        if (lead.status === 'submitted' && to !== 'under_review') {
          await api(`/leads/${lead.id}/transitions`, { method: 'POST', body: { to: 'under_review' } });
        }
        const body = { to, ...Object.fromEntries(Object.entries(extra).filter(([, v]) => v)) };
        await api(`/leads/${lead.id}/transitions`, { method: 'POST', body });
        await refreshQueue();
        await show(lead.id, notice('ok', t('triage.moved', { status: t(`status.${to}`) })));
      } catch (err) {
        await refreshQueue();
        await show(lead.id, notice('error', describeError(err)));
      }
    };
    clear(detail,
      h('div', { className: 'side-by-side' }, leadCard(lead, t('triage.thisLead'), villages),
        twin ? leadCard(twin, t('triage.possibleDuplicate'), villages) : null),
      actionsFor(lead, me, rounds, act), feedback);
    for (const item of list.children) item.classList.toggle('active', item.dataset.leadId === leadId);
  }

  async function refreshQueue() {
    const leads = await listAll(`/leads?${QUEUE.map((s) => `status=${s}`).join('&')}`, 500);
    clear(list, leads.length ? leads.map((lead) => h('li', { dataset: { leadId: lead.id },
      onclick: () => show(lead.id) },
    h('strong', {}, t(`kind.${lead.kind}`)), ' ',
    h('span', { className: `status status-${lead.status}` }, t(`status.${lead.status}`)),
    lead.possible_duplicate_of_id ? h('span', { className: 'badge' }, t('triage.dupBadge')) : null,
    h('br'), h('small', {}, `${formatTime(lead.created_at)} · ${(lead.description || '').slice(0, 40)}`),
    positionText(lead) ? h('small', { className: 'position muted' }, h('br'), positionText(lead)) : null))
      : h('li', { className: 'muted' }, t('triage.empty')));
    list.dataset.count = String(leads.length);
  }
  await refreshQueue();
}
