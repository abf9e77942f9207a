"""Request ids, structured logs (structlog) and Prometheus metrics.

A request id ties a user's complaint ("the app said 服务器内部错误") to the log line:
the API returns it in ``X-Request-ID`` and in every problem+json body, and every line
logged while a request runs (its access line, the traceback of a 500) carries it, with
the route and the signed-in user's and court's ids, bound through contextvars. Logs carry
ids, routes and timings, never names, identity numbers, phone numbers or bodies.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import re
import sys
import time
import uuid
from collections.abc import Iterable
from typing import Any

import structlog
from flask import Flask, Response, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from api.metrics_collectors import DatabaseGaugeCollector, watch_pool
from enforcement.errors import NotFound

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
access_log = structlog.stdlib.get_logger("gridwork.access")


QUIET_LOGGERS = ("alembic.runtime.plugins",)
"""Loggers whose INFO lines are set-up chatter: Alembic 1.16+ announces each of its plugins
when imported, which put seven lines before the output of every ``flask`` command."""

_SHARED: list[Any] = [
    structlog.contextvars.merge_contextvars,  # request_id, method, route, user_id, court_id
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True, key="ts"),
]
"""What every line gets, from structlog loggers and the standard library's alike."""


def _house_order(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    """``ts level logger msg`` first, the traceback (``exc``) last, as the lines always were."""
    if "exception" in event:
        event["exc"] = event.pop("exception")
    first: dict[str, Any] = {k: event.pop(k) for k in ("ts", "level", "logger", "msg")
                             if k in event}
    last = {"exc": event.pop("exc")} if "exc" in event else {}
    return {**first, **event, **last}


def log_formatter(json_logs: bool) -> logging.Formatter:
    """JSON lines (``ts``, ``level``, ``logger``, ``msg``, the request's context, ``exc``
    with the traceback) for journald and Loki; readable lines for a terminal."""
    renderer: list[Any]
    if json_logs:
        renderer = [structlog.processors.format_exc_info,
                    structlog.processors.EventRenamer("msg"), _house_order,
                    structlog.processors.JSONRenderer(ensure_ascii=False, default=str)]
    else:
        renderer = [structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty(),
                                                  timestamp_key="ts")]
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_SHARED,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *renderer],
    )


