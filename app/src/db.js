// WatermelonDB on the phone, as tests/watermelon/app.js (the tested model) and docs/sync.md
// declare it: the schema and migrations from GET /sync/watermelon/schema (kept on the phone
// so the app opens offline), every synced table a plain Model, the LokiJS adapter on
// IndexedDB, and synchronize() with pullChanges / pushChanges returning the refused ids.
import { Database, Model, appSchema, tableSchema } from '@nozbe/watermelondb';
import { addColumns, createTable, schemaMigrations } from '@nozbe/watermelondb/Schema/migrations';
import LokiJSAdapterModule from '@nozbe/watermelondb/adapters/lokijs';
import { synchronize } from '@nozbe/watermelondb/sync';
import { ApiError, BASE, call } from './api.js';
import { chunkHooks, destroyVault, sealedStorage } from './vault.js';

// A CommonJS module in a "type": "module" package: esbuild hands over module.exports, as Node
// would, so the class is its `default`.
const LokiJSAdapter = LokiJSAdapterModule.default || LokiJSAdapterModule;
const SCHEMA = 'gridwork.app.schema';
export const SCHEMA_VERSION = 5;

// The served schema: fetched when online and kept, the kept copy when offline.
async function servedSchema() {
  try {
    const served = await call(`/sync/watermelon/schema?schema_version=${SCHEMA_VERSION}`);
    sealedStorage.setItem(SCHEMA, JSON.stringify(served));
    return served;
  } catch (error) {
    const kept = sealedStorage.getItem(SCHEMA);
    if (kept) return JSON.parse(kept);
    throw error;
  }
}

export async function openDatabase() {
  const served = await servedSchema();
  const schema = appSchema({ version: served.version, tables: served.tables.map(tableSchema) });
  const migrations = schemaMigrations({
    migrations: served.migrations.map(({ toVersion, steps }) => ({
      toVersion,
      steps: steps.map((step) => (step.type === 'create_table' ? createTable(step) : addColumns(step))),
    })),
  });
  const modelClasses = served.tables.map(({ name }) => class extends Model {
    static table = name;
  });
  // Saved to IndexedDB 200 ms after each write (WatermelonDB's default is 500 ms), so a
  // page closed just after "saved" keeps the record; every chunk sealed by the vault.
  const adapter = new LokiJSAdapter({
    schema, migrations, dbName: 'gridwork', useWebWorker: false, useIncrementalIndexedDB: true,
    extraLokiOptions: { autosaveInterval: 200 }, extraIncrementalIDBOptions: chunkHooks,
  });
  return new Database({ adapter, modelClasses });
}

async function problem(response) {
  const body = await response.json().catch(() => ({}));
  return new ApiError(response.status, body);
}

// One synchronize() exactly as docs/sync.md shows it; the bearer token comes from call()'s
// session (refreshed there), so the raw fetches go through authorizedFetch.
async function syncOnce(database, authorizedFetch) {
  await synchronize({
    database,
    migrationsEnabledAtVersion: 1,
    pullChanges: async ({ lastPulledAt, schemaVersion, migration }) => {
      const query = `last_pulled_at=${lastPulledAt ?? 'null'}&schema_version=${schemaVersion}`
        + `&migration=${encodeURIComponent(JSON.stringify(migration))}`;
      const response = await authorizedFetch(`${BASE}/sync/watermelon?${query}`, {});
      if (!response.ok) throw await problem(response);
      const { changes, timestamp } = await response.json();
      return { changes, timestamp };
    },
    pushChanges: async ({ changes, lastPulledAt }) => {
      const response = await authorizedFetch(
        `${BASE}/sync/watermelon?last_pulled_at=${lastPulledAt}`
        + `&schema_version=${database.schema.version}`,
        { method: 'POST', body: JSON.stringify({ changes }) });
      if (!response.ok) throw await problem(response);
      const { experimentalRejectedIds } = await response.json();
      return { experimentalRejectedIds };
    },
  });
}

// synchronize() until it goes through: a 409 sync_pull_first (the court changed a record
// meanwhile) is answered by another synchronize(), which pulls first. A revoked device
// (403 with wipe) deletes everything on the phone; the caller signs out.
export async function sync(database, authorizedFetch) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await syncOnce(database, authorizedFetch);
      return { wiped: false };
    } catch (error) {
      if (error.status === 403 && error.body && error.body.wipe) {
        // The key goes first: from then on nothing on the phone can be read; the sealed
        // database itself is deleted when the page starts again without a vault.
        lokiOf(database).autosaveDisable();
        destroyVault();
        return { wiped: true };
      }
      if (error.status !== 409 || attempt >= 5) throw error;
      // A little later each time: while a long transaction elsewhere on the server holds
      // the pull horizon back, the records refused are not in the next pull yet.
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
}

// LokiJS inside WatermelonDB's LokiJSAdapter (synchronous mode, useWebWorker: false).
const lokiOf = (database) => database.adapter.underlyingAdapter._driver.loki;

// Before the app locks (or is wiped): every write reaches IndexedDB, sealed, and LokiJS saves
// no more, since the key is about to go.
export async function closeDatabase(database) {
  const loki = lokiOf(database);
  await new Promise((resolve, reject) => {
    loki.saveDatabase((error) => (error ? reject(error) : resolve()));
  });
  loki.autosaveDisable();
}

// Without a vault nothing in the database can be read (a wiped phone): it is deleted before a
// new sign-in creates a new key. (A build before the vault left it in clear: premigrate.js
// sets its unsent records aside first.)
export function forgetUnreadableDatabase() {
  return new Promise((resolve) => {
    const request = indexedDB.deleteDatabase('gridwork');
    request.onsuccess = () => resolve();
    request.onerror = () => resolve();
    request.onblocked = () => resolve();
  });
}
