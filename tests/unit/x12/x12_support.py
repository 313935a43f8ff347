"""Builders and checks shared by the X12 tests: ISA/850 text, reading, pyx12 as a cross-check."""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pyx12.x12file

from connectors.formats.x12 import (
    GroupEnd,
    InterchangeEnd,
    InterchangeFailure,
    TransactionSet,
    X12Event,
    read_x12,
)

REPO_ROOT = Path(__file__).resolve().parents[3]
SHARED_DIR = Path(os.environ.get("B2CONNECT_SHARED_DIR", REPO_ROOT.parent / "shared"))
"""Third-party material, read in place and never copied into the repository."""

SAMPLES_DIR = SHARED_DIR / "samples" / "x12"
"""Real X12 files with their provenance in SOURCES.tsv."""

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
"""The clock of every outbound test document."""


def isa(
    *,
    element: str = "*",
    component: str = ">",
    repetition: str = "U",
    version: str = "00401",
    control: str = "000000001",
    sender: str = "BUYER",
    receiver: str = "SELLER",
    usage: str = "P",
    ack: str = "0",
) -> str:
    """A 106-character ISA without its terminator."""
    fields = [
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        "ZZ",
        sender.ljust(15),
        "ZZ",
        receiver.ljust(15),
        "260115",
        "1200",
        repetition,
        version,
        control,
        ack,
        usage,
        component,
    ]
    return element.join(fields)


def order_segments(
    number: int = 1,
    *,
    lines: int = 2,
    control: str | None = None,
    extra_header: Sequence[str] = (),
    line_extra: Sequence[str] = (),
    beg: str | None = None,
) -> list[str]:
    """ST..SE of a plain 850 (elements joined with `*`)."""
    st02 = control or f"{number:04d}"
    segments = [
        f"ST*850*{st02}",
        beg or f"BEG*00*SA*PO-{number}**20260115",
        "CUR*BY*EUR",
        "REF*DP*038",
        "PER*BD*JANE BUYER*TE*5551234*EM*jane@example.com",
        "DTM*002*20260201",
        *extra_header,
        "N1*BY*ACME STORES*92*0001",
        "N1*ST*ACME DC 7*92*0007",
        "N2*RECEIVING DOCK 4",
        "N3*99 WAREHOUSE RD*UNIT B",
        "N4*JOLIET*IL*60431*US",
        "N1*SU*OUR COMPANY*ZZ*SELLER",
    ]
    for line in range(1, lines + 1):
        segments += [
            f"PO1*{line}*{line * 2}*EA*{line}.25**VN*SKU-{line}*BP*B-{line}*UP*01234567890{line}",
            f"PID*F****WIDGET {line}",
            "DTM*002*20260205",
            *line_extra,
        ]
    segments += [
        f"CTT*{lines}",
        f"AMT*TT*{sum(Decimal(n * 2) * Decimal(f'{n}.25') for n in range(1, lines + 1))}",
    ]
    segments.append(f"SE*{len(segments) + 1}*{st02}")
    return segments


def interchange(
    sets: Sequence[Sequence[str]],
    *,
    terminator: str = "~",
    suffix: str = "\n",
    element: str = "*",
    control: str = "000000001",
    group: str = "1",
    release: str = "004010",
    functional_id: str = "PO",
    **isa_fields: str,
) -> bytes:
    """An interchange of one group holding `sets` (each a list of `*`-separated segments)."""
    header = isa(element=element, control=control, **isa_fields)
    segments = [f"GS*{functional_id}*BUYER*SELLER*20260115*1200*{group}*X*{release}"]
    for transaction_set in sets:
        segments.extend(transaction_set)
    segments += [f"GE*{len(sets)}*{group}", f"IEA*1*{control}"]
    body = [segment.replace("*", element) for segment in segments]
    end = terminator + suffix
    return (header + end + end.join(body) + end).encode()


def events(data: bytes, **options: object) -> list[X12Event]:
    """Every event of `data` read at once."""
    return list(read_x12(data, **options))  # type: ignore[arg-type]


def sets_of(items: Sequence[X12Event]) -> list[TransactionSet]:
    """The transaction sets among `items`."""
    return [item for item in items if isinstance(item, TransactionSet)]


def assert_clean(data: bytes) -> list[X12Event]:
    """`data` re-read by our reader with no envelope problem at any level."""
    items = events(data)
    for item in items:
        assert not isinstance(item, InterchangeFailure), item.error
        if isinstance(item, TransactionSet):
            assert item.errors == (), item.errors
        if isinstance(item, GroupEnd | InterchangeEnd):
            assert item.notes == (), item.notes
    assert any(isinstance(item, InterchangeEnd) for item in items)
    return items


def pyx12_errors(data: bytes) -> list[tuple[object, ...]]:
    """Envelope errors pyx12's X12Reader finds in `data` (it reads only ISA12 00401/00501)."""
    reader = pyx12.x12file.X12Reader(io.StringIO(data.decode("utf-8")))
    for _segment in reader:
        pass
    reader.cleanup()
    return list(reader.pop_errors())
