"""Backups a court can restore from: one tar file with the database and the attachments.

The archive holds ``database.dump`` (``pg_dump --format=custom``), the attachment files,
and ``manifest.json`` with the schema revision, the row count of every table and the
dump's SHA-256. Restoring checks the hash, restores, compares the counts, and verifies
every court's audit chain, so a backup that does not come back whole says so.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import sqlalchemy as sa

from enforcement.errors import Conflict, ValidationFailed
from enforcement.infrastructure import audit
from enforcement.infrastructure.db import Database
from enforcement.models import utcnow

FORMAT_VERSION = 1
SKIP_TABLES = {"spatial_ref_sys"}


@dataclass
class Manifest:
    created_at: str
    alembic_revision: str | None
    tables: dict[str, int]
    dump_sha256: str
    attachments: int
    format_version: int = FORMAT_VERSION


@dataclass
class RestoreReport:
    manifest: Manifest
    mismatched_tables: dict[str, tuple[int, int]] = field(default_factory=dict)
    broken_chains: list[audit.ChainReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatched_tables and not self.broken_chains


def libpq_url(url: str) -> str:
    """pg_dump and pg_restore want libpq URLs, without SQLAlchemy's driver suffix."""
    scheme, sep, rest = url.partition("://")
    return f"{scheme.split('+')[0]}{sep}{rest}"


def _tool(name: str) -> str:
    bindir = os.environ.get("GRIDWORK_PG_BINDIR")
    found = str(Path(bindir) / name) if bindir else shutil.which(name)
    if not found:
        raise FileNotFoundError(f"{name} not found; install postgresql-client")
    return found


def table_counts(db: Database) -> dict[str, int]:
    with db.engine.connect() as conn:
        names = conn.execute(sa.text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )).scalars().all()
        return {name: conn.execute(sa.text(f'SELECT count(*) FROM "{name}"')).scalar_one()
                for name in names if name not in SKIP_TABLES}


def create_backup(db: Database, archive: Path, attachments_dir: Path | None) -> Manifest:
    with tempfile.TemporaryDirectory(prefix="gridwork-backup-") as work:
        dump = Path(work) / "database.dump"
        subprocess.run([_tool("pg_dump"), "--format=custom", "--no-owner",
                        f"--file={dump}", libpq_url(db.url)], check=True,
                       capture_output=True, text=True)
        with db.engine.connect() as conn:
            revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        files = _attachment_files(attachments_dir)
        manifest = Manifest(utcnow().isoformat(), revision, table_counts(db), _sha256(dump),
                            len(files))
        (Path(work) / "manifest.json").write_text(json.dumps(asdict(manifest), indent=2))
        with tarfile.open(archive, "w") as tar:
            tar.add(Path(work) / "manifest.json", "manifest.json")
            tar.add(dump, "database.dump")
            for file, name in files:
                tar.add(file, name)
    return manifest


def restore_backup(db: Database, archive: Path, attachments_dir: Path | None,
                   force: bool = False) -> RestoreReport:
    """Restore into ``db``; refuses a database that already holds courts unless forced."""
    if not force and _holds_courts(db):
        raise Conflict("the target database already holds courts; use --force to replace them",
                       code="restore_target_not_empty")
    with tempfile.TemporaryDirectory(prefix="gridwork-restore-") as work:
        manifest = _unpack(archive, Path(work))
        subprocess.run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
                        "--exit-on-error", f"--dbname={libpq_url(db.url)}",
                        str(Path(work) / "database.dump")], check=True,
                       capture_output=True, text=True)
        if attachments_dir is not None and (Path(work) / "attachments").is_dir():
            shutil.copytree(Path(work) / "attachments", attachments_dir, dirs_exist_ok=True)
    db.engine.dispose()  # the schema was replaced under the pool's connections
    counts = table_counts(db)
    mismatched = {name: (expected, counts.get(name, -1))
                  for name, expected in manifest.tables.items() if counts.get(name) != expected}
    broken = [report for report in audit.verify_courts(db) if not report.ok]
    return RestoreReport(manifest, mismatched, broken)


def _holds_courts(db: Database) -> bool:
    with db.engine.connect() as conn:
        exists = conn.execute(sa.text("SELECT to_regclass('public.court')")).scalar()
        return bool(exists) and bool(conn.execute(sa.text("SELECT count(*) FROM court")).scalar())


def _unpack(archive: Path, into: Path) -> Manifest:
    try:
        with tarfile.open(archive) as tar:
            tar.extractall(into, filter="data")
        manifest = Manifest(**json.loads((into / "manifest.json").read_text()))
    except (tarfile.TarError, OSError, ValueError, TypeError) as exc:
        raise ValidationFailed(f"not a Gridwork backup: {exc}", code="backup_invalid") from exc
    if manifest.format_version != FORMAT_VERSION:
        raise ValidationFailed("backup format not supported", code="backup_invalid")
    if _sha256(into / "database.dump") != manifest.dump_sha256:
        raise ValidationFailed("the database dump does not match its manifest",
                               code="backup_invalid")
    return manifest


def _attachment_files(attachments_dir: Path | None) -> list[tuple[Path, str]]:
    """Verified attachment files and their names in the archive; uploads in progress
    (``*.part``) are left out, and resume from offset 0 after a restore."""
    if not attachments_dir or not attachments_dir.is_dir():
        return []
    return [(p, f"attachments/{p.relative_to(attachments_dir)}")
            for p in sorted(attachments_dir.rglob("*")) if p.is_file() and p.suffix != ".part"]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
