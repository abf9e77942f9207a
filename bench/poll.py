"""Row 8: the "anything new?" poll (issue #28's capacity row, issue #20's pull costs).

What decides how many phones a server holds is the poll an up-to-date phone makes every
few minutes and that finds nothing new. 235 demo assistants sign in and bootstrap once,
then poll with nothing new: WatermelonDB's ``GET /api/v1/sync/watermelon?last_pulled_at=N``
(the field app's call) and the native ``GET /api/v1/sync/pull?cursor=…``. The peer is
Kinto on the same PostgreSQL under the same gunicorn settings, polling ``_since`` on one
shared collection with nothing new (its cheapest case), one basic-auth user per phone. The
floor is Gridwork's own ``/healthz`` (it asks the database too) on the same server.

The load generator is wrk, as the issue measured (Debian's ``wrk``, which ``make bench``
installs), with ``bench/poll.lua``: one keep-alive connection per wrk thread, each polling
its share of the phones in turn with the phone's own token and moving the phone's request
on with each answer (``drive_wrk``). It shares the 2 cores with the servers, so what a
request costs the client is taken from both sides: wrk costs ~0.12 ms of CPU a request,
its script included, where the Python threads of ``drive`` (still used where every answer
must be read, the mixed row and ``poll_ab``) cost ~0.35–0.39 ms, and that cost pulled
every ratio towards 1 (finding 43). Connections ramp (2, 4, 8, 16, 32) until p95 crosses
250 ms or errors appear.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench.common import ROOT, Row, percentile, progress
from bench.demo_data import lead_fields, serving_assistants
from bench.gridwork_server import Phone
from bench.kinto_peer import BUCKET, Kinto, basic_auth

RAMP = (2, 4, 8, 16, 32)
P95_LIMIT_MS = 250.0
CORES = 2
"""The machine's cores: phones per core = requests/s × 300 ÷ CORES (5-minute cadence)."""
CADENCE_S = 300
CURVE = ROOT / "bench" / "poll-curve.png"

Request = tuple[str, dict[str, str]]
"""A path and its headers."""


@dataclass
class Poller:
    """One simulated phone's next poll; ``answered`` reads the answer as the phone would
    (a new cursor) and says whether it brought anything. ``follow``: the answer's key
    that moves the phone on and the query parameter, last in the path, it sets (for
    wrk's script, which does what ``answered`` does)."""

    next_request: Callable[[], Request]
    answered: Callable[[bytes], bool] = lambda body: False
    follow: tuple[str, str] | None = None
    moved: Callable[[str], None] = lambda value: None
    """Where wrk's script left the phone: the parameter's last value (the next step
    starts there, as the phone would: a phone that went back to an older timestamp
    has its scope compared in full)."""


@dataclass
class Step:
    connections: int
    requests: int
    seconds: float
    p50: float
    p95: float
    errors: int
    not_empty: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass
class Curve:
    name: str
    steps: list[Step] = field(default_factory=list)

    def best(self) -> Step:
        """The busiest step within the limits (p95 ≤ 250 ms, no errors), else the first."""
        fine = [s for s in self.steps if s.p95 <= P95_LIMIT_MS and not s.errors]
        return max(fine, key=lambda s: s.rps) if fine else self.steps[0]

    def at(self, connections: int) -> Step | None:
        return next((s for s in self.steps if s.connections == connections), None)


