"""Files written whole or not at all: a temporary file beside the target, fsynced, then renamed.

An interrupted run, a full disk or a crash leaves the previous file (or none), never half a file
(../shared/notes/security.md, pitfall 10). `Staging` does the same for a set of files that belong together.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Written:
    """A file of the export: its name, size in bytes and SHA-256 (hex)."""

    name: str
    size: int
    sha256: str


def write_atomically(path: str | os.PathLike, data: bytes | str) -> None:
    """Write next to the target, fsync and rename: an interrupted run leaves the old file or none, never half a file."""
    path = Path(path)
    with Staging(path.parent) as staging:
        staging.add(path.name, data)


class Staging:
    """Files written to temporary names in one folder, renamed over their targets together when all are written.

    Used as a context manager: leaving it normally renames the files in the order they were added; an exception
    removes every temporary file not yet renamed and leaves the targets as they were.
    """

    def __init__(self, directory: Path):
        self.directory = directory
        self.pending: list[tuple[Path, Path]] = []
        self.written: list[Written] = []
        self.mode = 0o666 & ~_umask()  # mkstemp makes 0600 files; dumps are for others to read

    def add(self, name: str, data: bytes | str) -> Written:
        """Write `data` to a temporary file beside `name`, flushed and fsynced; return its size and checksum."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        descriptor, part = tempfile.mkstemp(dir=self.directory, prefix=f".{name}.", suffix=".part")
        self.pending.append((Path(part), self.directory / name))
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), self.mode)
            os.fsync(handle.fileno())
        written = Written(name, len(data), hashlib.sha256(data).hexdigest())
        self.written.append(written)
        return written

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, kind, exc, traceback) -> None:
        try:
            if kind is None:
                while self.pending:
                    part, target = self.pending[0]
                    os.replace(part, target)
                    self.pending.pop(0)
                _fsync_directory(self.directory)
        finally:
            for part, _ in self.pending:
                part.unlink(missing_ok=True)
            self.pending.clear()


def _umask() -> int:
    """The process umask, read without changing it where Linux shows it (os.umask sets it, racing other threads)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o077)  # meanwhile the strictest usual mask, should another thread create a file
    os.umask(mask)
    return mask


def _fsync_directory(directory: Path) -> None:
    """Make the renames durable (POSIX; a no-op where a folder cannot be opened)."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
