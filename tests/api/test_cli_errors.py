"""Every operator command answers a database that is down or missing, or a file it cannot
use, with one line and exit status 1: never a Python traceback."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

COMMANDS = [["audit", "verify"], ["sync", "prune", "--dry-run"], ["seed", "demo"],
            ["geo", "export", "grids.json", "--level", "village"], ["backup", "b.tar"]]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_a_missing_database_is_one_line(make_app, database_url, args, tmp_path,
                                        monkeypatch):
    monkeypatch.chdir(tmp_path)
    missing = make_url(database_url).set(database="gridwork_no_such_db")
    app = make_app(DATABASE_URL=missing.render_as_string(hide_password=False))
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "database_unavailable" in result.output
    assert "gridwork_no_such_db" in result.output
    assert len(result.output.strip().splitlines()) <= 2  # (backup says what it starts)


def test_backup_to_a_folder_that_is_not_there_is_one_line(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "no" / "b.tar")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "cannot write" in result.output.splitlines()[-1]


def test_restoring_a_file_that_is_no_backup_is_one_line(app, tmp_path):
    bogus = tmp_path / "bogus.tar"
    bogus.write_bytes(b"this is not a backup")
    result = app.test_cli_runner().invoke(args=["restore", str(bogus)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.strip().splitlines() == ["Error: not a Gridwork backup: file could "
                                                  "not be opened successfully"]
