"""Configuration: one typed model (pydantic-settings) read from environment variables, with
safe defaults for local use.

A bad value stops the app at start-up with one line that names the setting and what it
accepts, rather than failing later inside a request or running on a typo. docs/configuration.md's
table of the application's settings is generated from this model (``python -m
api.config_reference``); add a setting here with a ``description`` and it is documented.
"""

from __future__ import annotations

import contextvars
import ipaddress
import os
import typing
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, EnvSettingsSource, SettingsConfigDict
from pydantic_settings.sources.utils import parse_env_vars

from enforcement.infrastructure import local_keys
from enforcement.infrastructure.crypto import PersonalDataKeyError, parse_old_keys, resolve_key

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:54329/gridwork"

FLASK_SETTINGS: dict[str, Any] = {
    "API_TITLE": "Gridwork API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    "OPENAPI_SWAGGER_UI_URL": "/api/v1/docs/assets/",
    "OPENAPI_SWAGGER_UI_CONFIG": {"persistAuthorization": True},
    "JSON_SORT_KEYS": False,
}
"""Fixed settings of Flask and flask-smorest: not read from the environment."""


class SettingsError(RuntimeError):
    """A setting has a value the app cannot run with; the message is one line for operators."""


def _networks(value: str) -> str:
    for part in value.split(","):
        if part.strip():
            ipaddress.ip_network(part.strip(), strict=False)
    return value


def _rate_limits(value: str) -> str:
    if value != "off":
        from limits import parse_many

        parse_many(value)
    return value


def _database_url(value: str) -> str:
    from sqlalchemy.engine import make_url

    if not make_url(value).drivername.startswith("postgresql"):
        raise ValueError("not a PostgreSQL URL")
    return value


def _redis_url(value: str) -> str:
    if value and not value.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError("not a Redis URL")
    return value


Count = Annotated[int, Field(ge=1)]
Networks = Annotated[str, AfterValidator(_networks)]
RateLimits = Annotated[str, AfterValidator(_rate_limits)]
LogLevel = Annotated[Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"],
                     BeforeValidator(lambda v: v.upper() if isinstance(v, str) else v)]


def _doc(text: str, shown_default: str | None = None, secret: bool = False,
         accepts: str | None = None) -> Any:
    """``Field`` arguments: the documentation's text and default, whether an error message
    may echo the value, and what the setting accepts when the type does not say it."""
    extra: dict[str, Any] = {"secret": secret}
    if accepts is not None:
        extra["accepts"] = accepts
    if shown_default is not None:
        extra["shown_default"] = shown_default
    return {"description": text, "json_schema_extra": extra}


_ENVIRON: contextvars.ContextVar[Mapping[str, str] | None] = contextvars.ContextVar(
    "gridwork_config_environ", default=None)


class _Environ(EnvSettingsSource):
    """Environment variables from ``Config.load(environ=…)`` when given, else ``os.environ``."""

    def _load_env_vars(self) -> Mapping[str, str | None]:
        environ = _ENVIRON.get()
        if environ is None:
            return super()._load_env_vars()
        return parse_env_vars(environ, self.case_sensitive, self.env_ignore_empty,
                              self.env_parse_none_str)