def drive(base: str, pollers: Sequence[Poller], connections: int, seconds: float,
          warmup: float = 1.0) -> Step:
    """``connections`` keep-alive connections, each polling its share of ``pollers`` in
    turn as fast as answers come, for ``warmup`` + ``seconds``; only the last ``seconds``
    count."""
    parts = urlsplit(base)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    lock = threading.Lock()
    latencies: list[float] = []
    counts = {"errors": 0, "not_empty": 0}
    started = time.monotonic()
    measure_from, until = started + warmup, started + warmup + seconds

    def connection(k: int) -> None:
        mine = list(pollers[k::connections]) or list(pollers[:1])
        conn = http.client.HTTPConnection(host, port, timeout=60)
        mine_lat: list[float] = []
        errors = not_empty = i = 0
        while True:
            now = time.monotonic()
            if now >= until:
                break
            poller = mine[i % len(mine)]
            i += 1
            path, headers = poller.next_request()
            t0 = time.perf_counter()
            for _attempt in (1, 2):
                try:
                    conn.request("GET", path, headers=headers)
                    answer = conn.getresponse()
                    body = answer.read()
                    ok = answer.status == 200
                    break
                except (OSError, http.client.HTTPException) as error:
                    conn.close()
                    conn = http.client.HTTPConnection(host, port, timeout=60)
                    ok, body = False, b""
                    # A worker recycled after gunicorn's max_requests closes its idle
                    # keep-alive connections: a client sends the GET again on a new one.
                    if not isinstance(error, (http.client.RemoteDisconnected,
                                              ConnectionResetError, BrokenPipeError)):
                        break
            ms = (time.perf_counter() - t0) * 1000
            brought = ok and poller.answered(body)
            if now >= measure_from:
                mine_lat.append(ms)
                errors += not ok
                not_empty += brought
        conn.close()
        with lock:
            latencies.extend(mine_lat)
            counts["errors"] += errors
            counts["not_empty"] += not_empty

    threads = [threading.Thread(target=connection, args=(k,)) for k in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    p50, p95 = ((percentile(latencies, 50), percentile(latencies, 95)) if latencies
                else (float("inf"), float("inf")))
    return Step(connections, len(latencies), seconds, p50, p95, counts["errors"],
                counts["not_empty"])


WRK_SCRIPT = ROOT / "bench" / "poll.lua"


def drive_wrk(base: str, pollers: Sequence[Poller], connections: int, seconds: float,
              warmup: float = 1.0) -> Step:
    """``drive``, by wrk: a run of ``warmup`` seconds, then one of ``seconds`` that counts,
    each phone starting where its poller stands."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is missing: `make bench` installs it (apt-get install wrk)")
    key, param = pollers[0].follow or ("", "")
    with tempfile.TemporaryDirectory(prefix="gridwork-wrk-") as folder:
        phones, where = Path(folder) / "phones", Path(folder) / "where"

        def run(duration: float) -> dict[str, int]:
            lines = []
            for poller in pollers:
                path, headers = poller.next_request()
                lines.append("\t".join([path, *(f"{k}: {v}" for k, v in headers.items())]))
            phones.write_text("\n".join(lines) + "\n")
            done = subprocess.run(
                [wrk, f"-t{connections}", f"-c{connections}", f"-d{max(1, round(duration))}s",
                 "--timeout", "60s", "-s", str(WRK_SCRIPT), base, "--", str(phones), key,
                 param, str(connections), str(where)],
                capture_output=True, text=True, timeout=duration + 120, check=False)
            summary = [line for line in done.stdout.splitlines() if line.startswith("{")]
            if done.returncode or not summary:
                raise RuntimeError(f"wrk failed ({done.returncode}): "
                                   f"{done.stderr.strip() or done.stdout.strip()[-500:]}")
            for moves in sorted(Path(folder).glob("where.*")):
                for line in moves.read_text().splitlines():
                    index, value = line.split("\t")
                    pollers[int(index)].moved(value)
                moves.unlink()
            return dict(json.loads(summary[-1]))

        run(warmup)
        got = run(seconds)
    return Step(connections, got["requests"], got["duration_us"] / 1e6, got["p50_us"] / 1000,
                got["p95_us"] / 1000, got["errors"], got["not_empty"])


def ramp(name: str, base: str, pollers: Sequence[Poller], seconds: float) -> Curve:
    """Connections 2, 4, 8…, until p95 crosses 250 ms or errors appear (that step kept)."""
    curve = Curve(name)
    for connections in RAMP:
        step = drive_wrk(base, pollers, connections, seconds)
        curve.steps.append(step)
        progress(f"poll, {name}: {connections} connections, {step.rps:,.0f} requests/s, "
                 f"p50 {step.p50:.1f} ms, p95 {step.p95:.1f} ms, {step.errors} errors"
                 + (f", {step.not_empty} answers not empty" if step.not_empty else "")
                 + f" (load {os.getloadavg()[0]:.1f})")
        if step.p95 > P95_LIMIT_MS or step.errors:
            break
    return curve


# --------------------------------------------------------------------------- pollers


def _token(phone: Phone) -> dict[str, str]:
    return {"Authorization": phone.session.headers["Authorization"]}


def watermelon_poller(phone: Phone) -> Poller:
    """Bootstrap once over WatermelonDB's pull, then poll from the answer's timestamp."""
    first = phone.session.get(f"{phone.base}/api/v1/sync/watermelon",
                              params={"schema_version": 1}, timeout=300)
    first.raise_for_status()
    state = {"at": first.json()["timestamp"]}
    headers = _token(phone)

    def request() -> Request:
        return ("/api/v1/sync/watermelon?" + urlencode(
            {"schema_version": 1, "last_pulled_at": state["at"]}), headers)

    def answered(body: bytes) -> bool:
        page = json.loads(body)
        state["at"] = page["timestamp"]
        return any(c["created"] or c["updated"] or c["deleted"]
                   for c in page["changes"].values())

    return Poller(request, answered, ("timestamp", "last_pulled_at"),
                  lambda value: state.update(at=int(value)))


def native_poller(phone: Phone) -> Poller:
    """Bootstrap once over the native pull, then poll from the cursor it handed out."""
    _, cursor = phone.bootstrap(1000)
    state = {"cursor": cursor}
    headers = _token(phone)

    def request() -> Request:
        return ("/api/v1/sync/pull?" + urlencode(
            {"limit": 1000, "schema_version": 1, "cursor": state["cursor"]}), headers)

    def answered(body: bytes) -> bool:
        page = json.loads(body)
        state["cursor"] = page["next_cursor"] or state["cursor"]
        return any(c["upserts"] or c.get("deletes") for c in page["changes"].values())

    return Poller(request, answered, ("next_cursor", "cursor"),
                  lambda value: state.update(cursor=value))


def signed_in(base: str, url: str, n: int, label: str,
              bootstrap: Callable[[Phone], Poller]) -> list[Poller]:
    """``n`` assistants who serve a grid, each on a new device, signed in and bootstrapped
    (four at a time: sign-in hashes a password on purpose)."""
    names = [name for name, _, _ in serving_assistants(url, n)]
    if len(names) < n:
        raise RuntimeError(f"only {len(names)} assistants serve a grid, {n} wanted")

    def one(name: str) -> Poller:
        return bootstrap(Phone(base, name, f"bench-{label}-{uuid.uuid4().hex[:8]}"))

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(one, names))


def kinto_pollers(kinto: Kinto, n: int, records: int) -> list[Poller]:
    """One shared collection holding ``records`` leads; ``n`` basic-auth users polling
    ``_since`` its current timestamp (nothing new)."""
    import requests

    kinto.create_collection("poll")
    with requests.Session() as session:
        kinto.batch_put(session, "loader", "poll",
                        [{"id": str(uuid.uuid4()), **lead_fields(i, 116.4, 39.9)}
                         for i in range(records)])
    path = f"/v1/buckets/{BUCKET}/collections/poll/records"
    first = requests.get(f"{kinto.base}/buckets/{BUCKET}/collections/poll/records",
                         headers=basic_auth("phone0"), timeout=60)
    first.raise_for_status()
    since = first.headers["ETag"].strip('"')

    def poller(k: int) -> Poller:
        headers = basic_auth(f"phone{k}")
        return Poller(lambda: (f"{path}?_since={since}&_sort=last_modified", headers),
                      lambda body: bool(json.loads(body)["data"]))

    return [poller(k) for k in range(n)]


# --------------------------------------------------------------------------- the row


def row_poll(base: str, url: str, kinto: Kinto, phones: int, seconds: float) -> list[Row]:
    """The poll's capacity: Gridwork (WatermelonDB and native) against Kinto, /healthz as
    the floor; the curve as a PNG."""
    progress(f"poll: signing in and bootstrapping {phones} assistants (WatermelonDB)")
    melon = signed_in(base, url, phones, "melon", watermelon_poller)
    progress(f"poll: signing in and bootstrapping {phones} assistants (native pull)")
    native = signed_in(base, url, phones, "native", native_poller)
    kinto_base = kinto.base.removesuffix("/v1")
    theirs = kinto_pollers(kinto, phones, 114)
    health = [Poller(lambda: ("/healthz", {}))]
    curves = [ramp("Gridwork WatermelonDB pull", base, melon, seconds),
              ramp("Kinto _since", kinto_base, theirs, seconds),
              ramp("Gridwork native pull", base, native, seconds),
              ramp("Gridwork /healthz", base, health, seconds)]
    draw(curves, CURVE)
    progress(f"poll: curve drawn in {CURVE.relative_to(ROOT)}")
    ours, peer, native_curve, floor = (c.best() for c in curves)
    rows = []
    for name, step, curve in (("WatermelonDB", ours, curves[0]),
                              ("native", native_curve, curves[2])):
        ratio = step.rps / peer.rps
        rows.append(Row(
            f"8 poll with nothing new, {name} pull, {phones} phones (best of the ramp)",
            step.rps, "requests/s", "Kinto _since", peer.rps,
            ">= 2x Kinto and >= 50,000 phones per core", ratio >= 2 and
            step.rps * CADENCE_S / CORES >= 50_000,
            note=f"{step.connections} connections, p95 {step.p95:.1f} ms "
                 f"(Kinto {peer.connections} connections, p95 {peer.p95:.1f} ms); "
                 f"{step.rps * CADENCE_S / CORES:,.0f} phones per core at a 5-minute "
                 f"cadence (Kinto {peer.rps * CADENCE_S / CORES:,.0f}); "
                 f"{floor.rps / step.rps:.1f} /healthz per poll ({floor.rps:,.0f} /healthz "
                 f"per s, {floor.connections} connections); ramp: " + ramp_text(curve)
                 + "; Kinto's ramp: " + ramp_text(curves[1])))
    rows.append(Row("8 poll floor: /healthz on the same server", floor.rps, "requests/s",
                    note=f"{floor.connections} connections, p95 {floor.p95:.1f} ms; ramp: "
                         + ramp_text(curves[3])))
    return rows


def ramp_text(curve: Curve) -> str:
    return ", ".join(f"{s.connections} conn {s.rps:,.0f}/s p95 {s.p95:.0f} ms"
                     + (f" {s.errors} errors" if s.errors else "") for s in curve.steps)


def draw(curves: Sequence[Curve], path: Path, title: str = "") -> None:
    """Requests/s and p95 against connections, one line per server."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for curve in curves:
        xs = [s.connections for s in curve.steps]
        left.plot(xs, [s.rps for s in curve.steps], marker="o", label=curve.name)
        right.plot(xs, [s.p95 for s in curve.steps], marker="o", label=curve.name)
    for axis, label in ((left, "requests/s"), (right, "p95 latency (ms)")):
        axis.set_xscale("log", base=2)
        axis.set_xticks(list(RAMP), [str(c) for c in RAMP])
        axis.set_xlabel("connections")
        axis.set_ylabel(label)
        axis.grid(True, alpha=0.3)
    right.axhline(P95_LIMIT_MS, color="grey", linestyle="--", linewidth=1)
    left.legend(fontsize=8)
    fig.suptitle((title or "'Anything new?' poll, 235 phones, nothing new, gunicorn 4x4")
                 + f" ({CORES} cores, load {os.getloadavg()[0]:.1f})", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)

