// Two phones of one grid assistant, each a real WatermelonDB database (LokiJS adapter, in
// Node), syncing with a running Gridwork server through `synchronize()`.
//
// Input (env GRIDWORK_WM): {"base_url", "username", "password", "case_x", "case_y"}.
// Output (stdout, one JSON line): each device's leads and sightings after the scenario,
// and the ids it made, for the pytest test (tests/watermelon/test_two_devices.py) to check
// against the server.
'use strict'

const { Database, Model, appSchema, tableSchema } = require('@nozbe/watermelondb')
const LokiJSAdapter = require('@nozbe/watermelondb/adapters/lokijs').default
const { synchronize, hasUnsyncedChanges } = require('@nozbe/watermelondb/sync')

const input = JSON.parse(process.env.GRIDWORK_WM)
const api = `${input.base_url}/api/v1`

const point = [
  { name: 'lon', type: 'number', isOptional: true },
  { name: 'lat', type: 'number', isOptional: true },
  { name: 'datum', type: 'string', isOptional: true },
  { name: 'accuracy_m', type: 'number', isOptional: true },
]
const optional = (name, type = 'string') => ({ name, type, isOptional: true })

const schema = appSchema({
  version: 1,
  tables: [
    tableSchema({
      name: 'lead',
      columns: [
        { name: 'kind', type: 'string' },
        { name: 'description', type: 'string' },
        optional('debtor_text'), optional('urgency'), optional('case_id'),
        optional('status'), optional('village_grid_id'), optional('version', 'number'),
        ...point,
      ],
    }),
    tableSchema({
      name: 'sighting',
      columns: [
        { name: 'seen_at', type: 'string' },
        { name: 'confidence', type: 'number' },
        { name: 'urgent', type: 'boolean' },
        { name: 'notes', type: 'string' },
        optional('debtor_text'), optional('case_id'), optional('village_grid_id'),
        optional('version', 'number'), ...point,
      ],
    }),
    tableSchema({
      name: 'village_grid',
      columns: [{ name: 'code', type: 'string' }, { name: 'name', type: 'string' },
        optional('centroid_lon', 'number'), optional('centroid_lat', 'number'),
        optional('bbox')],
    }),
    tableSchema({
      name: 'wanted',
      columns: [{ name: 'name', type: 'string' }, optional('phone'), optional('case_numbers')],
    }),
  ],
})

class Lead extends Model { static table = 'lead' }
class Sighting extends Model { static table = 'sighting' }
class VillageGrid extends Model { static table = 'village_grid' }
class Wanted extends Model { static table = 'wanted' }

