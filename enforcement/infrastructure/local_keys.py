"""Keys made once per installation and kept in its private data folder.

No key is written in the source: a key that is in the source is in every copy of it, and
anyone holding it can sign tokens for any user of an install that forgot to set its own.
Outside production, a key that is not configured is generated at first start into
``PRIVATE_DATA_DIR`` (``.data`` by default) as a file only its owner can read (mode 0600),
and reused after every restart. Production never falls back to a file: it demands keys set
by the operator (see docs/security.md).
"""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path

SECRET_KEY_FILE = "secret_key"
PERSONAL_DATA_KEY_FILE = "personal_data_key"
DEFAULT_FOLDER = ".data"


class LocalKeyError(RuntimeError):
    """A key file that cannot be made or trusted (other readers, unreadable, empty)."""


def secret_key(folder: str | Path) -> str:
    """The token signing key of this installation (made on first use)."""
    return _kept(Path(folder) / SECRET_KEY_FILE, lambda: secrets.token_urlsafe(48))


def personal_data_key(folder: str | Path) -> str:
    """The personal-data key of this installation, base64 of 32 bytes (made on first use)."""
    return _kept(Path(folder) / PERSONAL_DATA_KEY_FILE,
                 lambda: base64.b64encode(secrets.token_bytes(32)).decode())


def _kept(path: Path, make: Callable[[], str]) -> str:
    """The key in ``path``, written first if missing; several processes starting at once
    (gunicorn workers, test workers) all end up with the one key that was written first."""
    if not path.exists():
        _write_once(path, make())
    info = path.stat()
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise LocalKeyError(f"{path} is readable by others (mode {stat.S_IMODE(info.st_mode):o});"
                            f" run: chmod 600 {path}")
    value = path.read_text(encoding="ascii").strip()
    if not value:
        raise LocalKeyError(f"{path} is empty; delete it to make a new key")
    return value


def _write_once(path: Path, value: str) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(value + "\n")
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):  # another process won the race: keep its key
            os.link(draft, path)
    finally:
        draft.unlink(missing_ok=True)
