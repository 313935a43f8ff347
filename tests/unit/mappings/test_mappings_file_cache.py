"""The stat-checked file cache behind MappingStore: reload on change, remembered failures, and a
second read for a file caught mid-save."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mappings.engine import MappingConfigError
from mappings.engine.file_cache import SETTLE_PAUSE, FileCache, MissingMappingFileError


class CountingParser:
    """Parses `ok:<text>` into `<text>`; anything else is a config error. Counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, data: bytes, file: str) -> str:
        self.calls += 1
        text = data.decode()
        if not text.startswith("ok:"):
            raise MappingConfigError(file, f"cannot parse {text!r}")
        return text.removeprefix("ok:")


def _set(path: Path, text: str, mtime_s: int) -> None:
    path.write_text(text)
    os.utime(path, ns=(mtime_s * 10**9, mtime_s * 10**9))


def test_reads_once_until_the_fingerprint_changes(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    _set(path, "ok:one", 1_000)
    parse = CountingParser()
    cache: FileCache[str] = FileCache(parse)

    first = cache.get(path, "f.csv")
    assert (first.value, first.file, parse.calls) == ("one", "f.csv", 1)
    assert cache.get(path, "f.csv") is first
    assert parse.calls == 1

    _set(path, "ok:two", 1_001)
    assert cache.get(path, "f.csv").value == "two"
    assert parse.calls == 2


def test_a_broken_file_is_parsed_once_and_its_error_kept(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    _set(path, "ok:good", 1_000)
    parse = CountingParser()
    cache: FileCache[str] = FileCache(parse, wall_clock=lambda: 10_000.0)
    cache.get(path, "f.csv")

    _set(path, "broken", 1_001)
    for _ in range(3):
        with pytest.raises(MappingConfigError, match=r"f\.csv: cannot parse 'broken'"):
            cache.get(path, "f.csv")
    assert parse.calls == 2, "an unchanged broken file is not parsed again"

    _set(path, "ok:fixed", 1_002)
    assert cache.get(path, "f.csv").value == "fixed"


def test_a_file_caught_mid_save_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    _set(path, "", 1_000)  # truncated by the editor, content not written yet
    pauses: list[float] = []

    def editor_finishes_while_we_wait(seconds: float) -> None:
        pauses.append(seconds)
        _set(path, "ok:saved", 1_000)

    cache: FileCache[str] = FileCache(
        CountingParser(), sleep=editor_finishes_while_we_wait, wall_clock=lambda: 1_000.2
    )
    assert cache.get(path, "f.csv").value == "saved"
    assert pauses == [SETTLE_PAUSE]


def test_an_old_broken_file_fails_without_waiting(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    _set(path, "broken", 1_000)
    pauses: list[float] = []
    cache: FileCache[str] = FileCache(
        CountingParser(), sleep=pauses.append, wall_clock=lambda: 5_000.0
    )
    with pytest.raises(MappingConfigError):
        cache.get(path, "f.csv")
    assert pauses == []


def test_a_fresh_broken_file_fails_after_a_few_reads(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    _set(path, "broken", 1_000)
    pauses: list[float] = []
    parse = CountingParser()
    cache: FileCache[str] = FileCache(parse, sleep=pauses.append, wall_clock=lambda: 1_000.1)
    with pytest.raises(MappingConfigError):
        cache.get(path, "f.csv")
    assert parse.calls == len(pauses) + 1 == 4


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    cache: FileCache[str] = FileCache(CountingParser())
    with pytest.raises(MissingMappingFileError, match=r"^x\.csv: file not found$"):
        cache.get(tmp_path / "x.csv", "x.csv")
    (tmp_path / "plain").write_text("a file, not a folder")
    with pytest.raises(MissingMappingFileError):
        cache.get(tmp_path / "plain" / "x.csv", "x.csv")
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(MappingConfigError, match="is a directory"):
        cache.get(tmp_path / "dir.csv", "dir.csv")
