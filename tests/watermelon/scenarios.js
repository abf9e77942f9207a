// Field scenarios for real WatermelonDB phones (app.js) against a running Gridwork server.
// Run by tests/watermelon/test_phones.py, one scenario per process:
//
//   GRIDWORK_WM='{"base_url", "scenario", "password", "assistant", "assistant2", "judge",
//                 "admin", "case_x", "case_y", "task_id", "photo"}' node scenarios.js
//
// Prints one JSON line: what the scenario saw (device dumps, ids, pull counts, answers of
// the REST API) and every diagnostic WatermelonDB printed; the pytest test checks it all
// against the database.
'use strict'

const fs = require('fs')
const { Phone, ServerError, diagnostics, notes, request, syncUntil } = require('./app')
const { cuttingProxy } = require('./proxy')

const input = JSON.parse(process.env.GRIDWORK_WM)
const api = `${input.base_url}/api/v1`
const LATEST = 3
const DAY = 24 * 3600 * 1000

async function phone(name, username = input.assistant, version = LATEST) {
  const p = new Phone(api, name)
  await p.signIn(username, input.password, version)
  return p
}

async function signIn(username) {
  const login = await request(api, 'POST', '/auth/login', null, {
    username, password: input.password, device_id: `rest-${username}-${process.pid}`,
  })
  return login.access_token
}

const point = (lon, lat, datum = 'gcj02') => ({ lon, lat, datum, accuracy_m: 12 })

// Two phones of one assistant create offline, with every optional column left unset.
async function offlineCreates() {
  const a = await phone('a')
  const b = await phone('b')
  await a.sync()
  await b.sync()
  const lead1 = await a.create('lead', { kind: 'vehicle', description: '院里停着一辆新三轮',
    ...point(108.305, 35.405) })
  const lead2 = await b.create('lead', { kind: 'real_estate', description: '新盖了两层楼' })
  const sighting = await b.create('sighting', { seen_at: Date.now() - 3600 * 1000,
    notes: '在村口小卖部', ...point(108.306, 35.406, 'wgs84') })
  const answer = await a.create('task_answer', { task_id: input.task_id, result: 'done',
    answered_at: Date.now(), answer: '已找到，人在家' })
  await a.sync()
  await b.sync()
  const made = [['lead', lead1.id], ['lead', lead2.id], ['sighting', sighting.id],
    ['task_answer', answer.id]]
  const holdsAll = async (p) => {
    for (const [table, id] of made) {
      if (!(await p.has(table, id)) || !(await p.raw(table, id)).version) return false
    }
    return !(await p.unsynced())
  }
  // Each phone holds every record as the server sent it back (with its version).
  await syncUntil([a, b], async () => (await holdsAll(a)) && (await holdsAll(b)),
    'both phones hold everything')
  return {
    ids: { lead1: lead1.id, lead2: lead2.id, sighting: sighting.id, answer: answer.id },
    devices: { a: await a.dump(), b: await b.dump() },
    first_pulls: { a: a.pulls[0].counts, b: b.pulls[0].counts },
    first_pull_tables: Object.keys(a.pulls[0].changes).sort(),
    declared_tables: a.tables.slice().sort(),
  }
}

// Different columns of one record edited on two phones; the same shared column too.
async function mergeFields() {
  const a = await phone('a')
  const b = await phone('b')
  await a.sync()
  await b.sync()
  const lead = await a.create('lead', { kind: 'vehicle', description: '院里停着一辆新三轮' })
  const seen = await a.create('sighting', { seen_at: Date.now(), confidence: 3, urgent: false,
    notes: '在村口小卖部' })
  await a.sync()
  await syncUntil([b], async () => (await b.has('lead', lead.id)) &&
    (await b.has('sighting', seen.id)), 'B has what A reported')
  await a.edit('lead', lead.id, { description: '三轮车是蓝色的', case_id: input.case_x })
  await b.edit('lead', lead.id, { debtor_text: '张三明', case_id: input.case_y })
  await a.edit('sighting', seen.id, { confidence: 5 })
  await b.edit('sighting', seen.id, { notes: '在村口小卖部，骑蓝色三轮' })
  await a.sync()
  await b.sync()
  const settled = async (p) => {
    const l = await p.raw('lead', lead.id)
    const s = await p.raw('sighting', seen.id)
    return l.description === '三轮车是蓝色的' && l.debtor_text === '张三明' &&
      l.case_id === input.case_x && s.confidence === 5 && s.notes === '在村口小卖部，骑蓝色三轮' &&
      l._status === 'synced' && s._status === 'synced'
  }
  const sameVersion = async (table, id) => (await a.raw(table, id)).version ===
    (await b.raw(table, id)).version
  await syncUntil([a, b], async () => (await settled(a)) && (await settled(b)) &&
    (await sameVersion('lead', lead.id)) && (await sameVersion('sighting', seen.id)),
  'both phones hold the merged records')
  // B withdraws the lead; A follows.
  await b.remove('lead', lead.id)
  await b.sync()
  await syncUntil([a], async () => !(await a.has('lead', lead.id)), 'A lets the lead go')
  const judge = await signIn(input.judge)
  const conflicts = await request(api, 'GET', '/sync/conflicts', judge)
  return { ids: { lead: lead.id, sighting: seen.id }, conflicts,
    devices: { a: await a.dump(), b: await b.dump() } }
}

