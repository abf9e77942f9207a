"""Configuration, read from environment variables with safe defaults for local use."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from enforcement import local_keys
from enforcement.crypto import parse_old_keys, resolve_key

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:54329/gridwork"


class ConfigError(RuntimeError):
    """A setting the app cannot start with; the message is one line for the operator."""


class Config:
    """Every setting the app reads. Override with environment variables or, in tests,
    with the mapping passed to ``create_app``."""

    GRIDWORK_ENV = "development"
    DATABASE_URL = DEFAULT_DATABASE_URL
    DATABASE_POOL_SIZE = 5
    PRIVATE_DATA_DIR = local_keys.DEFAULT_FOLDER
    """Where keys generated outside production are kept (mode 0600)."""
    SECRET_KEY = ""
    SECRET_KEY_PREVIOUS = ""
    PERSONAL_DATA_KEY = ""
    PERSONAL_DATA_OLD_KEYS = ""
    TRUSTED_PROXIES = 0
    """Reverse proxies in front of the app whose X-Forwarded-For is believed (0: none)."""
    ACCESS_TOKEN_MINUTES = 15
    REFRESH_TOKEN_DAYS = 30
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    DEFAULT_LOCALE = "zh-CN"
    LOG_LEVEL = "INFO"
    LOG_FORMAT = ""
    """``json``, ``text``, or empty: JSON in production, text elsewhere (a terminal)."""
    METRICS_ALLOW_FROM = "127.0.0.1/32,::1/128"
    METRICS_TOKEN = ""
    LOGIN_RATE_LIMIT = "30 per minute;300 per hour"
    CORS_ORIGINS = ""
    ATTACHMENTS_DIR = ".data/attachments"
    ATTACHMENT_MAX_BYTES = 50 * 1024 * 1024
    ATTACHMENT_CONTENT_TYPES = ("image/jpeg,image/png,image/webp,image/heic,audio/mp4,"
                                "audio/x-m4a,audio/aac,audio/mpeg,audio/amr,application/pdf")
    OPINION_ANSWER_DAYS = 10
    HEALTH_DEVICE_STALE_DAYS = 14
    HEALTH_DISK_FREE_WARN_MB = 1024
    PDF_FONT = ""
    CONSOLE_DIST = ""
    CONSOLE_TILE_URL = ""
    SYNC_PRUNE_HORIZON_DAYS = 30

    API_TITLE = "Gridwork API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "docs"
    OPENAPI_SWAGGER_UI_URL = "/api/v1/docs/assets/"
    OPENAPI_SWAGGER_UI_CONFIG = {"persistAuthorization": True}
    JSON_SORT_KEYS = False

    _INT_KEYS = ("DATABASE_POOL_SIZE", "ACCESS_TOKEN_MINUTES", "REFRESH_TOKEN_DAYS",
                 "MAX_CONTENT_LENGTH", "ATTACHMENT_MAX_BYTES", "OPINION_ANSWER_DAYS",
                 "HEALTH_DEVICE_STALE_DAYS", "HEALTH_DISK_FREE_WARN_MB", "SYNC_PRUNE_HORIZON_DAYS",
                 "TRUSTED_PROXIES")
    _STR_KEYS = ("GRIDWORK_ENV", "DATABASE_URL", "PRIVATE_DATA_DIR", "SECRET_KEY",
                 "SECRET_KEY_PREVIOUS", "PERSONAL_DATA_KEY", "PERSONAL_DATA_OLD_KEYS",
                 "DEFAULT_LOCALE", "LOG_LEVEL",
                 "LOG_FORMAT", "METRICS_ALLOW_FROM", "METRICS_TOKEN", "LOGIN_RATE_LIMIT",
                 "CORS_ORIGINS", "ATTACHMENTS_DIR", "ATTACHMENT_CONTENT_TYPES", "PDF_FONT",
                 "CONSOLE_DIST", "CONSOLE_TILE_URL")

    @classmethod
    def load(cls, overrides: Mapping[str, Any] | None = None,
             environ: Mapping[str, str] | None = None) -> dict[str, Any]:
        env = os.environ if environ is None else environ
        values = {k: getattr(cls, k) for k in dir(cls) if k.isupper() and not k.startswith("_")}
        for key in cls._STR_KEYS:
            if env.get(key):
                values[key] = env[key]
        for key in cls._INT_KEYS:
            if env.get(key):
                values[key] = int(env[key])
        values.update(overrides or {})
        _resolve_keys(values)
        return values


def _resolve_keys(values: dict[str, Any]) -> None:
    """No fixed key in any mode: production demands both keys, elsewhere a missing key is
    the installation's own, generated once into PRIVATE_DATA_DIR. Raises ConfigError, or
    PersonalDataKeyError for a missing or malformed personal-data key."""
    production = values["GRIDWORK_ENV"] == "production"
    folder = values["PRIVATE_DATA_DIR"]
    try:
        if not values["SECRET_KEY"]:
            if production:
                raise ConfigError("SECRET_KEY must be set when GRIDWORK_ENV=production")
            values["SECRET_KEY"] = local_keys.secret_key(folder)
        for key in (values["SECRET_KEY"], *values["SECRET_KEY_PREVIOUS"].replace(",", " ").split()):
            if len(key.encode()) < 32:
                raise ConfigError(
                    "SECRET_KEY must be at least 32 bytes (HS256 signs tokens with it)")
        if not values["PERSONAL_DATA_KEY"] and not production:
            values["PERSONAL_DATA_KEY"] = local_keys.personal_data_key(folder)
        # Refuses a missing key in production and a malformed one anywhere, at start-up.
        resolve_key(values["PERSONAL_DATA_KEY"], values["GRIDWORK_ENV"], folder)
        parse_old_keys(values["PERSONAL_DATA_OLD_KEYS"])
    except local_keys.LocalKeyError as exc:
        raise ConfigError(str(exc)) from exc
