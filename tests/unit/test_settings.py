"""A bad setting stops the app at start-up with one line naming it and what it accepts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from api.config import Config, SettingsError

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("environ", "expected"), [
    ({"DATABASE_POOL_SIZE": "ten"},
     "DATABASE_POOL_SIZE='ten' is not accepted: expected a whole number of at least 1"),
    ({"DEFAULT_LOCALE": "fr"},
     "DEFAULT_LOCALE='fr' is not accepted: expected one of 'zh-CN', 'en'"),
    ({"GRIDWORK_ENV": "prodution"}, "GRIDWORK_ENV='prodution' is not accepted: expected one "
                                    "of 'development', 'production'"),
    ({"LOG_FORMAT": "xml"}, "LOG_FORMAT='xml'"),
    ({"METRICS_ALLOW_FROM": "10.0.0.0/33"}, "METRICS_ALLOW_FROM='10.0.0.0/33'"),
    ({"LOGIN_RATE_LIMIT": "lots"}, "LOGIN_RATE_LIMIT='lots'"),
    ({"REDIS_URL": "127.0.0.1:6379"}, "REDIS_URL=(hidden) is not accepted: expected a URL"),
    ({"ACCESS_TOKEN_MINUTES": "0"}, "ACCESS_TOKEN_MINUTES='0'"),
])
def test_a_bad_value_is_refused_in_one_line_that_names_it(environ, expected):
    with pytest.raises(SettingsError) as refused:
        Config.load(environ=environ)
    message = str(refused.value)
    assert expected in message and "\n" not in message


def test_every_bad_value_is_named_at_once_and_secrets_are_not_repeated():
    with pytest.raises(SettingsError) as refused:
        Config.load(environ={"DATABASE_POOL_SIZE": "ten", "DEFAULT_LOCALE": "fr",
                             "DATABASE_URL": "mysql://root:hunter2@db/gridwork"})
    message = str(refused.value)
    assert "DATABASE_POOL_SIZE=" in message and "DEFAULT_LOCALE=" in message
    assert "DATABASE_URL=(hidden)" in message and "hunter2" not in message


def test_values_are_typed_and_empty_means_the_default():
    loaded = Config.load(environ={"DATABASE_POOL_SIZE": "12", "LOG_LEVEL": "debug",
                                  "DEFAULT_LOCALE": "", "ATTACHMENTS_DIR": "/srv/files"})
    assert loaded["DATABASE_POOL_SIZE"] == 12 and loaded["LOG_LEVEL"] == "DEBUG"
    assert loaded["DEFAULT_LOCALE"] == "zh-CN" and loaded["ATTACHMENTS_DIR"] == "/srv/files"


def test_overrides_win_over_the_environment_and_flask_keys_pass_through():
    loaded = Config.load({"DATABASE_POOL_SIZE": 3, "TESTING": True},
                         environ={"DATABASE_POOL_SIZE": "12"})
    assert loaded["DATABASE_POOL_SIZE"] == 3 and loaded["TESTING"] is True


def test_a_flask_command_with_a_bad_setting_exits_1_with_that_one_line(tmp_path):
    env = {**os.environ, "DATABASE_POOL_SIZE": "ten", "DEFAULT_LOCALE": "fr"}
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "audit", "verify"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: DATABASE_POOL_SIZE='ten' is not accepted")
    assert "DEFAULT_LOCALE='fr'" in lines[0]
