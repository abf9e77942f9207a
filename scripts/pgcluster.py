#!/usr/bin/env python3
"""A private PostgreSQL + PostGIS cluster for Gridwork development and tests.

The project runs its own throw-away cluster in a folder of its own, on a port
of its own, listening on 127.0.0.1 only, so that ``make run`` and ``make test``
need no system-wide database set-up and never touch another PostgreSQL on the
machine. Point ``DATABASE_URL`` elsewhere to use a different server instead.

Standard library only: this runs with the system ``python3`` before the
project's virtualenv exists.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import fcntl
import hashlib
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PORT = 54329
DEFAULT_DB = "gridwork"
HOST = "127.0.0.1"
SUPERUSER = "postgres"
SERVICE_USER = "postgres"  # the Debian system user that owns the cluster when we run as root
CONF_NAME = "gridwork.conf"
LOG_NAME = "server.log"
DB_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
# A Unix socket path must fit in sun_path (108 bytes on Linux, including the NUL).
MAX_SOCKET_PATH = 100
EXIT_NOT_RUNNING = 3


class ClusterError(Exception):
    """A problem the user can act on; printed without a traceback."""


def note(message: str) -> None:
    """Progress and diagnostics go to stderr so that stdout stays machine-readable."""
    print(f"pgcluster: {message}", file=sys.stderr)


# --------------------------------------------------------------------------- settings


def port() -> int:
    raw = os.environ.get("GRIDWORK_PG_PORT", "").strip()
    if not raw:
        return DEFAULT_PORT
    try:
        value = int(raw)
    except ValueError:
        raise ClusterError(f"GRIDWORK_PG_PORT={raw!r} is not a port number") from None
    if not 1 <= value <= 65535:
        raise ClusterError(f"GRIDWORK_PG_PORT={value} is out of range")
    return value


def is_root() -> bool:
    return os.geteuid() == 0


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.name))


def find_bindir() -> Path:
    """The Debian server binaries (initdb, pg_ctl, postgres, psql).

    Prefer the newest ``/usr/lib/postgresql/N/bin`` whose major version has the
    PostGIS extension installed, then whatever ``pg_config --bindir`` says.
    Never the ``/usr/local/bin`` shims, which may point at another build.
    """
    needed = ("initdb", "pg_ctl", "postgres", "psql")

    def complete(bindir: Path) -> bool:
        return all(os.access(bindir / name, os.X_OK) for name in needed)

    override = os.environ.get("GRIDWORK_PG_BINDIR")
    if override:
        if not complete(Path(override)):
            raise ClusterError(f"GRIDWORK_PG_BINDIR={override} lacks one of {', '.join(needed)}")
        return Path(override)

    candidates = sorted(
        (p for p in Path("/usr/lib/postgresql").glob("*/bin") if complete(p)),
        key=_version_key,
        reverse=True,
    )
    with_postgis = [
        p
        for p in candidates
        if Path(f"/usr/share/postgresql/{p.parent.name}/extension/postgis.control").exists()
    ]
    if with_postgis:
        return with_postgis[0]
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            ).stdout.strip()
            if out and not out.startswith("/usr/local/bin") and complete(Path(out)):
                return Path(out)
    if candidates:
        return candidates[0]
    raise ClusterError(
        "PostgreSQL server binaries not found (looked in /usr/lib/postgresql/*/bin and "
        "pg_config --bindir). Install them with: apt-get install -y postgresql postgis "
        "(or run `make setup` as root)."
    )


def _postgres_can_traverse(path: Path) -> bool:
    """Whether the ``postgres`` user can reach ``path``: search permission on every folder.

    Checked from mode bits in pure Python (no subprocess) so that a no-op
    ``start`` stays fast. ACLs are ignored; they only ever grant more here.
    """
    try:
        user = pwd.getpwnam(SERVICE_USER)
    except KeyError:
        return False
    groups = set(os.getgrouplist(user.pw_name, user.pw_gid))
    current = Path("/")
    for part in path.absolute().parts[1:]:
        current = current / part
        try:
            st = current.stat()
        except FileNotFoundError:
            return True  # we create the rest ourselves, with mode 0755
        if not stat.S_ISDIR(st.st_mode):
            return False
        if st.st_uid == user.pw_uid:
            allowed = st.st_mode & stat.S_IXUSR
        elif st.st_gid in groups:
            allowed = st.st_mode & stat.S_IXGRP
        else:
            allowed = st.st_mode & stat.S_IXOTH
        if not allowed:
            return False
    return True


def data_dir(announce: bool = False) -> Path:
    """The cluster folder: ``GRIDWORK_PG_DIR``, else ``.data/pg`` in the project.

    As root the folder belongs to the ``postgres`` user, who must be able to
    reach it. A clone under ``/root`` (mode 700) is out of its reach, so the
    default then moves to ``/var/tmp/gridwork-<hash of the project path>/pg``.
    """
    explicit = os.environ.get("GRIDWORK_PG_DIR")
    if explicit:
        path = Path(explicit).expanduser().absolute()
        if is_root() and not _postgres_can_traverse(path.parent):
            raise ClusterError(
                f"GRIDWORK_PG_DIR={path}: the '{SERVICE_USER}' user cannot reach this folder "
                "(PostgreSQL cannot run as root, so it runs as that user). "
                "Pick a folder it can reach, e.g. under /var/tmp."
            )
        return path
    default = PROJECT_ROOT / ".data" / "pg"
    if not is_root() or _postgres_can_traverse(default.parent):
        return default
    digest = hashlib.sha256(str(PROJECT_ROOT).encode()).hexdigest()[:10]
    fallback = Path("/var/tmp") / f"gridwork-{digest}" / "pg"
    if announce:
        note(
            f"the '{SERVICE_USER}' user cannot reach {PROJECT_ROOT}; "
            f"the cluster lives in {fallback} instead"
        )
    return fallback


# --------------------------------------------------------------------------- processes


def _as_service_user(argv: Sequence[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run it as the ``postgres`` system user then."""
    if is_root():
        return ["runuser", "-u", SERVICE_USER, "--", *argv]
    return list(argv)


def _run(
    argv: Sequence[str], *, timeout: float = 120, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(argv), capture_output=True, text=True, timeout=timeout, check=False, **kwargs
    )


def _proc_state(pid: int) -> str | None:
    """The one-letter state from /proc/PID/stat, or None if the process is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may contain spaces: split after the last ')'.
    return raw.rsplit(")", 1)[-1].split()[0]


def _alive(pid: int) -> bool:
    """Running and not a zombie (an unreaped dead postmaster still answers kill(pid, 0))."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, owned by someone else
    state = _proc_state(pid)
    return state is not None and state not in ("Z", "X")


def _same_dir(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _is_our_postmaster(pid: int, pgdata: Path) -> bool:
    """A live postgres process serving this data folder (not a recycled pid)."""
    if pid <= 0 or not _alive(pid):
        return False
    try:
        comm = Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return False
    if comm not in ("postgres", "postmaster"):
        return False
    # The postmaster chdir()s into its data folder; compare when we may look.
    try:
        cwd = Path(os.readlink(f"/proc/{pid}/cwd"))
    except OSError:
        return True  # not ours to inspect (another user); the name is the best we know
    return _same_dir(cwd, pgdata)


def _orphans(pgdata: Path) -> list[int]:
    """Processes still working in the data folder, e.g. backends of a killed postmaster."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        try:
            cwd = Path(os.readlink(entry / "cwd"))
        except OSError:
            continue
        if _same_dir(cwd, pgdata) and _alive(pid) and pid != os.getpid():
            found.append(pid)
    return found


def read_pidfile(pgdata: Path) -> tuple[int, int | None] | None:
    """(postmaster pid, port) from postmaster.pid, or None when there is no such file."""
    try:
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ClusterError(f"cannot read {pgdata / 'postmaster.pid'}: {exc}") from exc
    try:
        pid = int(lines[0])
    except (IndexError, ValueError):
        return (0, None)
    try:
        pg_port: int | None = int(lines[3])
    except (IndexError, ValueError):
        pg_port = None
    return (pid, pg_port)


def running(pgdata: Path) -> tuple[int, int | None] | None:
    """(pid, port) of this cluster's live postmaster, or None."""
    info = read_pidfile(pgdata)
    if info and _is_our_postmaster(info[0], pgdata):
        return info
    return None


def _clear_stale_locks(pgdata: Path) -> None:
    """After a crash: drop lock files whose postmaster is gone, then wait for its orphans.

    PostgreSQL removes a stale lock itself only when the pid in it is free. In a
    container a killed postmaster often stays a zombie (nobody reaps it) or its
    pid is reused at once, so a stale ``postmaster.pid`` or socket lock would
    block every later start. Call only when ``running(pgdata)`` is false: the
    socket folder is private to this cluster, so its locks are then all stale.
    """
    info = read_pidfile(pgdata)
    if info is not None and _is_our_postmaster(info[0], pgdata):
        return
    stale = [pgdata / "postmaster.pid"] if info is not None else []
    stale += sorted(pgdata.glob(".s.PGSQL.*.lock")) if pgdata.is_dir() else []
    if not stale:
        return
    note(f"removing stale lock files after an unclean stop: {', '.join(p.name for p in stale)}")
    for path in stale:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    # Backends of a killed postmaster hold its shared memory until they notice and exit;
    # a new postmaster refuses to start while they do. They go within moments.
    deadline = time.monotonic() + 15
    while (left := _orphans(pgdata)) and time.monotonic() < deadline:
        time.sleep(0.1)
    if left:
        note(f"processes {left} still use {pgdata}; the start may fail")


def _port_free(pg_port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, pg_port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def _log_tail(pgdata: Path, lines: int = 30) -> str:
    try:
        text = (pgdata / LOG_NAME).read_text(errors="replace")
    except OSError:
        return "(no server log)"
    return "\n".join(text.splitlines()[-lines:])


# --------------------------------------------------------------------------- cluster set-up


def _chown_to_service_user(path: Path) -> None:
    if is_root():
        user = pwd.getpwnam(SERVICE_USER)
        os.chown(path, user.pw_uid, user.pw_gid)


def _make_parents(path: Path) -> None:
    """Create missing parent folders with mode 0755, whatever the umask."""
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        folder.mkdir()
        folder.chmod(0o755)


def _pick_locale() -> str:
    """C.UTF-8 when the system has it (UTF-8 collation without a locale package), else C."""
    try:
        out = _run(["locale", "-a"], timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return "C"
    available = {line.strip().lower().replace("-", "") for line in out.splitlines()}
    return "C.UTF-8" if "c.utf8" in available else "C"


def _initdb(bindir: Path, pgdata: Path) -> None:
    if pgdata.exists() and any(pgdata.iterdir()):
        raise ClusterError(
            f"{pgdata} exists but is not a PostgreSQL data folder; remove it or set GRIDWORK_PG_DIR"
        )
    if is_root():
        try:
            pwd.getpwnam(SERVICE_USER)
        except KeyError:
            raise ClusterError(
                f"no '{SERVICE_USER}' system user; install the postgresql package"
            ) from None
    _make_parents(pgdata.parent)
    pgdata.mkdir(mode=0o700, exist_ok=True)
    _chown_to_service_user(pgdata)
    locale_name = _pick_locale()
    note(f"initialising a new cluster in {pgdata} (locale {locale_name})")
    argv = [
        str(bindir / "initdb"),
        "-D", str(pgdata),
        "-A", "trust",  # local dev cluster bound to 127.0.0.1: no passwords
        "-U", SUPERUSER,
        "-E", "UTF8",
        f"--locale={locale_name}",
        "--no-sync",  # disposable data, see _write_conf
    ]  # fmt: skip
    result = _run(_as_service_user(argv), cwd="/")
    if result.returncode != 0:
        raise ClusterError(f"initdb failed:\n{result.stdout}{result.stderr}")
    conf = pgdata / "postgresql.conf"
    with conf.open("a") as fh:
        fh.write(
            f"\n# Gridwork settings, rewritten on every start\ninclude_if_exists = '{CONF_NAME}'\n"
        )


def _quote_conf(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _write_conf(pgdata: Path, pg_port: int) -> None:
    """Settings of the private cluster, rewritten on every start so they follow the env."""
    socket_dir = str(pgdata) if len(str(pgdata)) + 20 <= MAX_SOCKET_PATH else ""
    text = f"""# Written by scripts/pgcluster.py on every start; local edits are overwritten.
listen_addresses = '{HOST}'
port = {pg_port}
unix_socket_directories = {_quote_conf(socket_dir)}
max_connections = 200
# This cluster holds disposable development and test data only. Durability is
# traded for speed: a power cut can corrupt it, and `make clean-db` starts over.
# NEVER copy these three settings to a server that holds real data.
fsync = off
synchronous_commit = off
full_page_writes = off
"""
    target = pgdata / CONF_NAME
    try:
        if target.read_text() == text:
            return
    except OSError:
        pass
    tmp = pgdata / f".{CONF_NAME}.tmp"
    tmp.write_text(text)
    tmp.chmod(0o600)
    _chown_to_service_user(tmp)
    tmp.replace(target)


def _check_version(bindir: Path, pgdata: Path) -> None:
    try:
        data_version = (pgdata / "PG_VERSION").read_text().strip()
    except OSError:
        return
    bin_version = bindir.parent.name
    if re.fullmatch(r"\d+", bin_version) and bin_version != data_version:
        raise ClusterError(
            f"{pgdata} was created by PostgreSQL {data_version} but the binaries in {bindir} "
            f"are version {bin_version}; remove it with `make clean-db` (local data is lost)"
        )


# --------------------------------------------------------------------------- commands


def cmd_start() -> int:
    pg_port = port()
    pgdata = data_dir(announce=True)
    current = running(pgdata)
    if current:
        if current[1] in (None, pg_port):
            print(f"pgcluster: running on {HOST}:{pg_port} (pid {current[0]}, data {pgdata})")
            return 0
        note(f"running on port {current[1]}, but GRIDWORK_PG_PORT asks for {pg_port}: restarting")
        cmd_stop(pgdata)
    bindir = find_bindir()
    _clear_stale_locks(pgdata)
    if not _port_free(pg_port):
        raise ClusterError(
            f"port {pg_port} on {HOST} is already in use by another program. "
            f"Stop it, or choose another port for the private cluster with "
            f"GRIDWORK_PG_PORT=<port> (the default is {DEFAULT_PORT})."
        )
    if not (pgdata / "PG_VERSION").exists():
        _initdb(bindir, pgdata)
    _check_version(bindir, pgdata)
    _write_conf(pgdata, pg_port)
    argv = [
        str(bindir / "pg_ctl"),
        "-D", str(pgdata),
        "-l", str(pgdata / LOG_NAME),
        "-w", "-t", "60",
        "start",
    ]  # fmt: skip
    # `-l` sends the server's output to its log, so the long-lived postmaster holds no pipe
    # of ours open (a caller capturing our output would otherwise wait for it forever).
    result = _run(_as_service_user(argv), cwd="/", stdin=subprocess.DEVNULL)
    if result.returncode != 0 or not running(pgdata):
        raise ClusterError(
            f"PostgreSQL did not start (data {pgdata}, port {pg_port}).\n"
            f"{result.stdout}{result.stderr}"
            f"--- last lines of {pgdata / LOG_NAME} ---\n{_log_tail(pgdata)}"
        )
    print(f"pgcluster: started on {HOST}:{pg_port} (data {pgdata})")
    return 0


def cmd_stop(pgdata: Path | None = None) -> int:
    pgdata = pgdata or data_dir(announce=True)
    if not running(pgdata):
        _clear_stale_locks(pgdata)
        print("pgcluster: not running")
        return 0
    bindir = find_bindir()
    argv = [str(bindir / "pg_ctl"), "-D", str(pgdata), "-m", "fast", "-w", "-t", "60", "stop"]
    result = _run(_as_service_user(argv), cwd="/", stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise ClusterError(f"pg_ctl stop failed:\n{result.stdout}{result.stderr}")
    print("pgcluster: stopped")
    return 0


def cmd_status() -> int:
    pgdata = data_dir(announce=True)
    current = running(pgdata)
    if current:
        shown_port = current[1] if current[1] is not None else port()
        print(f"running: pid {current[0]}, {HOST}:{shown_port}, data {pgdata}")
        return 0
    state = "initialised" if (pgdata / "PG_VERSION").exists() else "not initialised"
    print(f"stopped: data {pgdata} ({state})")
    return EXIT_NOT_RUNNING


def url_for(database: str = DEFAULT_DB) -> str:
    return f"postgresql+psycopg://{SUPERUSER}@{HOST}:{port()}/{database}"


def cmd_url(database: str) -> int:
    print(url_for(database))
    return 0


def _psql(bindir: Path, database: str, sql: str) -> str:
    # Only our own connection settings: a PGDATABASE/PGSSLMODE/... from the shell must not leak in.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["PGCONNECT_TIMEOUT"] = "10"
    argv = [
        str(bindir / "psql"),
        "-h", HOST, "-p", str(port()), "-U", SUPERUSER, "-d", database,
        "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql,
    ]  # fmt: skip
    result = _run(argv, env=env, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise ClusterError(f"psql on {database!r} failed: {result.stderr.strip()}")
    return result.stdout.strip()


def cmd_ensure_db(database: str) -> int:
    if not DB_NAME_RE.match(database):
        raise ClusterError(f"invalid database name {database!r} (letters, digits, _)")
    pgdata = data_dir()
    if not running(pgdata):
        cmd_start()
    bindir = find_bindir()
    exists = _psql(bindir, "postgres", f"SELECT 1 FROM pg_database WHERE datname = '{database}'")
    if exists != "1":
        _psql(bindir, "postgres", f'CREATE DATABASE "{database}"')
        note(f"created database {database}")
    _psql(bindir, database, "CREATE EXTENSION IF NOT EXISTS postgis")
    return 0


def cmd_destroy() -> int:
    """Stop the cluster and delete its folder: every local database is lost."""
    pgdata = data_dir(announce=True)
    cmd_stop(pgdata)
    if pgdata.exists():
        shutil.rmtree(pgdata)
        print(f"pgcluster: removed {pgdata}")
    if pgdata.parent.name.startswith("gridwork-") and pgdata.parent.parent == Path("/var/tmp"):
        with contextlib.suppress(OSError):  # the fallback folder we made, if now empty
            (pgdata.parent / f".{pgdata.name}.lock").unlink()
            pgdata.parent.rmdir()
    return 0


@contextlib.contextmanager
def _exclusive(pgdata: Path) -> Iterator[None]:
    """Serialise commands on one cluster: parallel `make` runs or test workers may race."""
    _make_parents(pgdata.parent)
    lock_path = pgdata.parent / f".{pgdata.name}.lock"
    with lock_path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="pgcluster.py",
        description=(
            "Run Gridwork's private PostgreSQL cluster (listens on 127.0.0.1 only). "
            f"Environment: GRIDWORK_PG_DIR (data folder, default {PROJECT_ROOT}/.data/pg), "
            f"GRIDWORK_PG_PORT (default {DEFAULT_PORT}), GRIDWORK_PG_BINDIR (PostgreSQL "
            "binaries, default: the newest /usr/lib/postgresql/N/bin with PostGIS)."
        ),
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("start", help="initialise if needed and start (no-op when running)")
    sub.add_parser("stop", help="stop the cluster (no-op when stopped)")
    sub.add_parser("status", help=f"exit 0 when running, {EXIT_NOT_RUNNING} when stopped")
    p_url = sub.add_parser("url", help="print the SQLAlchemy URL of a database")
    p_url.add_argument("name", nargs="?", default=DEFAULT_DB, help=f"default {DEFAULT_DB}")
    p_db = sub.add_parser("ensure-db", help="create a database if missing, with PostGIS")
    p_db.add_argument("name")
    sub.add_parser("destroy", help="stop and delete the data folder (all local data)")
    args = parser.parse_args(argv)

    try:
        if args.command == "url":
            return cmd_url(args.name)
        if args.command == "status":
            return cmd_status()
        with _exclusive(data_dir()):
            if args.command == "start":
                return cmd_start()
            if args.command == "stop":
                return cmd_stop()
            if args.command == "ensure-db":
                return cmd_ensure_db(args.name)
            if args.command == "destroy":
                return cmd_destroy()
    except ClusterError as exc:
        print(f"pgcluster: error: {exc}", file=sys.stderr)
        return 1
    except subprocess.TimeoutExpired as exc:
        print(f"pgcluster: error: timed out: {' '.join(map(str, exc.cmd))}", file=sys.stderr)
        return 1
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())
