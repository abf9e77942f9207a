"""Configuration, read from environment variables with safe defaults for local use."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from enforcement.infrastructure.crypto import resolve_key

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:54329/gridwork"
DEV_SECRET_KEY = "gridwork-local-development-only-not-a-secret"


class Config:
    """Every setting the app reads. Override with environment variables or, in tests,
    with the mapping passed to ``create_app``."""

    GRIDWORK_ENV = "development"
    DATABASE_URL = DEFAULT_DATABASE_URL
    DATABASE_POOL_SIZE = 5
    SECRET_KEY = DEV_SECRET_KEY
    PERSONAL_DATA_KEY = ""
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
    ATTACHMENT_UPLOAD_EXPIRY_HOURS = 168
    """An unfinished upload left untouched this long expires (tus ``Upload-Expires``)."""
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
                 "MAX_CONTENT_LENGTH", "ATTACHMENT_MAX_BYTES", "ATTACHMENT_UPLOAD_EXPIRY_HOURS",
                 "OPINION_ANSWER_DAYS",
                 "HEALTH_DEVICE_STALE_DAYS", "HEALTH_DISK_FREE_WARN_MB", "SYNC_PRUNE_HORIZON_DAYS")
    _STR_KEYS = ("GRIDWORK_ENV", "DATABASE_URL", "SECRET_KEY", "PERSONAL_DATA_KEY",
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
        secret = values["SECRET_KEY"]
        if values["GRIDWORK_ENV"] == "production" and secret == DEV_SECRET_KEY:
            raise RuntimeError("SECRET_KEY must be set when GRIDWORK_ENV=production")
        if len(secret.encode()) < 32:
            raise RuntimeError("SECRET_KEY must be at least 32 bytes (HS256 signs tokens with it)")
        # Refuses a missing key in production and a malformed one anywhere, at start-up.
        resolve_key(values["PERSONAL_DATA_KEY"], values["GRIDWORK_ENV"])
        return values