// A record the server refuses stays on the phone, unsynced, listed for the author and the
// court; fixed, it goes through; another one, discarded by the judge, leaves the phone.
async function refusedCreate() {
  const a = await phone('a')
  await a.sync()
  const future = Date.now() + 3650 * DAY // the phone's clock is ten years ahead
  const lead = await a.create('lead', { kind: 'vehicle', description: '院里停着一辆新三轮',
    observed_at: future })
  const seen = await a.create('sighting', { seen_at: Date.now(), confidence: 9,
    notes: '信心写成了9' })
  const kept = await a.create('lead', { kind: 'other', description: '这一条没问题' })
  await a.sync()
  await a.sync() // a second sync must not take the refused records away
  const refusedState = {
    lead: await a.has('lead', lead.id) && (await a.raw('lead', lead.id))._status,
    sighting: await a.has('sighting', seen.id) && (await a.raw('sighting', seen.id))._status,
    kept: await a.has('lead', kept.id) && (await a.raw('lead', kept.id))._status,
    unsynced: await a.unsynced(),
  }
  const judge = await signIn(input.judge)
  const listedForAuthor = await request(api, 'GET', '/sync/rejections', a.token)
  const listedForCourt = await request(api, 'GET', '/sync/rejections', judge)
  // The author fixes the time and sends it again; the judge discards the sighting.
  await a.edit('lead', lead.id, { observed_at: Date.now() - 3600 * 1000 })
  const sightingRefusal = listedForCourt.find((r) => r.record_id === seen.id)
  const discarded = await request(api, 'POST', `/sync/rejections/${sightingRefusal.id}/discard`,
    judge)
  await syncUntil([a], async () => (await a.raw('lead', lead.id))._status === 'synced' &&
    !(await a.has('sighting', seen.id)), 'the fixed lead is taken, the discarded sighting goes')
  const after = await request(api, 'GET', '/sync/rejections?status=all', judge)
  return { ids: { lead: lead.id, sighting: seen.id, kept: kept.id }, refused_state: refusedState,
    listed_for_author: listedForAuthor, listed_for_court: listedForCourt, discarded, after,
    unsynced_after: await a.unsynced(), device: await a.dump() }
}

// The court changes a record while the phone is about to push its own edit of it: the push
// is refused (409), the app synchronizes again (pull first), and both changes survive.
async function courtRace() {
  const a = await phone('a')
  await a.sync()
  const lead = await a.create('lead', { kind: 'vehicle', description: '院里停着一辆新三轮' })
  await a.sync()
  await syncUntil([a], async () => (await a.raw('lead', lead.id)).version === 1, 'A holds v1')
  await a.edit('lead', lead.id, { description: '三轮车是蓝色的' })
  const judge = await signIn(input.judge)
  let raced = false
  a.beforePush = async () => {
    if (raced) return
    raced = true
    const version = (await a.raw('lead', lead.id)).version
    const answer = await request(api, 'POST', '/sync/push', judge, {
      device_id: `rest-${input.judge}-${process.pid}`, schema_version: LATEST,
      mutations: [{ mutation_id: `court-${lead.id}`, table: 'lead', op: 'update', id: lead.id,
        base_version: version, fields: { case_id: input.case_x } }],
    })
    if (answer.results[0].status !== 'applied') throw new Error(JSON.stringify(answer))
  }
  await a.sync()
  await syncUntil([a], async () => {
    const l = await a.raw('lead', lead.id)
    return l._status === 'synced' && l.case_id === input.case_x &&
      l.description === '三轮车是蓝色的' && l.version === 3 // made, the court's, the phone's
  }, 'A holds both changes')
  return { ids: { lead: lead.id }, refused_pushes: a.refusedPushes, device: await a.dump() }
}

// A hundred offline creates on each of two phones, all on the server once.
async function hundredEach() {
  const a = await phone('a')
  const b = await phone('b')
  await a.sync()
  await b.sync()
  const made = { a: [], b: [] }
  for (const [name, p] of [['a', a], ['b', b]]) {
    await p.database.write(async () => {
      const leads = p.database.get('lead')
      const batch = []
      for (let i = 0; i < 100; i += 1) {
        batch.push(leads.prepareCreate((r) => {
          r._setRaw('kind', 'other')
          r._setRaw('description', `${name} 线索 ${i}`)
        }))
      }
      await p.database.batch(batch)
      made[name] = batch.map((r) => r.id)
    })
  }
  await Promise.all([a.sync(), b.sync()])
  await a.sync() // the same pushes' records come back; nothing is sent twice
  await syncUntil([a, b], async () => {
    const counts = await Promise.all([a, b].map((p) => p.database.get('lead').query().fetchCount()))
    return counts.every((n) => n === 200) && !(await a.unsynced()) && !(await b.unsynced())
  }, 'both phones hold all 200 leads')
  const held = async (p) => Object.fromEntries(Object.entries((await p.dump()).lead)
    .map(([id, raw]) => [id, raw._status]))
  return { made, pushes: { a: a.pushes, b: b.pushes }, held: { a: await held(a), b: await held(b) } }
}

