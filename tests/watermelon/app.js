// A WatermelonDB phone app written as WatermelonDB's documentation and docs/sync.md tell an
// app developer to write one: the schema and migrations from the server's schema endpoint
// (every synced table declared), the LokiJS adapter on IndexedDB, default 16-character ids,
// optional columns left unset, and synchronize() with pullChanges / pushChanges exactly as
// docs/sync.md shows them. Node has no IndexedDB, so fake-indexeddb stands in for the
// browser's; everything else is what runs on a phone.
//
// What WatermelonDB prints is collected: its warnings and errors (every diagnostic it has,
// from "serious bug" to deprecations) in `diagnostics`, on which the scenarios fail; its
// informational lines ("[Loki] Database loaded", a migration sync starting) in `notes`.
'use strict'

require('fake-indexeddb/auto')
const { Database, Model, appSchema, tableSchema } = require('@nozbe/watermelondb')
const {
  schemaMigrations, addColumns, createTable,
} = require('@nozbe/watermelondb/Schema/migrations')
const LokiJSAdapter = require('@nozbe/watermelondb/adapters/lokijs').default
const { synchronize, hasUnsyncedChanges } = require('@nozbe/watermelondb/sync')
const tus = require('tus-js-client')

const diagnostics = []
const notes = []
for (const level of ['log', 'info', 'debug', 'warn', 'error']) {
  const into = level === 'warn' || level === 'error' ? diagnostics : notes
  console[level] = (...args) => {
    into.push(`${level}: ${args.map((a) => (a instanceof Error ? a.stack : String(a)))
      .join(' ')}`)
  }
}

class ServerError extends Error {
  constructor(method, path, status, body) {
    super(`${method} ${path}: ${status} ${JSON.stringify(body)}`)
    this.status = status
    this.body = body
  }
}