class Config(BaseSettings):
    """Every setting the app reads. Override with environment variables of the same names
    or, in tests, with the mapping passed to ``create_app``. An empty variable means the
    default."""

    model_config = SettingsConfigDict(case_sensitive=True, env_ignore_empty=True,
                                      validate_default=True, extra="ignore")

    GRIDWORK_ENV: Literal["development", "production"] = Field("development", **_doc(
        "`production` refuses to start (one line on stderr, exit status 1) unless "
        "`SECRET_KEY` and `PERSONAL_DATA_KEY` are set, and never generates a key"))
    DATABASE_URL: Annotated[str, AfterValidator(_database_url)] = Field(
        DEFAULT_DATABASE_URL, **_doc(
            "PostgreSQL 15+ with PostGIS 3; `postgresql://…` URLs work too. When set, `make` "
            "installs no PostgreSQL packages and starts no private cluster",
            f"`{DEFAULT_DATABASE_URL}` (the private cluster)", secret=True,
            accepts="a PostgreSQL URL such as postgresql+psycopg://user@host:port/database"))
    DATABASE_POOL_SIZE: Count = Field(5, **_doc(
        "connections each process keeps open for units of work; single reads (an "
        "up-to-date phone's poll) keep as many again, so up to twice this per process",
        "`5` (gunicorn: threads + 1)"))
    PRIVATE_DATA_DIR: str = Field(local_keys.DEFAULT_FOLDER, **_doc(
        "outside production, where the installation's own `SECRET_KEY` and "
        "`PERSONAL_DATA_KEY` are generated on first start (files `secret_key`, "
        "`personal_data_key`, mode 0600, folder 0700) and read on every restart; a key file "
        "others may read is refused. See [security.md](security.md)", accepts="a folder"))
    SECRET_KEY: str = Field("", **_doc(
        "signs access tokens (HS256); at least 32 bytes. Each token's header names its key "
        "(`kid`)", "empty: outside production, the key in `PRIVATE_DATA_DIR/secret_key` "
        "(generated once); required in production", secret=True,
        accepts="text of at least 32 bytes"))
    SECRET_KEY_PREVIOUS: str = Field("", **_doc(
        "comma-separated signing keys from before a rotation: they still verify the tokens "
        "they signed (at most `ACCESS_TOKEN_MINUTES` old), never sign. Drop them once that "
        "time has passed", secret=True, accepts="comma-separated keys of at least 32 bytes"))
    PERSONAL_DATA_KEY: str = Field("", **_doc(
        "base64 of 32 random bytes (`python -c \"import os,base64;"
        "print(base64.b64encode(os.urandom(32)).decode())\"`): the AES-256-GCM key that "
        "encrypts parties' identity and phone numbers, liaison and user phones at rest. "
        "Migrations and `flask restore` need the same key as the data; keep it apart from "
        "backups. A wrong key fails loudly (`PersonalDataKeyError`), never shows garbage",
        "empty: outside production, the key in `PRIVATE_DATA_DIR/personal_data_key` "
        "(generated once); required in production", secret=True,
        accepts="base64 of 32 bytes"))
    PERSONAL_DATA_OLD_KEYS: str = Field("", **_doc(
        "comma-separated personal-data keys from before a rotation: they only open values "
        "they sealed; new values are sealed with `PERSONAL_DATA_KEY` (see "
        "[security.md](security.md#rotating-keys))", secret=True,
        accepts="comma-separated base64 keys of 32 bytes"))
    TRUSTED_PROXIES: Annotated[int, Field(ge=0)] = Field(0, **_doc(
        "how many reverse proxies (nginx, the court's gateway) stand in front of the app. "
        "With `N`, the client's address is the `N`-th address from the right of "
        "`X-Forwarded-For` (and scheme and host from `X-Forwarded-Proto` / `-Host`), for the "
        "sign-in limit, the lock-out, the audit log and `/metrics`; with `0` those headers "
        "are ignored, so a client cannot choose its own address. Set it to exactly the "
        "number of proxies that add the header"))
    ACCESS_TOKEN_MINUTES: Count = Field(15, **_doc("lifetime of an access token"))
    REFRESH_TOKEN_DAYS: Count = Field(30, **_doc(
        "lifetime of a refresh token (each is single use)"))
    MAX_CONTENT_LENGTH: Count = Field(2 * 1024 * 1024, **_doc(
        "largest request body in bytes; larger gets 413"))
    DEFAULT_LOCALE: Literal["zh-CN", "en"] = Field("zh-CN", **_doc(
        "language of error titles when `Accept-Language` names neither zh nor en"))
    ATTACHMENTS_DIR: str = Field(".data/attachments", **_doc(
        "where photos, recordings and signed forms are stored (and backed up from)",
        accepts="a folder"))
    ATTACHMENT_MAX_BYTES: Count = Field(50 * 1024 * 1024, **_doc(
        "largest attachment a phone may declare or send; larger gets 413 "
        "`attachment_too_large`", "`52428800` (50 MiB)"))
    ATTACHMENT_UPLOAD_EXPIRY_HOURS: Count = Field(168, **_doc(
        "an unfinished upload left untouched this long expires (tus `Upload-Expires`) and "
        "`flask attachments expire` deletes it", "`168` (7 days)"))
    ATTACHMENT_CONTENT_TYPES: str = Field(
        "image/jpeg,image/png,image/webp,image/heic,audio/mp4,audio/x-m4a,audio/aac,"
        "audio/mpeg,audio/amr,application/pdf", **_doc(
            "comma-separated media types accepted as attachments; others get 422 "
            "`attachment_type_not_allowed`", accepts="comma-separated media types"))
    OPINION_ANSWER_DAYS: Count = Field(10, **_doc(
        "days a judge has to answer a deputy's opinion card before it is overdue (the "
        "Pingtan report asks for prompt answers without naming a number; see "
        "[supervision.md](supervision.md))"))
    PUBLIC_RATE_LIMIT: RateLimits = Field("20 per minute;200 per hour", **_doc(
        "requests to the parties' window (`/api/v1/public`, `/public/case`) per address and "
        "process (`off` disables); see [public.md](public.md)",
        accepts="limits such as '20 per minute;200 per hour', or off"))
    PUBLIC_CODE_RATE_LIMIT: RateLimits = Field("10 per minute;60 per hour", **_doc(
        "requests to the parties' window per case query code, from any address (`off` "
        "disables); a code also locks after 10 wrong identity digits",
        accepts="limits such as '10 per minute;60 per hour', or off"))
    PUBLIC_BASE_URL: str = Field("", **_doc(
        "the address printed in a query code's QR code, e.g. `https://court.example`; "
        "empty: the address the judge's request came to",
        "empty (the request's own address)"))
    HEALTH_DEVICE_STALE_DAYS: Count = Field(14, **_doc(
        "the admin health page lists devices (not revoked) that have not signed in or synced "
        "for this many days"))
    HEALTH_DISK_FREE_WARN_MB: Annotated[int, Field(ge=0)] = Field(1024, **_doc(
        "the admin health page warns when the file system of `ATTACHMENTS_DIR` has less free "
        "space than this"))
    PDF_FONT: str = Field("", **_doc(
        "a TrueType (`.ttf`/`.ttc`) Chinese font embedded in PDF visit sheets; without one, "
        "`sheet.pdf` answers 503 `pdf_font_missing`",
        "empty: the first of WenQuanYi Micro Hei / Zen Hei, Noto Sans CJK found under "
        "`/usr/share/fonts`", accepts="a font file"))
    CONSOLE_DIST: str = Field("", **_doc(
        "the folder of the built web console (`make console`) served at `/console`; without "
        "its `index.html`, `/console` answers 503 `console_not_built`",
        "empty: `console/dist` of the checkout", accepts="a folder"))
    APP_DIST: str = Field("", **_doc(
        "the folder of the built field app (`make app`) served at `/app`; without its "
        "`index.html`, `/app` answers 503 `app_not_built`",
        "empty: `app/dist` of the checkout", accepts="a folder"))
    FIELD_APP_PHOTO_MAX_SIDE: Annotated[int, Field(ge=320, le=8192)] = Field(2048, **_doc(
        "the field app downscales each photo on the phone to this longest side in pixels "
        "(JPEG) before storing and sending it; served to the app by "
        "`GET /api/v1/field-app/settings`", accepts="pixels, 320 to 8192"))
    FIELD_APP_LOCK_MINUTES: Count = Field(5, **_doc(
        "the field app locks itself after this many idle minutes; its password (no network "
        "needed) opens it again"))
    FIELD_APP_POSITION_ACCURACY_M: Count = Field(50, **_doc(
        "the field app waits for a GPS fix at least this accurate (metres) before it takes a "
        "lead's position; a worse one is kept with the reason why"))
    FIELD_APP_POSITION_WAIT_S: Count = Field(30, **_doc(
        "how long the field app waits for that accuracy before it keeps the best fix it has"))
    FIELD_APP_POSITION_MAX_AGE_S: Count = Field(120, **_doc(
        "a fix older than this many seconds is never reused for a new record"))
    FIELD_APP_MANUAL_POSITION: bool = Field(True, **_doc(
        "whether the field app offers to type a position by hand (kept with source "
        "`manual` and no accuracy); `false` forbids it: the app hides the choice and a "
        "lead given a manual position is refused (`manual_position_not_allowed`), from a "
        "phone's sync or over REST"))
    CONSOLE_TILE_URL: str = Field("", **_doc(
        "an XYZ tile URL for the console's base map, e.g. a court intranet tile server "
        "`https://tiles.court.example/{z}/{x}/{y}.png`; its origin is allowed in the "
        "console's Content-Security-Policy", "empty (no base map: the grids are the map)",
        accepts="a URL with {z}, {x} and {y}"))
    LOG_LEVEL: LogLevel = Field("INFO", **_doc("Python log level"))
    LOG_FORMAT: Literal["", "json", "text"] = Field("", **_doc(
        "`json` (one object per line, with the request's id, user, court and route) or "
        "`text` (readable, for a terminal); logs always go to stderr",
        "empty: `json` when `GRIDWORK_ENV=production`, `text` otherwise"))
    METRICS_ALLOW_FROM: Networks = Field("127.0.0.1/32,::1/128", **_doc(
        "networks that may read `/metrics`",
        accepts="comma-separated networks such as 10.0.0.0/8,::1/128"))
    METRICS_TOKEN: str = Field("", **_doc(
        "a bearer token that opens `/metrics` from anywhere", secret=True, accepts="text"))
    CORS_ORIGINS: str = Field("", **_doc(
        "comma-separated origins whose pages may call the API from a browser, e.g. "
        "`https://console.court.example`", "empty (no cross-origin access)",
        accepts="comma-separated origins"))
    SYNC_PRUNE_HORIZON_DAYS: Count = Field(30, **_doc(
        "`flask sync prune` removes tombstones, push receipts and scope snapshots older than "
        "this once no active device needs them; a device that has not pulled for longer must "
        "bootstrap again (`resync_required`)"))
    LOGIN_RATE_LIMIT: RateLimits = Field("30 per minute;300 per hour", **_doc(
        "sign-in and refresh attempts per address, per process unless `REDIS_URL` is set "
        "(`off` disables); accounts "
        "also lock for 15 minutes after 5 wrong passwords in a row",
        accepts="limits such as '30 per minute;300 per hour', or off"))

    REDIS_URL: Annotated[str, AfterValidator(_redis_url)] = Field("", **_doc(
        "Redis that keeps the sign-in rate limit's counters (`LOGIN_RATE_LIMIT`), shared by "
        "every process and API host behind one load balancer; while Redis does not answer, "
        "each process counts in its own memory. The lock-out is in PostgreSQL and shared "
        "without it", "empty: each process counts alone", secret=True,
        accepts="a URL such as redis://127.0.0.1:6379/0"))

    @model_validator(mode="after")
    def _keys(self) -> Config:
        """No fixed key in any mode: production demands both keys; elsewhere a missing key
        is the installation's own, generated once into ``PRIVATE_DATA_DIR``."""
        production = self.GRIDWORK_ENV == "production"
        folder = self.PRIVATE_DATA_DIR
        try:
            if not self.SECRET_KEY:
                if production:
                    raise SettingsError("SECRET_KEY must be set when GRIDWORK_ENV=production")
                self.SECRET_KEY = local_keys.secret_key(folder)
            for key in (self.SECRET_KEY, *self.SECRET_KEY_PREVIOUS.replace(",", " ").split()):
                if len(key.encode()) < 32:
                    raise SettingsError("SECRET_KEY must be at least 32 bytes (HS256 signs "
                                        "tokens with it)")
            if not self.PERSONAL_DATA_KEY and not production:
                self.PERSONAL_DATA_KEY = local_keys.personal_data_key(folder)
            # a missing key in production, a malformed one anywhere
            resolve_key(self.PERSONAL_DATA_KEY, self.GRIDWORK_ENV, folder)
            parse_old_keys(self.PERSONAL_DATA_OLD_KEYS)
        except (local_keys.LocalKeyError, PersonalDataKeyError) as error:
            raise SettingsError(str(error)) from None
        return self

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: Any,
                                   env_settings: Any, dotenv_settings: Any,
                                   file_secret_settings: Any) -> tuple[Any, ...]:
        return init_settings, _Environ(settings_cls)

    @classmethod
    def load(cls, overrides: Mapping[str, Any] | None = None,
             environ: Mapping[str, str] | None = None) -> dict[str, Any]:
        """Every setting as Flask's ``app.config`` wants them: the environment (or
        ``environ``), then ``overrides``; keys the model does not know pass through
        (``TESTING``). Raises ``SettingsError`` with one line naming each bad setting."""
        overrides = dict(overrides or {})
        known = {k: overrides.pop(k) for k in list(overrides) if k in cls.model_fields}
        token = _ENVIRON.set(environ)
        try:
            settings = cls(**known)
        except ValidationError as error:
            raise SettingsError(describe(error, known, environ)) from None
        finally:
            _ENVIRON.reset(token)
        return {**FLASK_SETTINGS, **settings.model_dump(), **overrides}


