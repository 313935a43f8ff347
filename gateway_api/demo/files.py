"""The demo's output files: every logged document, in conversation order, named and readable.

`NNN-<direction>-<partner>-<label>.<ext>`: NNN follows the conversation (each answer right after
the document it answers), the same on every run; the label is the document kind, or for X12 the
transaction sets it carries (`850`, `997`), whoever sent it; X12 is written as `.x12` with one
segment per line, cXML as `.xml`, JSON as `.json`. A run first removes the files an earlier run
wrote, and only those.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path

from connectors.formats.x12 import TransactionSet, X12Error, read_x12
from gateway_api.store.records import DocumentRecord

DEMO_FILE = re.compile(r"^\d{3,}-(inbound|outbound)-[^/]+\.(xml|json|x12)$")
"""Names this module writes; only these are removed before a run."""

_OrderKey = tuple[datetime, datetime, int, str, str, bool, datetime, str]


def clear_previous_run(documents_dir: Path) -> int:
    """Remove the files an earlier demo run wrote into `documents_dir`; returns how many."""
    if not documents_dir.is_dir():
        return 0
    removed = 0
    for path in documents_dir.iterdir():
        if path.is_file() and DEMO_FILE.match(path.name):
            path.unlink()
            removed += 1
    return removed


def conversation_order(
    records: Sequence[DocumentRecord], issued: Mapping[tuple[str, str], datetime]
) -> list[DocumentRecord]:
    """Oldest first, each answer right after the document it answers, the same on every run.

    The dispatcher logs a whole batch with one timestamp (and the partners' answers with
    another), so equal times are broken by when the hub issued the document (`issued`: outbox
    row creation per partner and payload id), then by the partner's first appearance, then by
    kind - never by the random document id alone.
    """
    by_id = {record.id: record for record in records}
    first_seen: dict[str | None, datetime] = {}
    for record in sorted(records, key=lambda r: r.created_at):
        first_seen.setdefault(record.partner_key, record.created_at)
    partners = sorted(first_seen, key=lambda key: (first_seen[key], key or ""))
    rank = {key: n for n, key in enumerate(partners)}

    def key(record: DocumentRecord) -> _OrderKey:
        answered = by_id.get(record.in_reply_to) if record.in_reply_to else None
        anchor = answered or record
        when = issued.get((anchor.partner_key or "", anchor.payload_id or ""), anchor.created_at)
        return (
            anchor.created_at,
            when,
            rank[anchor.partner_key],
            anchor.kind,
            str(anchor.id),
            answered is not None,
            record.created_at,
            str(record.id),
        )

    return sorted(records, key=key)


def file_name(number: int, record: DocumentRecord) -> str:
    """`NNN-<direction>-<partner>-<label>.<ext>` for one document."""
    sets = x12_sets(record.body)
    if sets:
        label, ext = "+".join(dict.fromkeys(s.set_id for s in sets)), "x12"
    elif (record.content_type or "").startswith("application/json"):
        label, ext = record.kind, "json"
    else:
        label, ext = record.kind, "xml"
    partner = record.partner_key or "unknown"
    return f"{number:03d}-{record.direction}-{partner}-{_safe(label)}.{ext}"


def readable_body(record: DocumentRecord) -> bytes:
    """The stored bytes; X12 with a line break after each segment terminator."""
    sets = x12_sets(record.body)
    if not sets:
        return record.body
    delimiters = sets[0].interchange.delimiters
    if delimiters.suffix:
        return record.body
    terminator = delimiters.segment.encode()
    segments = [s.strip(b"\r\n") for s in record.body.split(terminator)]
    return b"".join(s + terminator + b"\n" for s in segments if s.strip())


def x12_sets(body: bytes) -> list[TransactionSet]:
    """The transaction sets of an X12 body; empty when it is not (readable) X12."""
    if body.lstrip()[:3] != b"ISA":
        return []
    try:
        return [event for event in read_x12(body) if isinstance(event, TransactionSet)]
    except (X12Error, UnicodeDecodeError):
        return []


def write_documents(records: Iterable[DocumentRecord], documents_dir: Path) -> int:
    """Write `records` (already in conversation order) as numbered files; returns how many."""
    documents_dir.mkdir(parents=True, exist_ok=True)
    written = 0
    for number, record in enumerate(records, start=1):
        (documents_dir / file_name(number, record)).write_bytes(readable_body(record))
        written += 1
    return written


def _safe(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9+._-]", "_", label) or "document"
