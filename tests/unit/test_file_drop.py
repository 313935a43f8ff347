"""LocalFileDrop: complete files only, atomic writes, no way out of the folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.core.files import LocalFileDrop


def test_pending_skips_files_still_being_written_and_orders_by_age(tmp_path: Path) -> None:
    drop = LocalFileDrop(tmp_path)
    assert drop.pending() == []
    for name in ("b.edi", "a.edi", "c.edi.part", ".hidden", "d.tmp"):
        (drop.inbound / name).write_bytes(b"x")
    assert set(drop.pending()) == {"a.edi", "b.edi"}


def test_archive_reject_and_deliver(tmp_path: Path) -> None:
    drop = LocalFileDrop(tmp_path)
    drop.pending()
    (drop.inbound / "one.edi").write_bytes(b"1")
    (drop.inbound / "two.edi").write_bytes(b"2")
    drop.archive("one.edi")
    drop.reject("two.edi", "ISA broken at byte 0")
    assert (tmp_path / "archive" / "one.edi").read_bytes() == b"1"
    assert (tmp_path / "error" / "two.edi.reason.txt").read_text() == "ISA broken at byte 0\n"
    assert drop.pending() == []
    where = drop.deliver("997_1.edi", b"ISA...")
    assert Path(where).read_bytes() == b"ISA..."
    assert [p.name for p in (tmp_path / "outbound").iterdir()] == ["997_1.edi"]
    (drop.inbound / "one.edi").write_bytes(b"again")
    drop.archive("one.edi")  # a second file of the same name is kept, not overwritten
    assert (tmp_path / "archive" / "one.edi.1").read_bytes() == b"again"


@pytest.mark.parametrize("name", ["../escape.edi", "sub/dir.edi", "..", ""])
def test_names_cannot_leave_the_drop(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="plain file name"):
        LocalFileDrop(tmp_path).deliver(name, b"x")
