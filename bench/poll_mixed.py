"""Row 8's variants (issue #28): the "anything new?" poll with a day's work mixed in, and
through HAProxy to two API hosts.

**A day's work mixed in.** While the pollers ramp, other phones do what an assistant's day
brings, in a fixed proportion to the polls (so the share stays the same at every step of
the ramp, however fast the server answers):

- an assistant works an 8-hour day and the app polls every 5 minutes: 96 polls a day;
- 10 new leads a day (between the field app's whole-day test, 3 leads with a photo, and
  row 4's heavy day of 20), each with one photo, each sent by a sync of its own (the
  phone is online): per lead one tus upload of the photo (``POST /api/v1/attachments``
  creation-with-upload, 400 kB: a 2048-px JPEG at quality 0.85, the field app's
  ``FIELD_APP_PHOTO_MAX_SIDE``), then one WatermelonDB push of the lead naming it. So one
  lead (two requests) per 9.6 polls: ``POLLS_PER_LEAD`` = 10;
- new phones: one bootstrap (sign-in, which hashes a password on purpose, and a whole
  WatermelonDB pull of the assistant's scope) per 500 polls, counted over the whole ramp —
  a county's rollout week, every phone new within five days (96 ÷ 500 ≈ 19 % a day); the
  steady replacement rate (a phone every two or three years) would be one per ~80,000
  polls and never show in a ramp of a minute.

Kinto gets comparable work: a record create per lead (one ``PUT``; the peer is plain
``kinto[postgresql]``, without the kinto-attachment plugin, so no photo: its figure has
no uploads) and a whole ``_since=0`` read of the collection per new phone (no sign-in:
basic auth). Its pollers follow the collection as a Kinto client does (``_since`` the
newest ``last_modified`` they saw), as Gridwork's follow their cursor, so both sides'
polls bring the day's new records.

After the ramp, every lead a push acknowledged must be on the server exactly once, with
its photo; the note says so.

**Two API hosts.** ``run_two_hosts`` starts ``scripts/hacluster.py``'s set (etcd, two
PostgreSQL nodes under Patroni with synchronous replication, HAProxy, Redis, two gunicorn
hosts of two workers each, as ``make cluster`` does) on its own ports and folder, loads
the demo county through the write port and ramps the same pollers through HAProxy, then
against one host directly for comparison.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlencode

import requests

from bench.common import ROOT, Row, percentile, progress
from bench.demo_data import lead_fields, query, serving_assistants
from bench.gridwork_server import Phone
from bench.kinto_peer import BUCKET, RETRY_ERRNO, Kinto, basic_auth
from bench.poll import (
    CADENCE_S,
    CORES,
    P95_LIMIT_MS,
    RAMP,
    Curve,
    Poller,
    Step,
    drive,
    ramp_text,
    signed_in,
    watermelon_poller,
)

POLLS_PER_DAY = 96
LEADS_PER_DAY = 10
POLLS_PER_LEAD = 10
"""96 polls ÷ 10 leads ≈ 9.6, rounded: one lead (photo + push) per 10 polls."""
POLLS_PER_BOOTSTRAP = 500
PHOTO_BYTES = 400_000
SCHEMA = 5
"""The field app's WatermelonDB schema (photos as JSON text from 2, times as numbers
from 3)."""
MIXERS = 4
"""Threads doing the mixed work: enough that it keeps up with its share at every step."""
CURVE_MIXED = ROOT / "bench" / "poll-curve-mixed.png"


@dataclass
class Mix:
    """What the mixed work did during one step of the ramp."""

    latencies_ms: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    due: int = 0
    done: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, ms: float, ok: bool) -> None:
        with self.lock:
            self.latencies_ms.setdefault(kind, []).append(ms)
            if not ok:
                self.errors[kind] = self.errors.get(kind, 0) + 1

    def p95(self, kind: str) -> float:
        got = self.latencies_ms.get(kind) or []
        return percentile(got, 95) if got else float("nan")

    def text(self) -> str:
        parts = [f"{kind} {len(ms)}× p95 {self.p95(kind):.0f} ms"
                 + (f" {self.errors[kind]} errors" if self.errors.get(kind) else "")
                 for kind, ms in sorted(self.latencies_ms.items())]
        return ", ".join(parts) or "none"

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


@dataclass
class MixedStep:
    poll: Step
    mix: Mix


@dataclass
class MixedCurve:
    name: str
    steps: list[MixedStep] = field(default_factory=list)

    def polls(self) -> Curve:
        return Curve(self.name, [s.poll for s in self.steps])

    def best(self) -> MixedStep:
        """The busiest step whose polls and mixed work stay within the limits."""
        fine = [s for s in self.steps if s.poll.p95 <= P95_LIMIT_MS and not s.poll.errors
                and not s.mix.error_count]
        return max(fine, key=lambda s: s.poll.rps) if fine else self.steps[0]


Job = Callable[[Mix], None]


class Mixer:
    """Runs ``lead`` once per ``POLLS_PER_LEAD`` polls and ``bootstrap`` once per
    ``POLLS_PER_BOOTSTRAP``, as the pollers count them, on ``MIXERS`` threads."""

    def __init__(self, lead: Job, bootstrap: Job) -> None:
        self.lead, self.bootstrap = lead, bootstrap
        self.polls = 0
        self.lock = threading.Lock()
        self.ramp_polls = 0
        """Polls of the steps before this one: new phones are counted over the whole ramp
        (one step's polls would not reach one)."""
        self.bootstraps = 0

    def counting(self, pollers: Sequence[Poller]) -> list[Poller]:
        """The pollers, each poll counted."""
        def counted(poller: Poller) -> Poller:
            def request() -> tuple[str, dict[str, str]]:
                with self.lock:
                    self.polls += 1
                return poller.next_request()
            return Poller(request, poller.answered)
        return [counted(p) for p in pollers]

    @contextmanager
    def running(self) -> Iterator[Mix]:
        mix = Mix()
        with self.lock:
            self.polls = 0
        stop = threading.Event()
        taken = {"lead": 0, "bootstrap": 0}
        take_lock = threading.Lock()

        def next_job() -> Job | None:
            with take_lock, self.lock:
                polls = self.polls
                if self.ramp_polls + polls >= (self.bootstraps + 1) * POLLS_PER_BOOTSTRAP:
                    self.bootstraps += 1
                    taken["bootstrap"] += 1
                    return self.bootstrap
                if polls >= (taken["lead"] + 1) * POLLS_PER_LEAD:
                    taken["lead"] += 1
                    return self.lead
            return None

        def worker() -> None:
            while not stop.is_set():
                job = next_job()
                if job is None:
                    time.sleep(0.005)
                    continue
                job(mix)
                with mix.lock:
                    mix.done += 1

        threads = [threading.Thread(target=worker, daemon=True) for _ in range(MIXERS)]
        for thread in threads:
            thread.start()
        try:
            yield mix
        finally:
            stop.set()
            for thread in threads:
                thread.join(300)
            with self.lock:
                mix.due = self.polls // POLLS_PER_LEAD + taken["bootstrap"]
                self.ramp_polls += self.polls


def mixed_ramp(name: str, base: str, pollers: Sequence[Poller], mixer: Mixer,
               seconds: float) -> MixedCurve:
    """The ramp of bench.poll, with the mixer's work alongside each step."""
    curve = MixedCurve(name)
    counted = mixer.counting(pollers)
    for connections in RAMP:
        with mixer.running() as mix:
            step = drive(base, counted, connections, seconds)
        curve.steps.append(MixedStep(step, mix))
        progress(f"poll mixed, {name}: {connections} connections, {step.rps:,.0f} polls/s, "
                 f"p95 {step.p95:.1f} ms, {step.errors} errors; mixed work {mix.done}/"
                 f"{mix.due} due: {mix.text()} (load {os.getloadavg()[0]:.1f})")
        if step.p95 > P95_LIMIT_MS or step.errors or mix.error_count:
            break
    return curve


# --------------------------------------------------------------------------- Gridwork


def photo(tag: str) -> bytes:
    """400 kB that no other photo has (the court stores each content once)."""
    seed = hashlib.sha256(tag.encode()).digest()
    return b"\xff\xd8\xff\xe0" + (seed * (PHOTO_BYTES // len(seed) + 1))[:PHOTO_BYTES - 4]


@dataclass
class Pusher:
    """A phone of an assistant that serves a grid: signed in, bootstrapped at the field
    app's schema, pushing new leads with a photo."""

    phone: Phone
    lon: float
    lat: float
    pulled_at: int


@dataclass
class GridworkDay:
    """The mixed work against one Gridwork server, and what it acknowledged."""

    base: str
    url: str
    pushers: list[Pusher]
    newcomers: list[str]
    acknowledged: dict[str, str] = field(default_factory=dict)
    """lead id -> photo sha256, for every lead a push answered applied."""
    free: list[Pusher] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    count: int = 0
    attempted: int = 0
    """Leads whose photo and push were tried (acknowledged or given up after 3 tries)."""

    def __post_init__(self) -> None:
        self.free = list(self.pushers)

    def _take(self) -> Pusher:
        while True:
            with self.lock:
                if self.free:
                    return self.free.pop()
            time.sleep(0.002)

    def lead(self, mix: Mix) -> None:
        """Upload a photo (tus creation-with-upload), then push a lead that names it; a
        failed request is sent again, as the app's queue does (at most 3 times)."""
        pusher = self._take()
        try:
            with self.lock:
                self.count += 1
                self.attempted += 1
                n = self.count
            lead_id = str(uuid.uuid4())
            content = photo(lead_id)
            sha = hashlib.sha256(content).hexdigest()
            meta = ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in
                            (("sha256", sha), ("filetype", "image/jpeg"),
                             ("filename", f"{n}.jpg")))
            session = pusher.phone.session
            uploaded = self._send(mix, "photo upload", lambda: session.post(
                f"{self.base}/api/v1/attachments", data=content, timeout=60, headers={
                    "Tus-Resumable": "1.0.0", "Upload-Length": str(len(content)),
                    "Upload-Metadata": meta,
                    "Content-Type": "application/offset+octet-stream"}),
                lambda r: r.status_code == 201
                and r.headers.get("Upload-Offset") == str(len(content)))
            if not uploaded:
                return
            fields = lead_fields(n, pusher.lon, pusher.lat)
            raw = {"id": lead_id, "_status": "created", "_changed": "",
                   "kind": fields["kind"], "urgency": fields["urgency"],
                   "description": f"bench mix {lead_id}",
                   "lon": fields["point"]["lon"], "lat": fields["point"]["lat"],
                   "datum": "wgs84", "accuracy_m": None, "case_id": None,
                   "attachments": json.dumps([{"sha256": sha, "caption": "车"}])}
            params = {"last_pulled_at": pusher.pulled_at, "schema_version": SCHEMA}

            def applied(r: requests.Response) -> bool:
                return r.status_code == 200 and r.json()["counts"].get("applied") == 1

            if self._send(mix, "push", lambda: session.post(
                    f"{self.base}/api/v1/sync/watermelon", params=params, timeout=60,
                    json={"changes": {"lead": {"created": [raw], "updated": [],
                                               "deleted": []}}}), applied):
                with self.lock:
                    self.acknowledged[lead_id] = sha
        finally:
            with self.lock:
                self.free.append(pusher)

    @staticmethod
    def _send(mix: Mix, kind: str, call: Callable[[], requests.Response],
              ok: Callable[[requests.Response], bool]) -> bool:
        for _attempt in range(3):
            t0 = time.perf_counter()
            try:
                good = ok(call())
            except (requests.RequestException, ValueError, KeyError):
                good = False
            mix.add(kind, (time.perf_counter() - t0) * 1000, good)
            if good:
                return True
        return False

    def bootstrap(self, mix: Mix) -> None:
        """A new phone: sign in (a password hash) and pull the whole scope."""
        with self.lock:
            name = self.newcomers[self.count % len(self.newcomers)]
            self.count += 1
        t0 = time.perf_counter()
        try:
            phone = Phone(self.base, name, f"bench-new-{uuid.uuid4().hex[:8]}")
            answer = phone.session.get(f"{self.base}/api/v1/sync/watermelon", timeout=120,
                                       params={"schema_version": SCHEMA})
            ok = answer.status_code == 200
            phone.close()
        except requests.RequestException:
            ok = False
        mix.add("bootstrap", (time.perf_counter() - t0) * 1000, ok)

    def verify(self) -> tuple[bool, str]:
        """Every acknowledged lead on the server once, naming its photo, the photo whole."""
        ids = list(self.acknowledged)
        leads = query(self.url, "SELECT id, count(*) FROM lead WHERE id = ANY(%(ids)s) "
                                "GROUP BY id", ids=ids)
        tagged = query(self.url, "SELECT count(*) FROM lead WHERE description LIKE "
                                 "'bench mix %%'")[0][0]
        refs = dict(query(self.url, """
            SELECT r.record_id, r.sha256 FROM attachment_ref r
            JOIN attachment a ON a.court_id = r.court_id AND a.sha256 = r.sha256
            WHERE r.record_table = 'lead' AND r.record_id = ANY(%(ids)s)
              AND a.completed_at IS NOT NULL""", ids=ids))
        once = all(count == 1 for _, count in leads) and len(leads) == len(ids)
        photos = all(refs.get(i) == sha for i, sha in self.acknowledged.items())
        good = once and tagged == len(ids) and photos and len(ids) == self.attempted
        return good, (f"{len(ids):,} of {self.attempted:,} leads acknowledged, "
                      f"{len(leads):,} on the server, "
                      f"{tagged:,} bench leads in all, {sum(1 for i in ids if i in refs):,} "
                      f"with their photo complete")


def gridwork_day(base: str, url: str, pushers: int = 12) -> GridworkDay:
    """Pushing phones for ``pushers`` assistants (new devices of the polling assistants,
    from the end of the list) and the assistants whose new phones bootstrap."""
    assistants = serving_assistants(url, 10_000)
    chosen = assistants[-pushers:]

    def pusher(who: tuple[str, float, float]) -> Pusher:
        phone = Phone(base, who[0], f"bench-mix-{uuid.uuid4().hex[:8]}")
        first = phone.session.get(f"{base}/api/v1/sync/watermelon", timeout=300,
                                  params={"schema_version": SCHEMA})
        first.raise_for_status()
        return Pusher(phone, who[1], who[2], first.json()["timestamp"])

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        made = list(pool.map(pusher, chosen))
    return GridworkDay(base, url, made, [a[0] for a in assistants])


# --------------------------------------------------------------------------- Kinto


def following_kinto_pollers(kinto: Kinto, n: int, collection: str = "poll") -> list[Poller]:
    """``n`` basic-auth users polling ``_since`` the newest ``last_modified`` they saw (the
    collection's ETag to begin with), as a Kinto client follows a collection."""
    path = f"/v1/buckets/{BUCKET}/collections/{collection}/records"
    first = requests.get(f"{kinto.base}/buckets/{BUCKET}/collections/{collection}/records",
                         headers=basic_auth("phone0"), timeout=60)
    first.raise_for_status()
    start = int(first.headers["ETag"].strip('"'))

    def poller(k: int) -> Poller:
        headers = basic_auth(f"phone{k}")
        state = {"since": start}

        def answered(body: bytes) -> bool:
            data = json.loads(body)["data"]
            if data:
                state["since"] = max(state["since"], *(r["last_modified"] for r in data))
            return bool(data)

        return Poller(lambda: (f"{path}?" + urlencode(
            {"_since": state["since"], "_sort": "last_modified"}), headers), answered)

    return [poller(k) for k in range(n)]


@dataclass
class KintoDay:
    kinto: Kinto
    collection: str = "poll"
    created: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def lead(self, mix: Mix) -> None:
        record_id = str(uuid.uuid4())
        body = {"data": {"id": record_id, **lead_fields(len(self.created), 116.4, 39.9),
                         "description": f"bench mix {record_id}"}}
        url = f"{self.kinto.base}/buckets/{BUCKET}/collections/{self.collection}/records/" \
              f"{record_id}"
        for _attempt in range(3):
            t0 = time.perf_counter()
            kind = "create"
            try:
                answer = requests.put(url, json=body, headers=basic_auth("pusher"), timeout=60)
                ok = answer.status_code in (200, 201)
                if answer.status_code == 409 and answer.json().get("errno") == RETRY_ERRNO:
                    kind = "create 409 retried"  # Kinto's "please retry", as row 1 treats it
            except (requests.RequestException, ValueError):
                ok = False
            mix.add(kind, (time.perf_counter() - t0) * 1000, ok or kind != "create")
            if ok:
                with self.lock:
                    self.created.append(record_id)
                return

    def bootstrap(self, mix: Mix) -> None:
        t0 = time.perf_counter()
        try:
            total = self.kinto.read_since(self.collection, 1000)
            ok = total > 0
        except requests.RequestException:
            ok = False
        mix.add("bootstrap", (time.perf_counter() - t0) * 1000, ok)

    def verify(self) -> tuple[bool, str]:
        have = 0
        for start in range(0, len(self.created), 50):
            ids = ",".join(self.created[start:start + 50])
            answer = requests.get(
                f"{self.kinto.base}/buckets/{BUCKET}/collections/{self.collection}/records",
                params={"in_id": ids, "_limit": 100}, headers=basic_auth("reader"),
                timeout=60)
            answer.raise_for_status()
            have += len(answer.json()["data"])
        return have == len(self.created), f"{len(self.created):,} created, {have:,} read back"


# --------------------------------------------------------------------------- the rows


def mixed_note(curve: MixedCurve) -> str:
    return "; ".join(f"{s.poll.connections} conn {s.poll.rps:,.0f} polls/s p95 "
                     f"{s.poll.p95:.0f} ms" + (f" {s.poll.errors} errors" if s.poll.errors
                                                else "") + f" [{s.mix.text()}]"
                     for s in curve.steps)


def row_poll_mixed(base: str, url: str, kinto: Kinto, phones: int, seconds: float) -> list[Row]:
    """The WatermelonDB poll with a day's work mixed in, against Kinto with comparable
    work; the curve as a second PNG."""
    from bench.poll import kinto_pollers

    progress(f"poll mixed: signing in and bootstrapping {phones} assistants (WatermelonDB)")
    melon = signed_in(base, url, phones, "mixmelon", watermelon_poller)
    progress("poll mixed: signing in and bootstrapping the pushing phones")
    day = gridwork_day(base, url)
    kinto_pollers(kinto, 1, 114)  # the collection and its 114 records, as the empty row
    theirs = following_kinto_pollers(kinto, phones)
    kday = KintoDay(kinto)
    ours_curve = mixed_ramp("Gridwork WatermelonDB pull, day's work", base, melon,
                            Mixer(day.lead, day.bootstrap), seconds)
    peer_curve = mixed_ramp("Kinto _since, comparable work", kinto.base.removesuffix("/v1"),
                            theirs, Mixer(kday.lead, kday.bootstrap), seconds)
    ok_ours, said_ours = day.verify()
    ok_peer, said_peer = kday.verify()
    for pusher in day.pushers:
        pusher.phone.close()
    from bench.poll import draw

    draw([ours_curve.polls(), peer_curve.polls()], CURVE_MIXED,
         title=f"Poll with a day's work mixed in: 1 lead + photo per {POLLS_PER_LEAD} polls, "
               f"1 new phone per {POLLS_PER_BOOTSTRAP}")
    progress(f"poll mixed: every acknowledged lead once: {ok_ours} ({said_ours}); "
             f"Kinto: {ok_peer} ({said_peer})")
    ours, peer = ours_curve.best(), peer_curve.best()
    ratio = ours.poll.rps / peer.poll.rps if peer.poll.rps else 0.0
    return [
        Row(f"8b poll with a day's work mixed in, WatermelonDB pull, {phones} phones",
            ours.poll.rps, "polls/s", "Kinto _since with creates", peer.poll.rps,
            "every acknowledged lead once; >= 2x Kinto",
            ok_ours and ratio >= 2,
            note=f"best step {ours.poll.connections} connections, poll p95 "
                 f"{ours.poll.p95:.1f} ms, {ours.poll.rps * CADENCE_S / CORES:,.0f} phones "
                 f"per core (Kinto {peer.poll.connections} connections, p95 "
                 f"{peer.poll.p95:.1f} ms, {peer.poll.rps * CADENCE_S / CORES:,.0f}); mixed "
                 f"work at that step: {ours.mix.text()} (Kinto: {peer.mix.text()}); "
                 f"every acknowledged lead on the server once with its photo: "
                 f"{'yes' if ok_ours else 'NO'} ({said_ours}); Kinto: "
                 f"{'yes' if ok_peer else 'NO'} ({said_peer}); ramp: "
                 + mixed_note(ours_curve) + "; Kinto's ramp: " + mixed_note(peer_curve)),
    ]


def row_poll_two_hosts(base: str, one_host: str, url: str, phones: int,
                       seconds: float) -> list[Row]:
    """The empty WatermelonDB poll through HAProxy to two API hosts, then against one of
    them directly, on the same cluster and database."""
    from bench.poll import draw, ramp

    progress(f"poll, two hosts: signing in and bootstrapping {phones} assistants")
    melon = signed_in(base, url, phones, "ha", watermelon_poller)
    both = ramp("Gridwork WatermelonDB pull, HAProxy -> 2 hosts x 2 workers", base, melon,
                seconds)
    one = ramp("Gridwork WatermelonDB pull, 1 host x 2 workers (no HAProxy)", one_host,
               melon, seconds)
    draw([both, one], ROOT / "bench" / "poll-curve-two-hosts.png",
         title="Poll with nothing new on the HA set (Patroni, synchronous standby)")
    a, b = both.best(), one.best()
    return [
        Row(f"8c poll with nothing new, WatermelonDB pull, {phones} phones, HAProxy to "
            "two API hosts", a.rps, "polls/s", "one of the hosts alone", b.rps,
            note=f"best step {a.connections} connections, p95 {a.p95:.1f} ms, "
                 f"{a.rps * CADENCE_S / CORES:,.0f} phones per core (one host: "
                 f"{b.connections} connections, p95 {b.p95:.1f} ms); ramp: "
                 + ramp_text(both) + "; one host's ramp: " + ramp_text(one)),
    ]



def two_hosts(phones: int, seconds: float) -> list[Row]:
    """Row 8c on ``scripts/hacluster.py``'s set, started on its own ports and folder
    (``GRIDWORK_HA_PORT_BASE``, default here 56400; ``.bench/ha``) and stopped after. Run it
    alone (``--only poll-ha``): the demo county is sealed with the hosts' key."""
    import sys

    from bench.common import BENCH_DIR

    os.environ.setdefault("GRIDWORK_HA_PORT_BASE", "56400")
    os.environ.setdefault("GRIDWORK_HA_DIR", str(BENCH_DIR / "ha"))
    sys.path.insert(0, str(ROOT / "scripts"))
    import hacluster  # stdlib only; its ports are read from the environment above

    os.environ.update(hacluster.keys())
    os.environ["LOGIN_RATE_LIMIT"] = "100000 per minute"
    progress(f"poll, two hosts: starting the HA set on ports {hacluster.PORT_BASE}+ "
             f"in {hacluster.base_dir()}")
    hacluster.cmd_start()
    try:
        from bench.demo_data import migrated_seeded

        url = migrated_seeded(hacluster.write_url("postgres"), "gridwork_bench", 1)
        hacluster.cmd_api("gridwork_bench")
        return row_poll_two_hosts(f"http://{hacluster.HOST}:{hacluster.HTTP_PORT}",
                                  f"http://{hacluster.HOST}:{hacluster.API_PORT_BASE + 1}",
                                  url, phones, seconds)
    finally:
        hacluster.cmd_stop()
