"""A parsed-file cache that notices edits: re-read a file when its stat fingerprint changes.

Every lookup costs one `os.stat`; a file is read, hashed and parsed again only when its
(mtime_ns, size, inode) changed, so an engineer who fixes a CSV can replay a dead letter without
restarting the hub. Readers take no lock on the fast path; reloads are serialised by a lock.

Editors often save in place (truncate, then write), so a reload can catch a file half-written.
When a file modified less than `SETTLE_SECONDS` ago fails to parse, the cache waits briefly and
reads it again before reporting the error. Replacing files atomically (write a temporary file,
then rename it over the old one) avoids the window altogether.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from mappings.engine.errors import MappingConfigError
from schemas import MappingReference

SETTLE_SECONDS = 1.0
"""A file younger than this that fails to parse may be mid-save: read it again before failing."""
SETTLE_ATTEMPTS = 3
"""How many extra reads a freshly modified, unparsable file gets."""
SETTLE_PAUSE = 0.05
"""Seconds to wait before each extra read."""

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

StrPath = str | os.PathLike[str]
"""A file system path; plain strings are cheapest on the hot path."""

Fingerprint = tuple[int, int, int]
"""(st_mtime_ns, st_size, st_ino): changes when a file is edited or replaced."""


class MissingMappingFileError(MappingConfigError):
    """A mapping file named by the layout or a profile does not exist."""


@dataclass(frozen=True, slots=True)
class LoadedFile(Generic[T_co]):
    """A parsed mapping file with what identifies the bytes it was parsed from."""

    file: str
    """Path relative to the mappings root (POSIX)."""
    fingerprint: Fingerprint
    """Stat fingerprint taken before the bytes were read."""
    sha256: str
    """Hex SHA-256 of the bytes parsed."""
    value: T_co
    """The parsed content."""

    @property
    def reference(self) -> MappingReference:
        """The file and hash, as recorded on translated documents."""
        return MappingReference(file=self.file, sha256=self.sha256)


def _fingerprint(result: os.stat_result) -> Fingerprint:
    return (result.st_mtime_ns, result.st_size, result.st_ino)


def stat_fingerprint(path: StrPath, file: str) -> Fingerprint:
    """The current fingerprint of `path`; `MissingMappingFileError` when it does not exist."""
    try:
        return _fingerprint(os.stat(path))
    except (FileNotFoundError, NotADirectoryError) as error:
        raise MissingMappingFileError(file, "file not found") from error
    except OSError as error:
        raise MappingConfigError(file, f"cannot read: {error.strerror}") from error


def _read(path: StrPath, file: str) -> tuple[Fingerprint, bytes]:
    try:
        with open(path, "rb") as handle:
            # Stat the open file before reading: if it changes after this point, the next
            # lookup sees a new fingerprint and reloads, so we never keep stale bytes.
            fingerprint = _fingerprint(os.fstat(handle.fileno()))
            return fingerprint, handle.read()
    except (FileNotFoundError, NotADirectoryError) as error:
        raise MissingMappingFileError(file, "file not found") from error
    except IsADirectoryError as error:
        raise MappingConfigError(file, "is a directory, not a file") from error
    except OSError as error:
        raise MappingConfigError(file, f"cannot read: {error.strerror}") from error


@dataclass(frozen=True, slots=True)
class _Failure:
    """The bytes with this fingerprint did not parse."""

    fingerprint: Fingerprint
    error: MappingConfigError


class FileCache(Generic[T]):
    """Parsed files by path; `parse(data, file)` turns bytes into a value or raises
    `MappingConfigError`.

    A failed parse is remembered with the fingerprint of the bytes that failed, so an unchanged
    broken file costs one stat per lookup (not a read and a parse), and is never hidden behind
    an older good copy: the error stands until the file changes.
    """

    def __init__(
        self,
        parse: Callable[[bytes, str], T],
        *,
        sleep: Callable[[float], None] = time.sleep,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._parse = parse
        self._sleep = sleep
        self._wall_clock = wall_clock
        self._entries: dict[StrPath, LoadedFile[T]] = {}
        self._failures: dict[StrPath, tuple[Fingerprint, MappingConfigError]] = {}
        self._lock = threading.Lock()

    def get(self, path: StrPath, file: str) -> LoadedFile[T]:
        """The parsed file at `path` (`file` is its name relative to the mappings root)."""
        current = stat_fingerprint(path, file)
        entry = self._entries.get(path)
        if entry is not None and entry.fingerprint == current:
            return entry
        with self._lock:
            current = stat_fingerprint(path, file)
            entry = self._entries.get(path)
            if entry is not None and entry.fingerprint == current:
                return entry
            failure = self._failures.get(path)
            if failure is not None and failure[0] == current:
                raise MappingConfigError(failure[1].file, failure[1].detail) from failure[1]
            self._entries.pop(path, None)
            loaded = self._load(path, file)
            if isinstance(loaded, _Failure):
                self._failures[path] = (loaded.fingerprint, loaded.error)
                raise loaded.error
            self._failures.pop(path, None)
            self._entries[path] = loaded
            return loaded

    def clear(self) -> None:
        """Forget every parsed file and remembered failure."""
        with self._lock:
            self._entries.clear()
            self._failures.clear()

    def _load(self, path: StrPath, file: str) -> LoadedFile[T] | _Failure:
        """Read and parse; a parse failure is returned with the failing bytes' fingerprint,
        after extra reads if the file was modified moments ago."""
        for attempt in range(SETTLE_ATTEMPTS + 1):
            fingerprint, data = _read(path, file)
            try:
                value = self._parse(data, file)
            except MappingConfigError as error:
                modified_ago = self._wall_clock() - fingerprint[0] / 1e9
                if attempt == SETTLE_ATTEMPTS or modified_ago > SETTLE_SECONDS:
                    return _Failure(fingerprint, error)
                self._sleep(SETTLE_PAUSE)
                continue
            return LoadedFile(file, fingerprint, hashlib.sha256(data).hexdigest(), value)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises
