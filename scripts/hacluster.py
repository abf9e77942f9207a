#!/usr/bin/env python3
"""A high-availability Gridwork on this machine's loopback: etcd, PostgreSQL + PostGIS
nodes under Patroni with synchronous replication, HAProxy, Redis and two API hosts.

``make cluster`` runs ``start`` (then migrates through the write port and runs ``api``);
``make cluster-stop`` runs ``stop``. The private one-machine cluster of ``pgcluster.py``
stays the default for ``make run`` and ``make test``; this set is for trying and testing
the multi-machine layout of docs/deploy.md, each "machine" being a process group here.

Ports (127.0.0.1 only, all distinct from the private cluster's 54329), as offsets from
``GRIDWORK_HA_PORT_BASE`` (default 54400, so the figures below):

====================  =====  ===============================================
etcd client / peer    54401  54402
PostgreSQL node N     5441N  (Patroni REST API of node N on 5442N)
HAProxy write         54430  the Patroni leader (REST check ``/primary``)
HAProxy read          54431  the replicas (REST check ``/replica``)
HAProxy stats         54439  a web page of every backend's state
HAProxy HTTP          54440  the API hosts, round robin
API host N            5444N  gunicorn
Redis                 54450  Flask-Limiter's counters, shared by the API hosts
====================  =====  ===============================================

A second set on the same machine (a fresh clone's ``make cluster-test`` while another
cluster runs, the capacity bench) takes another base and another folder, e.g.
``GRIDWORK_HA_PORT_BASE=55400 GRIDWORK_HA_DIR=/tmp/ha2``: its 51 ports must all be free.

Data and logs live in ``.data/ha`` (or ``GRIDWORK_HA_DIR``). Every command is idempotent:
``start`` starts what is not running and leaves the rest alone, so after a test killed a
node, ``start`` brings it back (Patroni rejoins it as a replica, with pg_rewind).

Standard library only, like pgcluster.py: it runs with the system ``python3``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pgcluster  # the same folder; stdlib only

PROJECT_ROOT = pgcluster.PROJECT_ROOT
HOST = "127.0.0.1"
SCOPE = "gridwork-ha"


def _port_base() -> int:
    """``GRIDWORK_HA_PORT_BASE`` (default 54400): every port below is an offset from it,
    so that two sets can run on one machine without clashing."""
    raw = os.environ.get("GRIDWORK_HA_PORT_BASE", "54400").strip()
    if not raw.isdigit() or not 1024 <= int(raw) <= 65535 - 50:
        sys.exit(f"hacluster: error: GRIDWORK_HA_PORT_BASE={raw!r}: a port from 1024 to "
                 f"{65535 - 50} (the set uses it + 1 to it + 50)")
    return int(raw)


PORT_BASE = _port_base()
ETCD_PORT, ETCD_PEER_PORT = PORT_BASE + 1, PORT_BASE + 2
PG_PORT_BASE, REST_PORT_BASE = PORT_BASE + 10, PORT_BASE + 20
WRITE_PORT, READ_PORT = PORT_BASE + 30, PORT_BASE + 31
STATS_PORT, HTTP_PORT = PORT_BASE + 39, PORT_BASE + 40
API_PORT_BASE = PORT_BASE + 40
REDIS_PORT = PORT_BASE + 50
API_HOSTS = 2
REPLICATION_PASSWORD = "gridwork-replication"  # loopback only; see docs/deploy.md
DEFAULT_DB = "gridwork"


class HaError(Exception):
    """A problem the user can act on; printed without a traceback."""


def note(message: str) -> None:
    print(f"hacluster: {message}", file=sys.stderr)


def nodes() -> int:
    raw = os.environ.get("GRIDWORK_HA_NODES", "2")
    if raw not in ("2", "3"):
        raise HaError(f"GRIDWORK_HA_NODES={raw!r}: 2 or 3 PostgreSQL nodes")
    return int(raw)


def base_dir() -> Path:
    """``GRIDWORK_HA_DIR``, else ``.data/ha``; as for pgcluster, a folder the ``postgres``
    user can reach (it runs Patroni and PostgreSQL when we are root)."""
    explicit = os.environ.get("GRIDWORK_HA_DIR")
    path = Path(explicit).absolute() if explicit else PROJECT_ROOT / ".data" / "ha"
    if pgcluster.is_root() and not pgcluster._postgres_can_traverse(path.parent):
        if explicit:
            raise HaError(f"GRIDWORK_HA_DIR={path}: the postgres user cannot reach it")
        digest = __import__("hashlib").sha256(str(PROJECT_ROOT).encode()).hexdigest()[:10]
        path = Path("/var/tmp") / f"gridwork-{digest}" / "ha"
    return path


def write_url(database: str = DEFAULT_DB) -> str:
    return f"postgresql+psycopg://postgres@{HOST}:{WRITE_PORT}/{database}"


def read_url(database: str = DEFAULT_DB) -> str:
    return f"postgresql+psycopg://postgres@{HOST}:{READ_PORT}/{database}"


# --------------------------------------------------------------------------- processes


def _pidfile(name: str) -> Path:
    return base_dir() / "run" / f"{name}.pid"


def pid_of(name: str) -> int | None:
    """The pid of one of our daemons when it is alive (not a recycled pid)."""
    try:
        pid, started = _pidfile(name).read_text().split()
    except (OSError, ValueError):
        return None
    if not pgcluster._alive(int(pid)) or _start_time(int(pid)) != started:
        return None
    return int(pid)


def _start_time(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[19]
    except (OSError, IndexError):
        return ""


_CHILDREN: list[subprocess.Popen[bytes]] = []
"""Daemons started by this process: kept, so that a long-lived caller (the cluster tests)
does not warn about Popen objects collected while their daemon runs on."""


def _spawn(name: str, argv: Sequence[str], *, as_postgres: bool = False,
           env: dict[str, str] | None = None, cwd: Path | None = None) -> int:
    """Start a daemon in a session of its own, output to ``logs/NAME.log``, pid recorded."""
    logs = base_dir() / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    _pidfile(name).parent.mkdir(parents=True, exist_ok=True)
    full = (["runuser", "-u", "postgres", "--", *argv]
            if as_postgres and pgcluster.is_root() else list(argv))
    with (logs / f"{name}.log").open("ab") as log:
        proc = subprocess.Popen(full, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                start_new_session=True, env=env, cwd=cwd or PROJECT_ROOT)
    _CHILDREN.append(proc)
    _pidfile(name).write_text(f"{proc.pid} {_start_time(proc.pid)}\n")
    return proc.pid


def _group_signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def stop_daemon(name: str, timeout: float = 20) -> bool:
    """SIGTERM the daemon's whole process group, SIGKILL what is left after ``timeout``."""
    pid = pid_of(name)
    if pid is None:
        with contextlib.suppress(FileNotFoundError):
            _pidfile(name).unlink()
        return False
    _group_signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while pgcluster._alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    _group_signal(pid, signal.SIGKILL)
    with contextlib.suppress(FileNotFoundError):
        _pidfile(name).unlink()
    return True


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((HOST, port)) == 0


def _wait(what: str, check: object, timeout: float, log: str | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.2)
    tail = ""
    if log:
        with contextlib.suppress(OSError):
            text = (base_dir() / "logs" / f"{log}.log").read_text(errors="replace")
            tail = "\n--- last lines of its log ---\n" + "\n".join(text.splitlines()[-25:])
    raise HaError(f"{what} did not come up within {timeout:.0f} s{tail}")


def rest(node: int, path: str, timeout: float = 2) -> tuple[int, dict[str, object]]:
    """GET from a node's Patroni REST API: (status, JSON body); (0, {}) when it is down."""
    url = f"http://{HOST}:{REST_PORT_BASE + node}{path}"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return answer.status, json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as error:
        with contextlib.suppress(ValueError):
            return error.code, json.loads(error.read() or b"{}")
        return error.code, {}
    except (OSError, ValueError):
        return 0, {}


def leader() -> int | None:
    """The node whose Patroni says it is the primary, if any."""
    for node in range(1, nodes() + 1):
        if rest(node, "/primary")[0] == 200:
            return node
    return None


def node_pids(node: int) -> tuple[int | None, int | None]:
    """(Patroni pid, postmaster pid) of a node, each None when not running."""
    pgdata = base_dir() / f"pg{node}"
    info = pgcluster.running(pgdata) if pgdata.exists() else None
    return pid_of(f"patroni{node}"), (info[0] if info else None)


# --------------------------------------------------------------------------- components


def _chown(path: Path) -> None:
    if pgcluster.is_root():
        user = pwd.getpwnam("postgres")
        os.chown(path, user.pw_uid, user.pw_gid)


def start_etcd() -> None:
    if pid_of("etcd"):
        return
    data = base_dir() / "etcd"
    data.mkdir(parents=True, exist_ok=True)
    data.chmod(0o700)
    if not shutil.which("etcd"):
        raise HaError("etcd not found: apt-get install -y etcd-server (make cluster does)")
    client, peer = f"http://{HOST}:{ETCD_PORT}", f"http://{HOST}:{ETCD_PEER_PORT}"
    _spawn("etcd", ["etcd", "--name", "gw", "--data-dir", str(data),
                    "--listen-client-urls", client, "--advertise-client-urls", client,
                    "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                    "--initial-cluster", f"gw={peer}", "--initial-cluster-state", "new"])
    _wait("etcd", lambda: _http_ok(f"{client}/health"), 30, "etcd")
    note(f"etcd on {HOST}:{ETCD_PORT}")


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as answer:
            return bool(answer.status == 200)
    except (OSError, ValueError):
        return False


def _patroni_yaml(node: int, bindir: Path) -> str:
    """Patroni's settings for one node, as JSON (a subset of YAML Patroni reads as such).

    ``ttl`` 10 s / ``loop_wait`` 1 s: a dead leader's key expires and the synchronous
    standby takes over within about ten seconds. ``synchronous_mode``: a commit is
    acknowledged only once the synchronous standby has it, so promoting that standby
    loses no acknowledged write. Not ``synchronous_mode_strict``: with the standby gone
    the primary goes on alone rather than refusing every write (see docs/deploy.md).
    """
    base = base_dir()
    pgdata = base / f"pg{node}"
    socket_dir = base / "sock" / f"pg{node}"
    config = {
        "scope": SCOPE,
        "name": f"pg{node}",
        "log": {"level": "INFO"},
        "restapi": {"listen": f"{HOST}:{REST_PORT_BASE + node}",
                    "connect_address": f"{HOST}:{REST_PORT_BASE + node}"},
        "etcd3": {"hosts": [f"{HOST}:{ETCD_PORT}"]},
        "bootstrap": {
            "dcs": {
                "ttl": 10, "loop_wait": 1, "retry_timeout": 4,
                "maximum_lag_on_failover": 1048576,
                "synchronous_mode": True,
                "postgresql": {
                    "use_pg_rewind": True,
                    "use_slots": True,
                    "parameters": {
                        "wal_level": "replica", "hot_standby": "on", "wal_log_hints": "on",
                        "max_wal_senders": 10, "max_replication_slots": 10,
                        "max_connections": 200, "wal_keep_size": "256MB",
                        "hot_standby_feedback": "on",
                    },
                },
            },
            "initdb": [{"encoding": "UTF8"}, {"locale": "C.UTF-8"}, "data-checksums"],
        },
        "postgresql": {
            "listen": f"{HOST}:{PG_PORT_BASE + node}",
            "connect_address": f"{HOST}:{PG_PORT_BASE + node}",
            "data_dir": str(pgdata),
            "bin_dir": str(bindir),
            "pgpass": str(base / "sock" / f"pgpass{node}"),
            "authentication": {
                "superuser": {"username": "postgres"},
                "replication": {"username": "replicator", "password": REPLICATION_PASSWORD},
                "rewind": {"username": "postgres"},
            },
            "parameters": {"unix_socket_directories": str(socket_dir)},
            # Loopback only, as the private cluster: trust for the application, a password
            # for replication. A real court uses scram-sha-256 and its own network.
            "pg_hba": [
                "local all all trust",
                f"host all all {HOST}/32 trust",
                f"host replication replicator {HOST}/32 md5",
                "local replication all trust",
            ],
        },
        "tags": {"nofailover": False, "noloadbalance": False, "clonefrom": False,
                 "nosync": False},
    }
    return json.dumps(config, indent=2) + "\n"


def start_node(node: int) -> None:
    if pid_of(f"patroni{node}"):
        return
    if not shutil.which("patroni"):
        raise HaError("patroni not found: apt-get install -y patroni python3-etcd")
    base = base_dir()
    pgdata = base / f"pg{node}"
    socket_dir = base / "sock" / f"pg{node}"
    for folder in (base / "sock", socket_dir):
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o700 if folder == socket_dir else 0o755)
        _chown(folder)
    if not pgdata.exists():  # Patroni (as postgres) initialises or clones into it
        pgdata.mkdir(mode=0o700)
        _chown(pgdata)
    # A postmaster left behind by a killed Patroni (or its crashed backends) blocks a restart.
    with contextlib.suppress(pgcluster.ClusterError):
        info = pgcluster.running(pgdata) if pgdata.exists() else None
        if info:
            os.kill(info[0], signal.SIGQUIT)
            _wait(f"the old postmaster of pg{node} to go",
                  lambda: not pgcluster._alive(info[0]), 30)
        if pgdata.exists():
            pgcluster._clear_stale_locks(pgdata)
    conf = base / f"patroni{node}.yml"
    conf.write_text(_patroni_yaml(node, pgcluster.find_bindir()))
    conf.chmod(0o644)
    _spawn(f"patroni{node}", ["patroni", str(conf)], as_postgres=True, cwd=Path("/"))


def start_nodes() -> None:
    count = nodes()
    for node in range(1, count + 1):
        start_node(node)
    _wait("a Patroni leader", lambda: leader() is not None, 120, "patroni1")

    def replicas_streaming() -> bool:
        states = [rest(n, "/patroni")[1] for n in range(1, count + 1)]
        return all(s.get("state") == "running" for s in states) and sum(
            s.get("role") == "replica" for s in states) == count - 1

    _wait("the replicas", replicas_streaming, 180, f"patroni{count}")
    # synchronous_mode: until Patroni has named a synchronous standby, a commit is
    # acknowledged by the leader alone; wait for one so that no test starts before.
    _wait("a synchronous standby",
          lambda: any(rest(n, "/sync")[0] == 200 for n in range(1, count + 1)), 60,
          "patroni1")
    note(f"{count} PostgreSQL nodes under Patroni, leader pg{leader()}")


def _haproxy_cfg() -> str:
    count = nodes()
    pg_servers = "\n".join(
        f"  server pg{n} {HOST}:{PG_PORT_BASE + n} check port {REST_PORT_BASE + n}"
        for n in range(1, count + 1))
    api_servers = "\n".join(
        f"  server api{n} {HOST}:{API_PORT_BASE + n} check" for n in range(1, API_HOSTS + 1))
    errors = base_dir() / "haproxy-errors"
    return f"""# Written by scripts/hacluster.py on every start.
global
  maxconn 4000

defaults
  timeout connect 2s
  timeout client 120s
  timeout server 120s
  timeout check 1s
  # Each check once a second; two failures take a server out, one success puts it back.
  default-server inter 1s fall 2 rise 1

listen stats
  mode http
  bind {HOST}:{STATS_PORT}
  stats enable
  stats uri /

# Writes (and every request of the app): only the node whose Patroni answers /primary.
# Connections to a node that stops being the leader are cut, so no client keeps writing
# to a demoted primary.
listen pg_write
  mode tcp
  bind {HOST}:{WRITE_PORT}
  option httpchk GET /primary
  http-check expect status 200
  default-server on-marked-down shutdown-sessions
{pg_servers}

# Reads from hot standbys (round robin); see docs/sync.md before sending pulls here.
listen pg_read
  mode tcp
  bind {HOST}:{READ_PORT}
  balance roundrobin
  option httpchk GET /replica
  http-check expect status 200
  default-server on-marked-down shutdown-sessions
{pg_servers}

# The API hosts. A TCP check, not /healthz: /healthz asks the database, and during a
# failover every host would be taken out at once, turning the app's own 503 problem
# answers into HAProxy's. A request whose connection a dead host refused is sent to
# another host (retry-on conn-failure: nothing reached the dead host).
listen api
  mode http
  bind {HOST}:{HTTP_PORT}
  balance roundrobin
  option forwardfor
  option redispatch
  retries 3
  retry-on conn-failure
  errorfile 502 {errors}/502.http
  errorfile 503 {errors}/503.http
  errorfile 504 {errors}/504.http
{api_servers}
"""


def _error_file(status: int, title: str) -> str:
    """HAProxy's own answers as problem+json, like every answer of the app."""
    body = json.dumps({"type": "about:blank", "title": title, "status": status,
                       "code": "service_unavailable"}, ensure_ascii=False)
    reason = {502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}[status]
    return (f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/problem+json\r\n"
            f"Retry-After: 5\r\nCache-Control: no-store\r\nConnection: close\r\n"
            f"Content-Length: {len(body.encode())}\r\n\r\n{body}")


def start_haproxy() -> None:
    if not shutil.which("haproxy"):
        raise HaError("haproxy not found: apt-get install -y haproxy (make cluster does)")
    errors = base_dir() / "haproxy-errors"
    errors.mkdir(parents=True, exist_ok=True)
    for status in (502, 503, 504):
        (errors / f"{status}.http").write_text(_error_file(status, "Service unavailable"))
    cfg = base_dir() / "haproxy.cfg"
    text = _haproxy_cfg()
    if pid_of("haproxy") and cfg.exists() and cfg.read_text() == text:
        return
    stop_daemon("haproxy")
    cfg.write_text(text)
    check = subprocess.run(["haproxy", "-c", "-q", "-f", str(cfg)], capture_output=True,
                           text=True, check=False)
    if check.returncode != 0:
        raise HaError(f"haproxy refused {cfg}:\n{check.stdout}{check.stderr}")
    _spawn("haproxy", ["haproxy", "-db", "-f", str(cfg)])
    _wait("haproxy", lambda: _listening(WRITE_PORT), 20, "haproxy")
    note(f"haproxy: write {HOST}:{WRITE_PORT}, read {HOST}:{READ_PORT}, "
         f"API {HOST}:{HTTP_PORT}, stats http://{HOST}:{STATS_PORT}/")


def start_redis() -> None:
    if pid_of("redis"):
        return
    if not shutil.which("redis-server"):
        raise HaError("redis-server not found: apt-get install -y redis-server")
    data = base_dir() / "redis"
    data.mkdir(parents=True, exist_ok=True)
    # Rate-limit counters only: nothing worth persisting.
    _spawn("redis", ["redis-server", "--bind", HOST, "--port", str(REDIS_PORT),
                     "--dir", str(data), "--save", "", "--appendonly", "no",
                     "--daemonize", "no", "--protected-mode", "yes"])
    _wait("redis", lambda: _listening(REDIS_PORT), 20, "redis")
    note(f"redis on {HOST}:{REDIS_PORT}")


def _wait_for_write_port() -> None:
    def answers() -> bool:
        try:
            with socket.create_connection((HOST, WRITE_PORT), timeout=1) as sock:
                # An SSLRequest: a live PostgreSQL answers one byte ('N' or 'S').
                sock.sendall(b"\x00\x00\x00\x08\x04\xd2\x16\x2f")
                return sock.recv(1) in (b"N", b"S")
        except OSError:
            return False

    _wait("the write port", answers, 30, "haproxy")


def cmd_start() -> int:
    base_dir().mkdir(parents=True, exist_ok=True)
    start_etcd()
    start_nodes()
    start_redis()
    start_haproxy()
    _wait_for_write_port()
    print(f"hacluster: running; write {write_url()}")
    return 0


# --------------------------------------------------------------------------- API hosts


def keys() -> dict[str, str]:
    """The signing and personal-data keys every API host shares (a token one host signed
    must verify on the other), made once into ``keys.json`` (mode 0600)."""
    path = base_dir() / "keys.json"
    try:
        return dict(json.loads(path.read_text()))
    except (OSError, ValueError):
        pass
    import base64
    import secrets

    made = {"SECRET_KEY": secrets.token_urlsafe(48),
            "PERSONAL_DATA_KEY": base64.b64encode(secrets.token_bytes(32)).decode()}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(made, fh)
    return made


def api_env(database: str, host: int) -> dict[str, str]:
    """What each API host is given: the write port, the shared Redis, attachments and keys."""
    base = base_dir()
    metrics = base / "metrics" / f"api{host}"
    shutil.rmtree(metrics, ignore_errors=True)
    metrics.mkdir(parents=True)
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": write_url(database),
        "REDIS_URL": f"redis://{HOST}:{REDIS_PORT}/0",
        "ATTACHMENTS_DIR": os.environ.get("GRIDWORK_HA_ATTACHMENTS",
                                          str(base / "attachments")),
        "BIND": f"{HOST}:{API_PORT_BASE + host}",
        "WEB_CONCURRENCY": os.environ.get("WEB_CONCURRENCY", "2"),
        "TRUSTED_PROXIES": "1",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics),
        "GRACEFUL_TIMEOUT": "10",
        **keys(),
    })
    return env


def start_api(host: int, database: str) -> None:
    """Start an API host on ``database``; one running with other settings is restarted."""
    name = f"api{host}"
    state = base_dir() / "run" / f"{name}.settings"
    wanted = json.dumps({"database": database,
                         "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "")})
    if pid_of(name) and state.exists() and state.read_text() == wanted:
        return
    stop_daemon(name)
    gunicorn = PROJECT_ROOT / ".venv" / "bin" / "gunicorn"
    if not gunicorn.exists():
        raise HaError(f"{gunicorn} not found: run make venv first")
    _spawn(name, [str(gunicorn), "-c", "gunicorn.conf.py", "wsgi:app"],
           env=api_env(database, host))
    state.write_text(wanted)


def cmd_api(database: str) -> int:
    for host in range(1, API_HOSTS + 1):
        start_api(host, database)
    for host in range(1, API_HOSTS + 1):
        _wait(f"API host {host}",
              lambda h=host: _http_ok(f"http://{HOST}:{API_PORT_BASE + h}/healthz"), 120,
              f"api{host}")
    print(f"hacluster: API hosts on {HOST}:{API_PORT_BASE + 1}..{API_PORT_BASE + API_HOSTS} "
          f"behind http://{HOST}:{HTTP_PORT} (database {database})")
    return 0


# --------------------------------------------------------------------------- commands


def cmd_stop() -> int:
    for host in range(1, API_HOSTS + 1):
        stop_daemon(f"api{host}")
    stop_daemon("haproxy")
    # Replicas first, the leader last: it then has nobody to hand over to and just stops.
    lead = leader()
    order = [n for n in range(1, 4) if n != lead] + ([lead] if lead else [])
    for node in order:
        stop_daemon(f"patroni{node}", timeout=60)
        pgdata = base_dir() / f"pg{node}"
        info = pgcluster.running(pgdata) if pgdata.exists() else None
        if info:
            os.kill(info[0], signal.SIGQUIT)
    stop_daemon("redis")
    stop_daemon("etcd")
    print("hacluster: stopped")
    return 0


def cmd_status() -> int:
    rows = [("etcd", pid_of("etcd")), ("redis", pid_of("redis")),
            ("haproxy", pid_of("haproxy"))]
    for node in range(1, nodes() + 1):
        _status, body = rest(node, "/patroni")
        rows.append((f"pg{node} ({body.get('role', 'down')}, {body.get('state', '-')})",
                     pid_of(f"patroni{node}")))
    rows += [(f"api{h}", pid_of(f"api{h}")) for h in range(1, API_HOSTS + 1)]
    for name, pid in rows:
        print(f"{name:32} {'pid ' + str(pid) if pid else 'stopped'}")
    return 0 if all(pid for _, pid in rows[:3]) else pgcluster.EXIT_NOT_RUNNING


def cmd_destroy() -> int:
    cmd_stop()
    shutil.rmtree(base_dir(), ignore_errors=True)
    print(f"hacluster: removed {base_dir()}")
    return 0


def cmd_psql_url(which: str, database: str) -> int:
    print(write_url(database) if which == "write" else read_url(database))
    return 0


def ensure_db(database: str) -> None:
    """Create the database (with PostGIS) through the write port."""
    if not pgcluster.DB_NAME_RE.match(database):
        raise HaError(f"invalid database name {database!r}")
    psql = pgcluster.find_bindir() / "psql"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["PGCONNECT_TIMEOUT"] = "10"

    def run(db: str, sql: str) -> str:
        argv = [str(psql), "-h", HOST, "-p", str(WRITE_PORT), "-U", "postgres", "-d", db,
                "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql]
        result = subprocess.run(argv, capture_output=True, text=True, env=env, check=False,
                                stdin=subprocess.DEVNULL, timeout=60)
        if result.returncode != 0:
            raise HaError(f"psql on {db!r} failed: {result.stderr.strip()}")
        return result.stdout.strip()

    if run("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{database}'") != "1":
        run("postgres", f'CREATE DATABASE "{database}"')
        note(f"created database {database}")
    run(database, "CREATE EXTENSION IF NOT EXISTS postgis")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="hacluster.py",
        description="Gridwork's high-availability set on loopback: etcd, Patroni + "
                    "PostgreSQL nodes, HAProxy, Redis, API hosts. Environment: "
                    "GRIDWORK_HA_DIR (default .data/ha), GRIDWORK_HA_NODES (2 or 3).")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("start", help="etcd, PostgreSQL nodes, Redis, HAProxy (what is not running)")
    p_db = sub.add_parser("ensure-db", help="create a database with PostGIS on the leader")
    p_db.add_argument("name", nargs="?", default=DEFAULT_DB)
    p_api = sub.add_parser("api", help="start the API hosts on a database (after migrating)")
    p_api.add_argument("name", nargs="?", default=DEFAULT_DB)
    sub.add_parser("stop", help="stop everything (no-op when stopped)")
    sub.add_parser("status", help="what runs, which node leads")
    sub.add_parser("destroy", help="stop and delete .data/ha")
    sub.add_parser("keys", help="the API hosts' keys as JSON (for tests that share them)")
    p_url = sub.add_parser("url", help="SQLAlchemy URL through HAProxy")
    p_url.add_argument("which", choices=["write", "read"])
    p_url.add_argument("name", nargs="?", default=DEFAULT_DB)
    args = parser.parse_args(argv)
    try:
        if args.command == "start":
            return cmd_start()
        if args.command == "ensure-db":
            ensure_db(args.name)
            return 0
        if args.command == "api":
            return cmd_api(args.name)
        if args.command == "stop":
            return cmd_stop()
        if args.command == "status":
            return cmd_status()
        if args.command == "destroy":
            return cmd_destroy()
        if args.command == "keys":
            print(json.dumps(keys()))
            return 0
        if args.command == "url":
            return cmd_psql_url(args.which, args.name)
    except (HaError, pgcluster.ClusterError) as exc:
        print(f"hacluster: error: {exc}", file=sys.stderr)
        return 1
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())
