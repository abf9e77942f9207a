"""A device's local store: one SQLite file holding synced records, the outbox of
mutations made offline, the cursor, tokens, and conflicts the server reported.

SQLite, because that is what phones have; stdlib only. Every method that changes several
things does it in one SQLite transaction, so a phone that dies half-way through applying a
page keeps either the page and its cursor or neither (and pulls it again).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS record (
    tbl TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (tbl, id));
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, mutation_id TEXT NOT NULL UNIQUE,
    tbl TEXT NOT NULL, op TEXT NOT NULL, id TEXT NOT NULL, base_version INTEGER,
    base TEXT, fields TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS result (
    mutation_id TEXT PRIMARY KEY, tbl TEXT NOT NULL, id TEXT NOT NULL, status TEXT NOT NULL,
    code TEXT, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS conflict (
    id TEXT PRIMARY KEY, mutation_id TEXT NOT NULL, tbl TEXT NOT NULL, record_id TEXT NOT NULL,
    field TEXT, server_value TEXT, client_value TEXT);
"""


@dataclass(frozen=True, slots=True)
class Pending:
    """A mutation waiting in the outbox, as the push protocol sends it."""

    mutation_id: str
    table: str
    op: str
    id: str
    base_version: int | None
    base: dict[str, Any] | None
    fields: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"mutation_id": self.mutation_id, "table": self.table, "op": self.op,
                "id": self.id, "base_version": self.base_version, "base": self.base,
                "fields": self.fields}


class LocalStore:
    """The device's SQLite file (``":memory:"`` for a throw-away device)."""

    def __init__(self, path: str | Path) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self.db.executescript(SCHEMA)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- meta -------------------------------------------------------------------------
    def get(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def put(self, key: str, value: str | None) -> None:
        if value is None:
            self.db.execute("DELETE FROM meta WHERE key = ?", (key,))
        else:
            self.db.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE "
                            "SET value = excluded.value", (key, value))

    # -- records ----------------------------------------------------------------------
    def record(self, table: str, record_id: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT version, data FROM record WHERE tbl = ? AND id = ?",
                              (table, record_id)).fetchone()
        return None if row is None else {"id": record_id, "version": row[0],
                                         **json.loads(row[1])}

    def records(self, table: str | None = None) -> dict[str, dict[str, dict[str, Any]]]:
        """Every record, by table then id."""
        out: dict[str, dict[str, dict[str, Any]]] = {}
        query = "SELECT tbl, id, version, data FROM record"
        rows = (self.db.execute(query + " WHERE tbl = ?", (table,)) if table
                else self.db.execute(query))
        for tbl, record_id, version, data in rows:
            out.setdefault(tbl, {})[record_id] = {"id": record_id, "version": version,
                                                  **json.loads(data)}
        return out

    def save(self, table: str, row: dict[str, Any]) -> None:
        data = {k: v for k, v in row.items() if k not in ("id", "version")}
        self.db.execute(
            "INSERT INTO record VALUES (?, ?, ?, ?) ON CONFLICT (tbl, id) DO UPDATE SET "
            "version = excluded.version, data = excluded.data",
            (table, row["id"], int(row.get("version") or 0), json.dumps(data)))

    def forget(self, table: str, ids: Iterable[str]) -> None:
        self.db.executemany("DELETE FROM record WHERE tbl = ? AND id = ?",
                            [(table, i) for i in ids])

    # -- outbox -----------------------------------------------------------------------
    def enqueue(self, table: str, op: str, record_id: str, fields: dict[str, Any],
                base_version: int | None = None, base: dict[str, Any] | None = None) -> str:
        """Queue a mutation; its id is fixed now, so every retry of it is recognised."""
        mutation_id = uuid.uuid4().hex
        self.db.execute(
            "INSERT INTO outbox (mutation_id, tbl, op, id, base_version, base, fields) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (mutation_id, table, op, record_id, base_version,
             None if base is None else json.dumps(base), json.dumps(fields)))
        return mutation_id

    def outbox(self, limit: int | None = None) -> list[Pending]:
        rows = self.db.execute(
            "SELECT mutation_id, tbl, op, id, base_version, base, fields FROM outbox "
            "ORDER BY seq LIMIT ?", (limit if limit is not None else -1,))
        return [Pending(m, t, op, i, bv, None if b is None else json.loads(b), json.loads(f))
                for m, t, op, i, bv, b, f in rows]

    def pending_fields(self, table: str, record_id: str) -> dict[str, Any] | None:
        """Local edits not yet pushed, merged oldest first (None: a delete is pending)."""
        fields: dict[str, Any] = {}
        for m in self.outbox():
            if m.table == table and m.id == record_id:
                if m.op == "delete":
                    return None
                fields.update(m.fields)
        return fields

    def settle(self, results: list[dict[str, Any]]) -> None:
        """Take answered mutations off the outbox; keep their results and conflicts."""
        for result in results:
            self.db.execute("DELETE FROM outbox WHERE mutation_id = ?", (result["mutation_id"],))
            self.db.execute(
                "INSERT OR REPLACE INTO result VALUES (?, ?, ?, ?, ?, ?)",
                (result["mutation_id"], result["table"], result["id"], result["status"],
                 result.get("code"), json.dumps(result)))
            for note in result.get("conflicts") or ():
                self.db.execute(
                    "INSERT OR REPLACE INTO conflict VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (note["conflict_id"], result["mutation_id"], result["table"], result["id"],
                     note.get("field"), json.dumps(note.get("server_value")),
                     json.dumps(note.get("client_value"))))

    def refused(self) -> list[dict[str, Any]]:
        """Records the server refused that are still here, never taken (version 0): the
        latest refusal of each, for the person to fix and resend, or let go."""
        rows = self.db.execute(
            "SELECT r.body FROM result r JOIN record c ON c.tbl = r.tbl AND c.id = r.id "
            "WHERE r.status = 'rejected' AND c.version = 0 AND NOT EXISTS (SELECT 1 FROM "
            "outbox o WHERE o.tbl = r.tbl AND o.id = r.id) ORDER BY r.rowid")
        latest = {(body["table"], body["id"]): body
                  for body in (json.loads(row) for (row,) in rows)}
        return list(latest.values())

    def results(self) -> dict[str, dict[str, Any]]:
        return {m: json.loads(body) for m, body in
                self.db.execute("SELECT mutation_id, body FROM result")}

    def conflicts(self) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT id, mutation_id, tbl, record_id, field, server_value, "
                               "client_value FROM conflict ORDER BY rowid")
        return [{"id": c, "mutation_id": m, "table": t, "record_id": r, "field": f,
                 "server_value": json.loads(s), "client_value": json.loads(v)}
                for c, m, t, r, f, s, v in rows]

    # -- wiping -----------------------------------------------------------------------
    def drop_synced(self) -> None:
        """Forget synced records and the cursor (to bootstrap again); keep the outbox and
        the records the server never took (made here, unsent or refused)."""
        self.db.execute("DELETE FROM record WHERE version > 0")
        self.put("cursor", None)

    def wipe(self) -> None:
        """Everything goes: what a revoked (lost) phone must do."""
        for table in ("record", "outbox", "result", "conflict", "meta"):
            self.db.execute(f"DELETE FROM {table}")

    def close(self) -> None:
        self.db.close()
