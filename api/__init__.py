"""The HTTP layer: app factory, one blueprint per resource, problem+json errors."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask

from api import headers, i18n, input_guard, observability, problems, ratelimit
from api.config import Config
from api.smorest import Api
from enforcement.infrastructure import crypto
from enforcement.infrastructure.db import Database
from enforcement.infrastructure.tokens import TokenSettings


@dataclass
class Gridwork:
    """What the app shares between requests; reach it as ``current_app.extensions["gridwork"]``."""

    db: Database
    tokens: TokenSettings


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` overrides settings read from the environment (tests use it)."""
    app = Flask("gridwork")
    app.config.from_mapping(Config.load(config))
    crypto.configure(crypto.resolve_key(app.config["PERSONAL_DATA_KEY"],
                                        app.config["GRIDWORK_ENV"]),
                     crypto.parse_old_keys(app.config["PERSONAL_DATA_OLD_KEYS"]))
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    observability.configure_logging(app.config["LOG_LEVEL"], _json_logs(app.config))

    app.extensions["gridwork"] = Gridwork(
        db=Database(app.config["DATABASE_URL"], pool_size=app.config["DATABASE_POOL_SIZE"]),
        tokens=TokenSettings(
            secret=app.config["SECRET_KEY"],
            access_ttl=timedelta(minutes=app.config["ACCESS_TOKEN_MINUTES"]),
            refresh_ttl=timedelta(days=app.config["REFRESH_TOKEN_DAYS"]),
            previous=tuple(app.config["SECRET_KEY_PREVIOUS"].replace(",", " ").split()),
        ),
    )
    _behind_trusted_proxies(app)
    observability.init_app(app)
    i18n.init_app(app)
    _one_connection_per_request(app)
    headers.init_app(app)
    input_guard.init_app(app)
    problems.register(app)
    _register_blueprints(app)
    _register_cli(app)
    return app


def _json_logs(config: Mapping[str, Any]) -> bool:
    """JSON lines when asked, or in production (for journald and Loki); text at a terminal,
    where an operator runs ``flask`` commands."""
    if config["LOG_FORMAT"]:
        return config["LOG_FORMAT"] == "json"
    return config["GRIDWORK_ENV"] == "production"


def _behind_trusted_proxies(app: Flask) -> None:
    """With ``TRUSTED_PROXIES`` = N, the client's address (for the sign-in limit, the
    lock-out, the audit log and /metrics) is the N-th from the right of X-Forwarded-For:
    what the N proxies in front of the app saw, not what a client wrote in the header.
    With 0 (the default) the header is ignored altogether."""
    hops = app.config["TRUSTED_PROXIES"]  # the settings model refuses a negative number
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops,  # type: ignore[method-assign]
                                x_host=hops)


def _one_connection_per_request(app: Flask) -> None:
    """Authentication and the use case of a request share one pooled connection."""
    from flask import g

    def take(_: Any = None) -> None:
        scope = app.extensions["gridwork"].db.one_connection()
        scope.__enter__()
        g.gridwork_connection = scope

    def give_back(_: BaseException | None = None) -> None:
        scope = g.pop("gridwork_connection", None)
        if scope is not None:
            scope.__exit__(None, None, None)

    app.before_request(take)
    app.teardown_request(give_back)


