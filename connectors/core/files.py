"""File drops: the folders a partner and the hub exchange files through.

    <root>/inbound/    the partner puts files here; the hub picks them up
    <root>/outbound/   the hub puts files here (acknowledgements, documents); the partner takes them
    <root>/archive/    inbound files the hub processed
    <root>/error/      inbound files the hub could not read, each with `<name>.reason.txt`

`LocalFileDrop` works on a local (or mounted) directory. Writes are atomic (a `.part` file renamed
into place), so a partner polling `outbound/` never reads half a file, and files still being
written into `inbound/` (`.part`, `.tmp`, dot files) are left alone. `SftpFileDrop`
(`sftp_drop.py`) implements the same protocol over an SFTP server.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

_IN_PROGRESS = (".part", ".tmp", ".partial")


class FileDrop(Protocol):
    """What the core needs from a file drop, whatever carries the files."""

    def pending(self) -> list[str]:
        """Names of complete inbound files, oldest first."""
        ...

    def read(self, name: str) -> bytes:
        """The bytes of an inbound file."""
        ...

    def archive(self, name: str) -> None:
        """Move a processed inbound file to the archive."""
        ...

    def reject(self, name: str, reason: str) -> None:
        """Move an unreadable inbound file to the error folder, with the reason beside it."""
        ...

    def deliver(self, name: str, data: bytes) -> str:
        """Write a file for the partner to take (atomically); returns where it went."""
        ...

    def close(self) -> None:
        """Release the connection, if the drop has one."""
        ...


class LocalFileDrop:
    """A file drop on a directory tree (created on first use)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.inbound, self.outbound = root / "inbound", root / "outbound"
        self.archive_dir, self.error_dir = root / "archive", root / "error"

    def _ready(self) -> None:
        for folder in (self.inbound, self.outbound, self.archive_dir, self.error_dir):
            folder.mkdir(parents=True, exist_ok=True)

    def pending(self) -> list[str]:
        """Complete inbound files, oldest first (by modification time, then name)."""
        self._ready()
        files = [
            entry
            for entry in self.inbound.iterdir()
            if entry.is_file()
            and not entry.name.startswith(".")
            and not entry.name.endswith(_IN_PROGRESS)
        ]
        return [f.name for f in sorted(files, key=lambda f: (f.stat().st_mtime, f.name))]

    def read(self, name: str) -> bytes:
        """The bytes of an inbound file."""
        return (self.inbound / _plain(name)).read_bytes()

    def archive(self, name: str) -> None:
        """Move a processed inbound file to `archive/` (a repeated name gets a suffix)."""
        self._ready()
        (self.inbound / _plain(name)).replace(_free(self.archive_dir / _plain(name)))

    def reject(self, name: str, reason: str) -> None:
        """Move an unreadable file to `error/` and write `<name>.reason.txt` beside it."""
        self._ready()
        target = _free(self.error_dir / _plain(name))
        (self.inbound / _plain(name)).replace(target)
        target.with_name(target.name + ".reason.txt").write_text(reason + "\n", encoding="utf-8")

    def close(self) -> None:
        """Nothing to release for a local folder."""

    def deliver(self, name: str, data: bytes) -> str:
        """Write `outbound/<name>` atomically; the same name again replaces it (a retry)."""
        self._ready()
        target = self.outbound / _plain(name)
        part = target.with_name(target.name + ".part")
        with part.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        part.replace(target)
        return str(target)


def _plain(name: str) -> str:
    """A bare file name: no directories, no way out of the drop."""
    plain = Path(name).name
    if not plain or plain in {".", ".."} or plain != name:
        msg = f"{name!r} is not a plain file name"
        raise ValueError(msg)
    return plain


def _free(path: Path) -> Path:
    """`path`, or `path` with `.1`, `.2`... when a file of that name is already there."""
    candidate, number = path, 0
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}.{number}")
    return candidate
