"""gunicorn settings for ``make serve`` and production (``gunicorn -c gunicorn.conf.py wsgi:app``).

Every value can be overridden with an environment variable, e.g. ``WEB_CONCURRENCY=8``.
The app's database pool is sized from the thread count, so that a busy worker never
waits for a connection another of its own threads holds.
"""

import multiprocessing
import os
import shutil
import tempfile

_cores = multiprocessing.cpu_count()

bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# Requests mostly wait on PostgreSQL: a couple of processes per core, a few threads each.
workers = int(os.environ.get("WEB_CONCURRENCY", str(max(2, _cores * 2))))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
# A push that is still being applied when SIGTERM arrives gets this long to finish.
graceful_timeout = int(os.environ.get("GRACEFUL_TIMEOUT", "30"))
timeout = int(os.environ.get("REQUEST_TIMEOUT", "60"))
keepalive = 5
# A worker is replaced after this many requests (leak insurance). Starting one costs ~2.8 s
# of CPU (importing the app) and its warm caches: every 5,000 requests that was ~0.5 ms
# of CPU per poll, about a sixth of one (bench/profile-findings.md, finding 35).
max_requests = int(os.environ.get("MAX_REQUESTS", "100000"))
max_requests_jitter = max_requests // 10
accesslog = None  # the app logs each request itself, as JSON, with its request id

# HTTPS (issue 27; `make serve` sets TLS=on): the field app works offline only in a secure
# context. The court's own certificate, or one from the private authority in .data/tls.
if os.environ.get("TLS", "off") == "on":
    if os.environ.get("TLS_CERT_FILE"):
        certfile = os.environ["TLS_CERT_FILE"]
        keyfile = os.environ.get("TLS_KEY_FILE", certfile)
    else:
        from api import court_tls

        _tls = court_tls.ensure(os.environ.get("TLS_HOSTS", "localhost,127.0.0.1").split(","),
                                court_tls.DEFAULT_DIR, os.environ.get("TLS_COURT_NAME", "Court"))
        certfile, keyfile = str(_tls.cert_file), str(_tls.key_file)

os.environ.setdefault("DATABASE_POOL_SIZE", str(threads + 1))
# Metrics from all workers are summed at /metrics through files in this folder.
if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
    _metrics_dir = tempfile.mkdtemp(prefix="gridwork-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir

    def on_exit(server):  # gunicorn hook
        shutil.rmtree(_metrics_dir, ignore_errors=True)


def child_exit(server, worker):  # gunicorn hook
    # Imported here: prometheus_client picks its storage when first imported, which must
    # happen after PROMETHEUS_MULTIPROC_DIR is set above.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker):  # gunicorn hook: the worker has loaded the app
    # The app's modules, models and metadata are ~400,000 objects that live as long as
    # the worker. Python's full garbage collection walks every tracked object: during a
    # bootstrap (thousands of records per page) that was 250 ms each time it ran. Frozen,
    # they are skipped; what requests allocate is still collected as before.
    import gc

    gc.collect()
    gc.freeze()


def on_starting(server):  # gunicorn hook: in the master, before any worker starts
    # A bad setting stops gunicorn with its one line, rather than every worker failing to
    # boot in turn.
    from api.config import Config, SettingsError

    try:
        Config.load()
    except SettingsError as error:
        raise SystemExit(f"error: {error}") from None