// The admin revokes a phone while it synchronizes: it is told to wipe, and does.
async function revoked() {
  const a = await phone('a')
  await a.sync()
  await a.create('lead', { kind: 'other', description: '丢失的手机上的线索' })
  const before = Object.fromEntries(Object.entries(await a.dump()).map(([t, r]) =>
    [t, Object.keys(r).length]))
  const admin = await signIn(input.admin)
  a.beforePush = async () => {
    await request(api, 'POST', `/devices/${a.deviceId}/revoke`, admin, { reason: '手机丢失' })
  }
  let refused = null
  try {
    await a.sync()
  } catch (error) {
    if (!(error instanceof ServerError)) throw error
    refused = { status: error.status, body: error.body }
  }
  const after = Object.fromEntries(Object.entries(await a.dump()).map(([t, r]) =>
    [t, Object.keys(r).length]))
  return { before, after, refused, wiped: a.wiped }
}

// An app still on schema 2 keeps getting what it got; updated to 3 (a migration of its
// stored database), its times become numbers and its unsent record still goes through.
async function schemaUpgrade() {
  const old = await phone('old', input.assistant, 2)
  await old.sync()
  const lead = await old.create('lead', { kind: 'vehicle', description: '旧版本上报',
    observed_at: new Date(Date.now() - 7200 * 1000).toISOString() })
  await old.sync()
  await syncUntil([old], async () => (await old.raw('lead', lead.id))._status === 'synced' &&
    (await old.raw('lead', lead.id)).version === 1, 'the old app holds its lead')
  const onTwo = await old.raw('lead', lead.id)
  const draft = await old.create('lead', { kind: 'other', description: '更新前没发出去的' })
  await old.upgrade(3)
  const upgradedAt = old.pulls.length
  await old.sync()
  await syncUntil([old], async () => !(await old.unsynced()), 'the draft is sent')
  return { ids: { lead: lead.id, draft: draft.id }, on_two: onTwo,
    migration_pull: old.pulls[upgradedAt], device: await old.dump() }
}

// An assistant photographs a seal (a 5 MB photo) where the signal is weak: the connection
// drops twice while it goes up (a proxy cuts it mid-chunk), and tus-js-client goes on each
// time from what the server kept. The photo is listed in a lead, which syncs. The same
// assistant's second phone attaching the same photo sends nothing: the court holds it.
async function photoOverBadSignal() {
  const photo = fs.readFileSync(input.photo)
  const MiB = 1024 * 1024
  const proxy = await cuttingProxy(input.base_url, [2.5 * MiB, 4.2 * MiB])
  const a = await phone('a')
  await a.sync()
  const sent = await a.attach(photo, { contentType: 'image/jpeg', fileName: '封条.jpg',
    api: `${proxy.url}/api/v1` })
  await proxy.close()
  const lead = await a.create('lead', { kind: 'vehicle', description: '查封的三轮车',
    attachments: JSON.stringify([{ sha256: sent.sha256, caption: '封条' }]) })
  await syncUntil([a], async () => !(await a.unsynced()), 'the lead is sent')
  const b = await phone('b')
  const again = await b.attach(photo, { contentType: 'image/jpeg', fileName: 'IMG_0001.jpg' })
  return { sent, cuts: proxy.cuts, lead: lead.id, again }
}

// An officer's app installed on schema 3 updates to 4: its stored database gains the
// round_stop table and the grids' outline columns, the migration sync brings both whole,
// and a visit recorded at a stop afterwards goes through and moves the stop on.
async function officerUpgrade() {
  const old = await phone('officer', input.officer, 3)
  await old.sync()
  const onThree = old.tables
  await old.upgrade(4)
  const upgradedAt = old.pulls.length
  await old.sync()
  const migrated = await old.dump()
  const visit = await old.create('visit', { round_id: input.round_id, target_id: input.stop_id,
    visited_at: Date.now() - 60_000, result: 'debtor_absent', amount_collected: '0.00',
    notes: '升级后走访', ...point(108.305, 35.405, 'wgs84') })
  await syncUntil([old], async () => !(await old.unsynced()) &&
    (await old.raw('round_stop', input.stop_id)).status === 'revisit', 'the stop moves on')
  return { on_three: onThree, migration_pull: { migration: old.pulls[upgradedAt].migration,
    counts: old.pulls[upgradedAt].counts }, migrated, visit: visit.id,
    stop: await old.raw('round_stop', input.stop_id) }
}

const SCENARIOS = { offlineCreates, mergeFields, refusedCreate, courtRace, hundredEach, revoked,
  schemaUpgrade, photoOverBadSignal, officerUpgrade }

SCENARIOS[input.scenario]().then((result) => {
  process.stdout.write(`${JSON.stringify({ ...result, diagnostics, notes })}\n`)
  process.exit(0)
}, (error) => {
  process.stderr.write(`${error.stack || error}\n${diagnostics.join('\n')}\n`)
  process.exit(1)
})