def configure_logging(level: str = "INFO", json_logs: bool = True) -> None:
    """Logs go to stderr, so a command's output on stdout stays clean."""
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    root = logging.getLogger()
    if any(getattr(h, "_gridwork", False) for h in root.handlers):
        return
    structlog.configure(
        processors=[*_SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler._gridwork = True  # type: ignore[attr-defined]
    handler.setFormatter(log_formatter(json_logs))
    if json_logs:
        root.handlers = [h for h in root.handlers if not isinstance(h, logging.StreamHandler)]
    root.addHandler(handler)
    root.setLevel(level)


def bind_principal(principal: Any) -> None:
    """Every later line of this request names who made it (ids only, never names)."""
    structlog.contextvars.bind_contextvars(user_id=principal.user_id,
                                           court_id=principal.court_id)


class Metrics:
    """The app's own registry, so several apps in one process (tests) do not collide."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "gridwork_http_requests", "HTTP requests by route and status",
            ["method", "route", "status"], registry=self.registry,
        )
        self.latency = Histogram(
            "gridwork_http_request_seconds", "HTTP request latency by route",
            ["method", "route"], registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.sync_pushes = Counter(
            "gridwork_sync_pushes", "Sync pushes answered 200", registry=self.registry,
        )
        self.sync_pulls = Counter(
            "gridwork_sync_pulls", "Sync pulls answered 200 (bootstrap: without a cursor)",
            ["kind"], registry=self.registry,
        )
        self.sync_mutations = Counter(
            "gridwork_sync_mutations", "Pushed mutations by table and result "
            "(applied, merged, conflict, rejected)",
            ["table", "result"], registry=self.registry,
        )
        # livesum: under gunicorn each worker's pool is added up (dead workers drop out).
        self.pool = {
            name: Gauge(f"gridwork_db_pool_{name}", help_text, registry=self.registry,
                        multiprocess_mode="livesum")
            for name, help_text in (
                ("size", "Connections each pool keeps open"),
                ("checked_out", "Connections in use by requests now"),
                ("overflow", "Connections open beyond the pool size now"),
            )
        }


def count_sync_push(results: Iterable[Any]) -> None:
    """Count a push that was answered, and each of its mutations by table and result."""
    metrics: Metrics = current_app.extensions["gridwork.metrics"]
    metrics.sync_pushes.inc()
    counted: dict[tuple[str, str], int] = {}
    for result in results:
        key = (result.table, str(result.status))
        counted[key] = counted.get(key, 0) + 1
    for (table, status), n in counted.items():  # once per kind, not once per mutation
        metrics.sync_mutations.labels(table, status).inc(n)


def count_sync_pull(bootstrap: bool) -> None:
    metrics: Metrics = current_app.extensions["gridwork.metrics"]
    metrics.sync_pulls.labels("bootstrap" if bootstrap else "incremental").inc()


def current_request_id() -> str | None:
    return g.get("request_id")


def _start_request() -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
    g.started_at = time.perf_counter()
    # Threads serve one request after another: nothing of the previous one may stay bound.
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(
        request_id=g.request_id, method=request.method,
        route=request.url_rule.rule if request.url_rule else "<unmatched>")


def _end_request(_: BaseException | None = None) -> None:
    structlog.contextvars.clear_contextvars()


def _finish_request(response: Response) -> Response:
    request_id = g.get("request_id")
    if request_id:
        response.headers[REQUEST_ID_HEADER] = request_id
    route = request.url_rule.rule if request.url_rule else "<unmatched>"
    elapsed = time.perf_counter() - g.get("started_at", time.perf_counter())
    metrics: Metrics = current_app.extensions["gridwork.metrics"]
    metrics.requests.labels(request.method, route, str(response.status_code)).inc()
    metrics.latency.labels(request.method, route).observe(elapsed)
    # request_id, method, route, user_id and court_id come from the bound context.
    access_log.info("request", status=response.status_code, ms=round(elapsed * 1000, 1))
    return response


def metrics_view() -> Response:
    """Prometheus scrape endpoint: only from METRICS_ALLOW_FROM networks or with the token."""
    if not _metrics_allowed():
        raise NotFound()
    registry = current_app.extensions["gridwork.metrics"].registry
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Under gunicorn every worker counts on its own; add them all up.
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(DatabaseGaugeCollector(current_app.extensions["gridwork"].db))
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


def _metrics_allowed() -> bool:
    """The token opens it from anywhere; without it, only a direct caller from an allowed
    network. A request a proxy forwarded (it carries X-Forwarded-For or Forwarded) needs the
    token: a proxy on this machine would otherwise open /metrics to whoever it serves."""
    token = current_app.config.get("METRICS_TOKEN") or ""
    sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if token and sent and hmac.compare_digest(token, sent):
        return True
    if "X-Forwarded-For" in request.headers or "Forwarded" in request.headers:
        return False
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    networks = [n.strip() for n in current_app.config["METRICS_ALLOW_FROM"].split(",")]
    return any(address in ipaddress.ip_network(n, strict=False) for n in networks if n)


def init_app(app: Flask) -> None:
    metrics = Metrics()
    app.extensions["gridwork.metrics"] = metrics
    db = app.extensions["gridwork"].db
    watch_pool(db.engine, metrics.pool)
    metrics.registry.register(DatabaseGaugeCollector(db))
    app.before_request(_start_request)
    app.after_request(_finish_request)
    app.teardown_request(_end_request)
    app.add_url_rule("/metrics", "metrics", metrics_view)