async function request(method, path, token, body) {
  const response = await fetch(`${api}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json',
      ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  if (!response.ok) {
    const error = new Error(`${method} ${path}: ${response.status} ${text}`)
    error.status = response.status
    throw error
  }
  return JSON.parse(text)
}

async function device(name) {
  const login = await request('POST', '/auth/login', null, {
    username: input.username, password: input.password, device_id: `wm-${name}-${Date.now()}`,
  })
  const adapter = new LokiJSAdapter({
    schema, useWebWorker: false, useIncrementalIndexedDB: false, dbName: `wm-${name}`,
  })
  const database = new Database({ adapter, modelClasses: [Lead, Sighting, VillageGrid, Wanted] })
  return { name, token: login.access_token, database, pulls: 0, pushes: 0, refused: 0 }
}

async function sync(phone) {
  // A push refused with 409 sync_pull_first (a record changed on the server since the
  // pull) fails synchronize(); the next synchronize() pulls first, as the contract says.
  for (let attempt = 1; ; attempt += 1) {
    try {
      await synchronize({
        database: phone.database,
        pullChanges: async ({ lastPulledAt, schemaVersion, migration }) => {
          phone.pulls += 1
          const query = `last_pulled_at=${lastPulledAt ?? 'null'}&schema_version=${schemaVersion}` +
            `&migration=${encodeURIComponent(JSON.stringify(migration))}`
          const { changes, timestamp } = await request('GET', `/sync/watermelon?${query}`,
            phone.token)
          return { changes, timestamp }
        },
        pushChanges: async ({ changes, lastPulledAt }) => {
          phone.pushes += 1
          await request('POST', `/sync/watermelon?last_pulled_at=${lastPulledAt}&schema_version=1`,
            phone.token, { changes })
        },
      })
      return
    } catch (error) {
      if (error.status !== 409 || attempt >= 40) throw error
      phone.refused += 1
      await sleep(250)
    }
  }
}

const find = (phone, table, id) => phone.database.get(table).find(id)
const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms) })

// The server hands out a change once every transaction older than it has ended, so on a
// busy server a change may come a pull or two later: sync until `ready()` (or give up).
async function syncUntil(phones, ready, what) {
  for (let round = 0; round < 120; round += 1) {
    for (const phone of phones) await sync(phone)
    if (await ready()) return
    await sleep(250)
  }
  throw new Error(`never reached: ${what}`)
}

async function has(phone, table, id) {
  try { await find(phone, table, id); return true } catch { return false }
}

async function edit(phone, table, id, columns) {
  const record = await find(phone, table, id)
  await phone.database.write(() => record.update((r) => {
    for (const [column, value] of Object.entries(columns)) r._setRaw(column, value)
  }))
}

async function create(phone, table, columns) {
  return phone.database.write(() => phone.database.get(table).create((r) => {
    for (const [column, value] of Object.entries(columns)) r._setRaw(column, value)
  }))
}

async function dump(phone) {
  const out = {}
  for (const table of ['lead', 'sighting', 'village_grid', 'wanted']) {
    const rows = await phone.database.get(table).query().fetch()
    out[table] = Object.fromEntries(rows.map((r) => {
      const { _status, _changed, ...raw } = r._raw
      return [r.id, { ...raw, _status }]
    }))
  }
  return out
}

async function main() {
  const a = await device('a')
  const b = await device('b')
  await sync(a)
  await sync(b)

  // Offline on both phones: A reports a lead and a sighting, B another lead.
  const lead1 = await create(a, 'lead', { kind: 'vehicle', description: '院里停着一辆新三轮',
    urgency: 'normal', lon: 108.305, lat: 35.405, datum: 'gcj02', accuracy_m: 12 })
  const sighting1 = await create(a, 'sighting', { seen_at: '2026-11-20T08:00:00Z',
    confidence: 3, urgent: false, notes: '在村口小卖部', lon: 108.306, lat: 35.406, datum: 'wgs84' })
  const lead2 = await create(b, 'lead', { kind: 'real_estate', description: '新盖了两层楼',
    urgency: 'high', lon: 108.304, lat: 35.404, datum: 'wgs84' })
  await sync(a)
  await syncUntil([b], async () => await has(b, 'lead', lead1.id) &&
    await has(b, 'sighting', sighting1.id), 'B has what A reported')
  await syncUntil([a], () => has(a, 'lead', lead2.id), 'A has what B reported')

  // Offline again: both edit lead1 (different fields, and the same shared field case_id)
  // and sighting1 (different fields); B withdraws lead2.
  await edit(a, 'lead', lead1.id, { description: '三轮车是蓝色的', case_id: input.case_x })
  await edit(b, 'lead', lead1.id, { debtor_text: '张三明', case_id: input.case_y })
  await edit(a, 'sighting', sighting1.id, { confidence: 5 })
  await edit(b, 'sighting', sighting1.id, { notes: '在村口小卖部，骑蓝色三轮' })
  const gone = await find(b, 'lead', lead2.id)
  await b.database.write(() => gone.markAsDeleted())

  await sync(a)
  await sync(b)
  for (let round = 0; round < 2; round += 1) {
    await sync(a)
    await sync(b)
  }
  const settled = async (phone) => {
    const lead = await find(phone, 'lead', lead1.id)
    const seen = await find(phone, 'sighting', sighting1.id)
    return lead._raw.description === '三轮车是蓝色的' && lead._raw.debtor_text === '张三明' &&
      lead._raw.case_id === input.case_x && seen._raw.confidence === 5 &&
      seen._raw.notes === '在村口小卖部，骑蓝色三轮' && !(await has(phone, 'lead', lead2.id))
  }
  await syncUntil([a, b], async () => await settled(a) && await settled(b) &&
    (await find(a, 'lead', lead1.id))._raw.version === (await find(b, 'lead', lead1.id))._raw.version,
  'both phones hold the merged records')

  const result = {
    ids: { lead1: lead1.id, lead2: lead2.id, sighting1: sighting1.id },
    devices: { a: await dump(a), b: await dump(b) },
    counts: Object.fromEntries([a, b].map((p) => [p.name,
      { pulls: p.pulls, pushes: p.pushes, refused: p.refused }])),
    unsynced: { a: await hasUnsyncedChanges({ database: a.database }),
      b: await hasUnsyncedChanges({ database: b.database }) },
  }
  process.stdout.write(`${JSON.stringify(result)}\n`)
}

main().then(() => process.exit(0), (error) => {
  process.stderr.write(`${error.stack || error}\n`)
  process.exit(1)
})