def _register_blueprints(app: Flask) -> None:
    from api.admin.page import blp as admin_page_blp
    from api.admin.routes import blp as admin_blp
    from api.attachments.routes import blp as attachments_blp
    from api.auth.routes import blp as auth_blp
    from api.cases.routes import blp as cases_blp
    from api.cases.routes import wanted_blp
    from api.console.routes import blp as console_blp
    from api.credit_repairs.routes import blp as credit_repairs_blp
    from api.devices.routes import blp as devices_blp
    from api.docs import blp as docs_blp
    from api.feed.routes import blp as feed_blp
    from api.field_app.routes import blp as field_app_blp
    from api.field_app.settings import blp as field_app_settings_blp
    from api.geo.routes import blp as geo_blp
    from api.geo.routes import tiles_blp
    from api.health.routes import blp as health_blp
    from api.judicial_aid.routes import blp as judicial_aid_blp
    from api.leads.routes import blp as leads_blp
    from api.linkage.routes import blp as linkage_blp
    from api.me.routes import blp as me_blp
    from api.measures.routes import blp as measures_blp
    from api.mediation_notes.routes import blp as mediation_notes_blp
    from api.party_feedback.routes import blp as party_feedback_blp
    from api.public.page import blp as public_page_blp
    from api.public.routes import blp as public_blp
    from api.query_codes.routes import blp as query_codes_blp
    from api.reports.routes import blp as reports_blp
    from api.rounds.routes import blp as rounds_blp
    from api.settlements.routes import blp as settlements_blp
    from api.sightings.routes import blp as sightings_blp
    from api.supervision.routes import blp as supervision_blp
    from api.sync.routes import blp as sync_blp
    from api.tasks.routes import blp as tasks_blp
    from api.users.routes import blp as users_blp

    api = Api(app, spec_kwargs={
        "info": {"description": API_DESCRIPTION},
        "servers": [{"url": "/"}],
    })
    app.register_blueprint(health_blp)
    app.register_blueprint(docs_blp)
    app.register_blueprint(admin_page_blp)
    app.register_blueprint(console_blp)
    app.register_blueprint(field_app_blp)
    app.register_blueprint(public_page_blp)
    ratelimit.init_app(app, [auth_blp, admin_page_blp], [public_blp, public_page_blp])
    api.register_blueprint(auth_blp, url_prefix="/api/v1/auth")
    api.register_blueprint(me_blp, url_prefix="/api/v1/me")
    api.register_blueprint(devices_blp, url_prefix="/api/v1/devices")
    api.register_blueprint(users_blp, url_prefix="/api/v1/users")
    api.register_blueprint(leads_blp, url_prefix="/api/v1/leads")
    api.register_blueprint(cases_blp, url_prefix="/api/v1/cases")
    api.register_blueprint(wanted_blp, url_prefix="/api/v1/wanted")
    api.register_blueprint(sightings_blp, url_prefix="/api/v1/sightings")
    api.register_blueprint(feed_blp, url_prefix="/api/v1/feed")
    api.register_blueprint(mediation_notes_blp, url_prefix="/api/v1/mediation-notes")
    api.register_blueprint(settlements_blp, url_prefix="/api/v1/settlements")
    api.register_blueprint(tasks_blp, url_prefix="/api/v1/tasks")
    api.register_blueprint(sync_blp, url_prefix="/api/v1/sync")
    api.register_blueprint(geo_blp, url_prefix="/api/v1/geo")
    api.register_blueprint(tiles_blp, url_prefix="/api/v1/tiles")
    api.register_blueprint(rounds_blp, url_prefix="/api/v1/rounds")
    api.register_blueprint(attachments_blp, url_prefix="/api/v1/attachments")
    api.register_blueprint(supervision_blp, url_prefix="/api/v1/supervision")
    api.register_blueprint(linkage_blp, url_prefix="/api/v1/linkage")
    api.register_blueprint(judicial_aid_blp, url_prefix="/api/v1/judicial-aid")
    api.register_blueprint(reports_blp, url_prefix="/api/v1/reports")
    api.register_blueprint(admin_blp, url_prefix="/api/v1/admin")
    api.register_blueprint(measures_blp, url_prefix="/api/v1/parties")
    api.register_blueprint(credit_repairs_blp, url_prefix="/api/v1/credit-repairs")
    api.register_blueprint(public_blp, url_prefix="/api/v1/public")
    api.register_blueprint(query_codes_blp, url_prefix="/api/v1/query-codes")
    api.register_blueprint(party_feedback_blp, url_prefix="/api/v1/party-feedback")
    api.register_blueprint(field_app_settings_blp, url_prefix="/api/v1/field-app/settings")


def _register_cli(app: Flask) -> None:
    from api.attachments.cli import attachments_cli
    from api.commands import audit_cli, backup_command, keys_cli, restore_command
    from api.geo.cli import geo_cli
    from api.public.cli import public_cli
    from api.sync.cli import sync_cli
    from seed.cli import seed

    for command in (seed, audit_cli, backup_command, restore_command, geo_cli, sync_cli,
                    attachments_cli, keys_cli, public_cli):
        app.cli.add_command(_one_line_when_unreachable(command))


def _one_line_when_unreachable(command: Any) -> Any:
    """Every operator command (and those of its groups): a database that is down or
    missing is one line saying which and exit status 1, never a driver's traceback."""
    import click
    import sqlalchemy as sa

    for sub in getattr(command, "commands", {}).values():
        _one_line_when_unreachable(sub)
    callback = command.callback
    if callback is None:
        return command

    @functools.wraps(callback)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return callback(*args, **kwargs)
        except sa.exc.OperationalError as exc:
            reason = str(exc.orig).strip().splitlines()[-1].strip() if exc.orig else str(exc)
            raise click.ClickException(
                f"database_unavailable: {reason} (check DATABASE_URL)") from None

    command.callback = guarded
    return command


API_DESCRIPTION = """\
Gridwork is the backend for grid-based court enforcement (网格化执行): village grid
assistants report leads, sightings and mediation notes from their phones, field teams
plan concentrated enforcement rounds, and the court reviews what each lead led to.

Sign in with `POST /api/v1/auth/login`, then send `Authorization: Bearer <access_token>`.
Every error is `application/problem+json` with a stable `code` and a `title` in the
language of `Accept-Language` (zh-CN by default, or en).
"""