def describe(error: ValidationError, given: Mapping[str, Any],
             environ: Mapping[str, str] | None = None) -> str:
    """``SETTING='value' is not accepted: <what is>`` for each bad value, on one line."""
    env = os.environ if environ is None else environ
    parts = []
    for problem in error.errors():
        name = str(problem["loc"][0]) if problem["loc"] else ""
        field = Config.model_fields.get(name)
        if field is None:  # raised by the model validator itself
            parts.append(str(problem.get("ctx", {}).get("error", problem["msg"])))
            continue
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        value = given[name] if name in given else env.get(name, field.default)
        shown = "(hidden)" if extra.get("secret") else repr(str(value))
        parts.append(f"{name}={shown} is not accepted: expected {accepts(name)}")
    return "; ".join(parts)


def accepts(name: str) -> str:
    """What a setting accepts, in words, from its annotation in the model."""
    field = Config.model_fields[name]
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    if "accepts" in extra:
        return str(extra["accepts"])
    if typing.get_origin(field.annotation) is Literal:
        return "one of " + ", ".join(repr(v) for v in typing.get_args(field.annotation))
    if field.annotation is int:
        least = next((m.ge for m in field.metadata if hasattr(m, "ge")), None)
        return "a whole number" + (f" of at least {least}" if least is not None else "")
    return "text"