async function request(api, method, path, token, body) {
  const response = await fetch(`${api}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', 'Accept-Language': 'en',
      ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  const parsed = text ? JSON.parse(text) : null
  if (!response.ok) throw new ServerError(method, path, response.status, parsed)
  return parsed
}

// The app's database, declared from GET /sync/watermelon/schema (docs/sync.md, "Your app's
// schema"). Opening the same dbName with a newer version migrates what is stored.
async function openDatabase(api, schemaVersion, dbName) {
  const served = await request(api, 'GET', `/sync/watermelon/schema?schema_version=${schemaVersion}`)
  const schema = appSchema({ version: served.version, tables: served.tables.map(tableSchema) })
  const migrations = schemaMigrations({
    migrations: served.migrations.map(({ toVersion, steps }) => ({
      toVersion,
      steps: steps.map((step) => (step.type === 'create_table' ? createTable(step) : addColumns(step))),
    })),
  })
  const modelClasses = served.tables.map(({ name }) => class extends Model {
    static table = name
  })
  const adapter = new LokiJSAdapter({
    schema, migrations, dbName, useWebWorker: false, useIncrementalIndexedDB: true,
  })
  return { database: new Database({ adapter, modelClasses }), tables: served.tables }
}

// One phone: a user signed in on a device, with its local database.
class Phone {
  constructor(api, name) {
    this.api = api
    this.name = name
    this.pulls = []
    this.answers = []
    this.pushes = 0
    this.refusedPushes = 0
    this.wiped = false
    this.beforePush = null
  }

  async signIn(username, password, schemaVersion) {
    this.deviceId = `wm-${this.name}-${process.pid}-${Date.now()}`
    const login = await request(this.api, 'POST', '/auth/login', null, {
      username, password, device_id: this.deviceId,
      device_name: `WatermelonDB ${this.name}`, platform: 'web',
    })
    this.token = login.access_token
    await this.open(schemaVersion)
    return login
  }

  async open(schemaVersion) {
    const { database, tables } = await openDatabase(this.api, schemaVersion, `wm-${this.name}`)
    this.database = database
    this.tables = tables.map((t) => t.name)
    this.schemaVersion = schemaVersion
  }

  // An app update: the app closes, the new version opens the same stored database under
  // its newer schema (migrations run). WatermelonDB's LokiJS adapter saves to IndexedDB
  // every 500 ms, so the old version is given a second to save first, as a phone's would.
  async upgrade(schemaVersion) {
    await sleep(1200)
    await this.open(schemaVersion)
  }

  get headers() {
    return { 'Content-Type': 'application/json', 'Accept-Language': 'en',
      Authorization: `Bearer ${this.token}` }
  }

  // synchronize() as docs/sync.md shows it. A revoked device is told to wipe: the app
  // resets its database, as the docs say.
  async syncOnce() {
    const { api, database } = this
    const phone = this
    try {
      await synchronize({
        database,
        migrationsEnabledAtVersion: 1,
        pullChanges: async ({ lastPulledAt, schemaVersion, migration }) => {
          const query = `last_pulled_at=${lastPulledAt ?? 'null'}&schema_version=${schemaVersion}` +
            `&migration=${encodeURIComponent(JSON.stringify(migration))}`
          const response = await fetch(`${api}/sync/watermelon?${query}`, { headers: phone.headers })
          if (!response.ok) throw await failure(response)
          const { changes, timestamp } = await response.json()
          phone.pulls.push({ lastPulledAt, migration, counts: countChanges(changes), changes })
          return { changes, timestamp }
        },
        pushChanges: async ({ changes, lastPulledAt }) => {
          if (phone.beforePush) await phone.beforePush(changes)
          phone.pushes += 1
          const response = await fetch(
            `${api}/sync/watermelon?last_pulled_at=${lastPulledAt}` +
            `&schema_version=${database.schema.version}`,
            { method: 'POST', headers: phone.headers, body: JSON.stringify({ changes }) })
          if (!response.ok) throw await failure(response)
          const answer = await response.json()
          phone.answers.push({ lastPulledAt, changes, answer })
          const { experimentalRejectedIds } = answer
          return { experimentalRejectedIds }
        },
      })
    } catch (error) {
      if (error.status === 403 && error.body && error.body.wipe) {
        await database.write(() => database.unsafeResetDatabase())
        this.wiped = true
      }
      throw error
    }
  }

  // As an app does: a push refused because the court changed a record meanwhile (409
  // sync_pull_first) is followed by another synchronize(), which pulls first.
  async sync() {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.syncOnce()
        return
      } catch (error) {
        if (error.status !== 409 || attempt >= 20) throw error
        this.refusedPushes += 1
        // A little later each time: while a long transaction elsewhere on the server holds
        // the pull horizon back, the records refused are not in the next pull yet.
        await new Promise((resolve) => setTimeout(resolve, Math.min(50 * attempt, 1000)))
      }
    }
  }

  // A photo or recording goes up with tus-js-client, as docs/attachments.md shows: its
  // SHA-256 names it, so the app first asks (HEAD) how much of it the court already holds
  // (all of it: nothing is sent; part: it goes on from there; none: it is created with its
  // first chunk). A dropped connection is retried from the server's offset. Resolves with
  // the SHA-256 to list in a record, and what went over the wire.
  async attach(bytes, { contentType, fileName, api = this.api, chunkSize = 1024 * 1024 }) {
    const sha256 = Buffer.from(await globalThis.crypto.subtle.digest('SHA-256', bytes))
      .toString('hex')
    const requests = []
    const retried = []
    await new Promise((resolve, reject) => {
      const upload = new tus.Upload(Buffer.from(bytes), {
        endpoint: `${api}/attachments`,
        uploadUrl: `${api}/attachments/${sha256}`,
        uploadDataDuringCreation: true,
        chunkSize,
        retryDelays: [0, 300, 1000, 3000],
        metadata: { sha256, filetype: contentType, filename: fileName },
        headers: { Authorization: `Bearer ${this.token}`, 'Accept-Language': 'en' },
        onBeforeRequest: (req) => {
          const offset = req.getHeader('Upload-Offset')
          requests.push({ method: req.getMethod(), offset: offset == null ? null : Number(offset) })
        },
        onAfterResponse: (req, res) => {
          requests[requests.length - 1].status = res.getStatus()
          requests[requests.length - 1].reached = Number(res.getHeader('Upload-Offset'))
        },
        onShouldRetry: (error, attempt, options) => {
          retried.push(String(error.message).split('\n')[0])
          return tus.defaultOptions.onShouldRetry(error, attempt, options)
        },
        onSuccess: resolve,
        onError: reject,
      })
      upload.start()
    })
    return { sha256, requests, retried }
  }

  async create(table, columns) {
    return this.database.write(() => this.database.get(table).create((record) => {
      for (const [column, value] of Object.entries(columns)) record._setRaw(column, value)
    }))
  }

  async edit(table, id, columns) {
    const record = await this.database.get(table).find(id)
    await this.database.write(() => record.update((r) => {
      for (const [column, value] of Object.entries(columns)) r._setRaw(column, value)
    }))
  }

  async remove(table, id) {
    const record = await this.database.get(table).find(id)
    await this.database.write(() => record.markAsDeleted())
  }

  async has(table, id) {
    try {
      await this.database.get(table).find(id)
      return true
    } catch {
      return false
    }
  }

  async raw(table, id) {
    return (await this.database.get(table).find(id))._raw
  }

  async unsynced() {
    return hasUnsyncedChanges({ database: this.database })
  }

  // Every table's records as stored, with their sync status.
  async dump() {
    const out = {}
    for (const table of this.tables) {
      const rows = await this.database.get(table).query().fetch()
      out[table] = Object.fromEntries(rows.map((r) => {
        const { _changed, ...raw } = r._raw
        return [r.id, raw]
      }))
    }
    return out
  }
}

async function failure(response) {
  const body = await response.json().catch(() => null)
  return new ServerError('sync', response.url, response.status, body)
}

function countChanges(changes) {
  const counts = { created: 0, updated: 0, deleted: 0 }
  for (const table of Object.values(changes)) {
    for (const kind of Object.keys(counts)) counts[kind] += (table[kind] || []).length
  }
  return counts
}

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms) })

// The server hands out a change once every transaction older than it has ended, so on a
// busy server a change may come a pull later: sync until `ready()` holds (or give up).
async function syncUntil(phones, ready, what) {
  for (let round = 0; round < 80; round += 1) {
    for (const phone of phones) await phone.sync()
    if (await ready()) return
    await sleep(200)
  }
  throw new Error(`never reached: ${what}`)
}

module.exports = { Phone, ServerError, diagnostics, notes, request, sleep, syncUntil }
