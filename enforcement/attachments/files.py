"""Attachment bytes on disk: content-addressed, written in chunks, published atomically.

Layout under ``ATTACHMENTS_DIR``: ``<court_id>/<first two hex digits>/<sha256>`` for a
verified file, and ``<same>.part`` next to it while an upload is in progress. A final
file only ever appears through ``os.replace`` of a ``.part`` whose SHA-256 was checked,
after both were flushed to disk, so a reader never sees a half-written or unverified
file, whatever happens to the server process. The database knows nothing of paths and
this module knows nothing of the database: ``enforcement.attachments.usecases`` ties them together.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from enforcement.errors import InsufficientStorage

DISK_FULL = (errno.ENOSPC, errno.EDQUOT)
READ_BLOCK = 1 << 20


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte (``os.write`` may write fewer). Tests inject disk-full faults here."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _disk_full(error: OSError) -> InsufficientStorage:
    return InsufficientStorage("the attachment store is full; nothing was kept, retry later")


@dataclass(frozen=True, slots=True)
class AttachmentFiles:
    """The files of one court's attachments under ``root``."""

    root: Path

    def final_path(self, court_id: str, sha256: str) -> Path:
        return self.root / court_id / sha256[:2] / sha256

    def part_path(self, court_id: str, sha256: str) -> Path:
        return self.root / court_id / sha256[:2] / f"{sha256}.part"

    def has_room_for(self, size: int) -> bool:
        """Whether the disk has ``size`` bytes free now (a courtesy check at declaration;
        the writes themselves still handle a disk that fills up meanwhile)."""
        probe = self.root
        while not probe.exists() and probe != probe.parent:
            probe = probe.parent
        return shutil.disk_usage(probe).free >= size

    def part_size(self, court_id: str, sha256: str) -> int:
        try:
            return self.part_path(court_id, sha256).stat().st_size
        except FileNotFoundError:
            return 0

    def write_chunk(self, court_id: str, sha256: str, offset: int, data: bytes) -> None:
        """Put ``data`` at ``offset`` of the ``.part`` file, dropping whatever lay beyond
        ``offset`` (bytes of a chunk whose commit never happened), and flush it to disk.

        A full disk leaves the file cut back to ``offset`` and raises
        ``InsufficientStorage``.
        """
        part = self.part_path(court_id, sha256)
        try:
            part.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(part, os.O_RDWR | os.O_CREAT, 0o640)
        except OSError as error:
            if error.errno in DISK_FULL:
                raise _disk_full(error) from error
            raise
        try:
            os.ftruncate(fd, offset)
            os.lseek(fd, offset, os.SEEK_SET)
            _write_all(fd, data)
            os.fsync(fd)
        except OSError as error:
            if error.errno not in DISK_FULL:
                raise
            os.ftruncate(fd, offset)
            raise _disk_full(error) from error
        finally:
            os.close(fd)

    def part_digest(self, court_id: str, sha256: str) -> str:
        return file_digest(self.part_path(court_id, sha256))

    def publish(self, court_id: str, sha256: str) -> None:
        """Move the verified ``.part`` into place atomically, durable once this returns."""
        part = self.part_path(court_id, sha256)
        os.replace(part, self.final_path(court_id, sha256))
        _fsync_dir(part.parent)

    def discard_part(self, court_id: str, sha256: str) -> None:
        self.part_path(court_id, sha256).unlink(missing_ok=True)

    def discard_final(self, court_id: str, sha256: str) -> None:
        self.final_path(court_id, sha256).unlink(missing_ok=True)

    def final_exists(self, court_id: str, sha256: str) -> bool:
        return self.final_path(court_id, sha256).is_file()

    def final_digest(self, court_id: str, sha256: str) -> str:
        return file_digest(self.final_path(court_id, sha256))


def file_digest(path: Path) -> str:
    """Hex SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(READ_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()
