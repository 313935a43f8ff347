"""`X12Reader`: a streaming, tolerant X12 reader with envelope checks, sans I/O.

    reader = X12Reader()
    for chunk in chunks:            # any chunking; 64 KiB is a good size
        reader.feed(chunk)
        for event in reader.events():
            ...                     # TransactionSet, GroupEnd, InterchangeEnd, ...
    reader.close()
    for event in reader.events():
        ...

Envelope checks (X12 997/TA1 codes): SE01 = segments ST..SE (AK502 4), SE02 = ST02 (3), SE
missing (2), ST01/ST02 syntax (6/7), ST02 unique in the group (23); GE01 = sets (AK905 5),
GE02 = GS06 (4), GE missing (3), GS06 syntax and uniqueness in the interchange (6, or 19 from
005010); IEA01 = groups (TA105 021), IEA02 = ISA13 (001), IEA missing (023), GS/ST where the
envelope does not allow them (024), ISA field syntax (005-020). Nothing stops the stream: a
broken interchange is reported and the reader goes on with the next ISA.

Sets are yielded as soon as their SE is read, before the interchange's trailer: a caller that
must not act on an interchange rejected at the IEA (TA104 R) holds its decisions until the
`InterchangeEnd`.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import BinaryIO, cast

from connectors.formats.x12._acks import AckCode as _AckCode
from connectors.formats.x12._acks import (
    ElementErrorCode,
    GroupErrorCode,
    InterchangeAck,
    InterchangeNoteCode,
    SetAck,
    SetErrorCode,
)
from connectors.formats.x12._delimiters import IsaSegment
from connectors.formats.x12._envelope import (
    EnvelopeNote,
    GroupEnd,
    GroupHeader,
    InterchangeEnd,
    InterchangeFailure,
    InterchangeHeader,
    ReceivedTa1,
    TransactionSet,
    X12Event,
)
from connectors.formats.x12._errors import X12Error, X12Position, X12SyntaxError
from connectors.formats.x12._text import is_digits
from connectors.formats.x12._tokenizer import (
    DEFAULT_MAX_SEGMENT_BYTES,
    DEFAULT_WINDOW,
    FramingProblem,
    IsaFound,
    Region,
    Tokenizer,
)

_SET_ID = re.compile(r"[0-9]{3}")
_SET_CONTROL = re.compile(r"[^\s]{4,9}")
_GROUP_CONTROL = re.compile(r"[0-9]{1,9}")
_MAX_NOTES = 20
_INITIALS = frozenset("SGIT")
"""First letters of ST, SE, GS, GE, ISA, IEA, TA1: a cheap prefilter before the prefix test."""
_UNDECODABLE = re.compile("[\udc80-\udcff]")


class _OpenInterchange:
    __slots__ = ("groups", "header", "heads", "notes", "seen_groups")

    def __init__(self, header: InterchangeHeader, notes: list[EnvelopeNote]) -> None:
        self.header = header
        self.notes = notes
        self.groups = 0
        self.seen_groups: set[str] = set()
        element = header.delimiters.element
        self.heads = {
            "ST" + element: "ST",
            "SE" + element: "SE",
            "GS" + element: "GS",
            "GE" + element: "GE",
            "IEA": "IEA",
            "ISA": "ISA",
            "TA1": "TA1",
        }


class _OpenGroup:
    __slots__ = ("header", "notes", "seen_sets", "sets")

    def __init__(self, header: GroupHeader, notes: list[EnvelopeNote]) -> None:
        self.header = header
        self.notes = notes
        self.sets: list[SetAck] = []
        self.seen_sets: set[str] = set()


class _OpenSet:
    __slots__ = (
        "byte_offset",
        "char_start",
        "control_number",
        "errors",
        "implementation_reference",
        "parts",
        "segments",
        "set_id",
        "undecodable",
    )

    def __init__(self, header: list[str], byte_offset: int, char_start: int) -> None:
        self.set_id = _element(header, 1)
        self.control_number = _element(header, 2)
        self.implementation_reference = _element(header, 3) or None
        self.byte_offset = byte_offset
        self.char_start = char_start
        self.parts: list[str] = []
        self.segments: list[str] = []
        self.errors: list[X12Error] = []
        self.undecodable = False


def _element(elements: list[str], position: int) -> str:
    return elements[position].strip() if position < len(elements) else ""


def _count(value: str) -> int | None:
    return int(value) if is_digits(value) else None


class X12Reader:
    """Streaming X12 reader: feed bytes, iterate events (see the module docstring).

    `encoding` decodes element text (UTF-8 by default; `latin-1` for partners who send it);
    bytes that do not decode reject the transaction set holding them (AK403 6) and nothing
    else. `window` is how many bytes are decoded and split at once; `max_segment_bytes` bounds
    one segment, so a wrong terminator cannot make the reader buffer a whole file.
    """

    def __init__(
        self,
        *,
        encoding: str = "utf-8",
        window: int = DEFAULT_WINDOW,
        max_segment_bytes: int = DEFAULT_MAX_SEGMENT_BYTES,
    ) -> None:
        self._tokens = Tokenizer(
            encoding=encoding, window=window, max_segment_bytes=max_segment_bytes
        )
        self._interchange: _OpenInterchange | None = None
        self._group: _OpenGroup | None = None
        self._set: _OpenSet | None = None
        self._queue: deque[X12Event] = deque()
        self._closed = False
        self._finished = False

    def feed(self, data: bytes) -> None:
        """Add bytes in any chunking; call `events()` to read what they complete."""
        self._tokens.feed(data)

    def close(self) -> None:
        """Mark the end of the data; the next `events()` also reports what was left open."""
        self._closed = True
        self._tokens.close()

    def events(self) -> Iterator[X12Event]:
        """Yield every event the bytes fed so far complete (all of them after `close`).

        Raises `X12UnsupportedError` (EBCDIC, UTF-16/32) or `X12SyntaxError` (not X12 at all)
        when the data does not start with an ISA; every later problem is an event.
        """
        queue = self._queue
        while True:
            while queue:
                yield queue.popleft()
            token = self._tokens.next_token()
            if token is None:
                if self._closed and not self._finished:
                    self._finished = True
                    self._finish()
                if not queue:
                    return
            elif isinstance(token, Region):
                self._region(token)
            elif isinstance(token, IsaFound):
                self._open_interchange(token)
            else:
                self._framing_problem(token)

    # -- interchange ------------------------------------------------------------------------

    def _open_interchange(self, found: IsaFound) -> None:
        isa = found.isa
        header = InterchangeHeader(
            authorization_qualifier=isa.value(1),
            authorization=isa.value(2),
            security_qualifier=isa.value(3),
            security=isa.value(4),
            sender_qualifier=isa.value(5),
            sender_id=isa.value(6),
            receiver_qualifier=isa.value(7),
            receiver_id=isa.value(8),
            date=isa.value(9),
            time=isa.value(10),
            standards_id=isa.elements[11],
            version=isa.value(12),
            control_number=isa.value(13),
            acknowledgment_requested=isa.value(14) == "1",
            usage=isa.value(15),
            delimiters=isa.delimiters,
            byte_offset=found.byte_offset,
            encoding=found.encoding,
            sequence=self._tokens.interchanges_found,
        )
        self._interchange = _OpenInterchange(header, _isa_notes(isa, header))

    def _note(self, code: str, message: str, position: X12Position) -> None:
        interchange = self._interchange
        if interchange is not None and len(interchange.notes) < _MAX_NOTES:
            interchange.notes.append(EnvelopeNote(code, message, position))

    def _end_interchange(self, stated: int | None, cut_off: EnvelopeNote | None) -> None:
        interchange = self._interchange
        assert interchange is not None
        if cut_off is not None:
            interchange.notes.insert(0, cut_off)
        self._interchange = None
        end = InterchangeEnd(
            header=interchange.header,
            group_count=interchange.groups,
            stated_group_count=stated,
            notes=tuple(interchange.notes),
        )
        self._queue.append(end)

    def _cut_off(
        self, code: str, message: str, position: X12Position, region: Region | None, k: int
    ) -> None:
        """Close whatever is open at an unexpected end (next ISA, end of data, framing)."""
        self._close_set(region, k, position)
        self._close_group(position, missing_trailer=True)
        if self._interchange is not None:
            self._end_interchange(None, EnvelopeNote(code, message, position))

    def _framing_problem(self, problem: FramingProblem) -> None:
        if problem.in_interchange and self._interchange is not None:
            where = self._where(problem.error.position.byte_offset)
            code = InterchangeNoteCode.SEGMENT_TERMINATOR
            self._cut_off(code, problem.error.message, where, None, 0)
        else:
            self._queue.append(InterchangeFailure(problem.error))

    def _finish(self) -> None:
        if self._interchange is None:
            return
        where = self._where(self._tokens.consumed)
        message = "the data ends before the interchange's IEA"
        self._cut_off(InterchangeNoteCode.PREMATURE_END, message, where, None, 0)

    def _where(
        self,
        byte_offset: int | None,
        *,
        transaction_set: str | None = None,
        segment_index: int | None = None,
        segment_id: str | None = None,
        element: int | None = None,
    ) -> X12Position:
        interchange = self._interchange
        group = self._group
        return X12Position(
            byte_offset=byte_offset,
            interchange=interchange.header.control_number if interchange else None,
            group=group.header.control_number if group else None,
            transaction_set=transaction_set,
            segment_index=segment_index,
            segment_id=segment_id,
            element=element,
        )

    # -- segments ---------------------------------------------------------------------------

    def _region(self, region: Region) -> None:
        interchange = self._interchange
        if interchange is None:
            return
        heads, initials = interchange.heads, _INITIALS
        segments = region.segments
        marks = [k for k, s in enumerate(segments) if s[0] in initials and s[:3] in heads]
        start = 0
        for k in marks:
            if start < k:
                self._body(region, start, k)
            start = k + 1
            head = heads[segments[k][:3]]
            if head == "SE":
                self._se(region, k)
            elif head == "ST":
                self._st(region, k)
            elif head == "GS":
                self._gs(region, k)
            elif head == "GE":
                self._ge(region, k)
            elif head == "IEA":
                self._iea(region, k)
                return
            elif head == "ISA":
                self._next_isa(region, k)
                return
            else:
                self._ta1(region, k)
        if start < len(segments):
            self._body(region, start, len(segments))
        open_set = self._set
        if open_set is not None:
            open_set.parts.append(region.text[open_set.char_start :])
            open_set.char_start = 0
            open_set.undecodable = open_set.undecodable or region.has_undecodable_bytes

    def _body(self, region: Region, start: int, end: int) -> None:
        open_set = self._set
        if open_set is not None:
            open_set.segments.extend(region.segments[start:end])
            return
        tag = region.segments[start].split(region.delimiters.element, 1)[0]
        where = self._where(region.segment_byte(start), segment_id=tag)
        self._note(
            InterchangeNoteCode.INVALID_CONTENT,
            f"segment {tag} outside a transaction set",
            where,
        )

    def _st(self, region: Region, k: int) -> None:
        elements = region.segments[k].split(region.delimiters.element)
        char_start = region.char_start(k)
        byte_offset = region.byte_at(char_start)
        if self._set is not None:
            self._close_set(region, k, self._where(byte_offset, segment_id="ST"))
        group = self._group
        if group is None:
            where = self._where(byte_offset, segment_id="ST")
            self._note(InterchangeNoteCode.INVALID_CONTENT, "ST outside a functional group", where)
            return
        open_set = _OpenSet(elements, byte_offset, char_start)
        open_set.segments.append(region.segments[k])
        self._set = open_set
        set_id, control = open_set.set_id, open_set.control_number
        problems: list[tuple[str, str]] = []
        if not (len(set_id) == 3 and is_digits(set_id)) and not _SET_ID.fullmatch(set_id):
            msg = f"ST01 {set_id!r} is not a transaction set identifier"
            problems.append((msg, SetErrorCode.INVALID_SET_ID))
        plain = 4 <= len(control) <= 9 and control.isalnum()
        if not plain and not _SET_CONTROL.fullmatch(control):
            msg = f"ST02 {control!r} is not a transaction set control number (4-9 characters)"
            problems.append((msg, SetErrorCode.INVALID_CONTROL_NUMBER))
        elif control in group.seen_sets:
            msg = f"ST02 {control} is used twice in group {group.header.control_number}"
            problems.append((msg, SetErrorCode.DUPLICATE_CONTROL_NUMBER))
        for msg, code in problems:
            where = self._where(
                byte_offset, transaction_set=control, segment_index=1, segment_id="ST"
            )
            open_set.errors.append(X12SyntaxError(msg, position=where, set_code=code))
        group.seen_sets.add(control)

    def _se(self, region: Region, k: int) -> None:
        open_set = self._set
        elements = region.segments[k].split(region.delimiters.element)
        if open_set is None:
            where = self._where(region.segment_byte(k), segment_id="SE")
            self._note(InterchangeNoteCode.INVALID_CONTENT, "SE without ST", where)
            return
        open_set.segments.append(region.segments[k])
        control = open_set.control_number
        stated, trailer_control = _element(elements, 1), _element(elements, 2)
        count = len(open_set.segments)
        if _count(stated) != count:
            msg = f"SE01 says {stated or 'nothing'} segments, the set has {count} (ST..SE)"
            code = SetErrorCode.SEGMENT_COUNT_MISMATCH
            where = self._se_position(region, k, control, count, 1)
            open_set.errors.append(X12SyntaxError(msg, position=where, set_code=code))
        if trailer_control != control:
            msg = f"SE02 {trailer_control!r} does not match ST02 {control!r}"
            code = SetErrorCode.CONTROL_NUMBER_MISMATCH
            where = self._se_position(region, k, control, count, 2)
            open_set.errors.append(X12SyntaxError(msg, position=where, set_code=code))
        tail = region.text[open_set.char_start : region.char_end(k)]
        self._queue.append(self._emit_set(tail, region))

    def _se_position(
        self, region: Region, k: int, control: str, count: int, element: int
    ) -> X12Position:
        return self._where(
            region.segment_byte(k),
            transaction_set=control,
            segment_index=count,
            segment_id="SE",
            element=element,
        )

    def _close_set(self, region: Region | None, k: int, position: X12Position) -> None:
        """A set that ends without SE (GE, GS, ST, IEA, ISA or the end came first)."""
        open_set = self._set
        if open_set is None:
            return
        control = open_set.control_number
        msg = f"transaction set {control} has no SE"
        where = X12Position(
            byte_offset=position.byte_offset,
            interchange=position.interchange,
            group=position.group,
            transaction_set=control,
            segment_id=position.segment_id,
        )
        code = SetErrorCode.TRAILER_MISSING
        open_set.errors.append(X12SyntaxError(msg, position=where, set_code=code))
        tail = ""
        if region is not None:
            end = region.char_start(k) if k < len(region.segments) else len(region.text)
            tail = region.text[open_set.char_start : end]
        self._queue.append(self._emit_set(tail, region))

    def _emit_set(self, tail: str, region: Region | None) -> TransactionSet:
        open_set = self._set
        group = self._group
        assert open_set is not None
        assert group is not None
        self._set = None
        text = "".join((*open_set.parts, tail))
        transaction_set = TransactionSet(
            set_id=open_set.set_id,
            control_number=open_set.control_number,
            implementation_reference=open_set.implementation_reference,
            segments=tuple(open_set.segments),
            group=group.header,
            byte_offset=open_set.byte_offset,
            text=text,
            errors=tuple(open_set.errors),
        )
        if open_set.undecodable or (region is not None and region.has_undecodable_bytes):
            problem = _undecodable(transaction_set)
            if problem is not None:
                transaction_set = TransactionSet(
                    set_id=transaction_set.set_id,
                    control_number=transaction_set.control_number,
                    implementation_reference=transaction_set.implementation_reference,
                    segments=transaction_set.segments,
                    group=transaction_set.group,
                    byte_offset=transaction_set.byte_offset,
                    text=transaction_set.text,
                    errors=(*transaction_set.errors, problem),
                )
        if transaction_set.errors:
            group.sets.append(transaction_set.ack)
        else:
            group.sets.append(
                SetAck(
                    transaction_set.set_id,
                    transaction_set.control_number,
                    transaction_set.implementation_reference,
                )
            )
        return transaction_set

    def _gs(self, region: Region, k: int) -> None:
        interchange = self._interchange
        assert interchange is not None
        elements = region.segments[k].split(region.delimiters.element)
        byte_offset = region.segment_byte(k)
        where = self._where(byte_offset, segment_id="GS")
        self._close_set(region, k, where)
        self._close_group(where, missing_trailer=True)
        header = GroupHeader(
            functional_id=_element(elements, 1),
            sender_code=_element(elements, 2),
            receiver_code=_element(elements, 3),
            date=_element(elements, 4),
            time=_element(elements, 5),
            control_number=_element(elements, 6),
            agency=_element(elements, 7),
            version=_element(elements, 8),
            interchange=interchange.header,
            byte_offset=byte_offset,
        )
        notes: list[EnvelopeNote] = []
        control = header.control_number
        where = X12Position(
            byte_offset=byte_offset,
            interchange=interchange.header.control_number,
            group=control,
            segment_id="GS",
            element=6,
        )
        if not _GROUP_CONTROL.fullmatch(control):
            msg = f"GS06 {control!r} is not a group control number (1-9 digits)"
            notes.append(EnvelopeNote(GroupErrorCode.INVALID_CONTROL_NUMBER, msg, where))
        elif control in interchange.seen_groups:
            msg = f"GS06 {control} is used twice in interchange {interchange.header.control_number}"
            code = (
                GroupErrorCode.DUPLICATE_CONTROL_NUMBER
                if header.version[:3] >= "005"
                else GroupErrorCode.INVALID_CONTROL_NUMBER
            )
            notes.append(EnvelopeNote(code, msg, where))
        interchange.seen_groups.add(control)
        interchange.groups += 1
        self._group = _OpenGroup(header, notes)

    def _ge(self, region: Region, k: int) -> None:
        elements = region.segments[k].split(region.delimiters.element)
        byte_offset = region.segment_byte(k)
        where = self._where(byte_offset, segment_id="GE")
        self._close_set(region, k, where)
        group = self._group
        if group is None:
            self._note(InterchangeNoteCode.INVALID_CONTENT, "GE without GS", where)
            return
        stated, control = _element(elements, 1), _element(elements, 2)
        received = len(group.sets)
        if _count(stated) != received:
            msg = f"GE01 says {stated or 'nothing'} transaction sets, the group has {received}"
            group.notes.append(
                EnvelopeNote(GroupErrorCode.SET_COUNT_MISMATCH, msg, self._at(where, 1))
            )
        if control != group.header.control_number:
            msg = f"GE02 {control!r} does not match GS06 {group.header.control_number!r}"
            group.notes.append(
                EnvelopeNote(GroupErrorCode.CONTROL_NUMBER_MISMATCH, msg, self._at(where, 2))
            )
        self._queue.append(self._end_group(_count(stated)))

    @staticmethod
    def _at(where: X12Position, element: int) -> X12Position:
        return X12Position(
            byte_offset=where.byte_offset,
            interchange=where.interchange,
            group=where.group,
            segment_id=where.segment_id,
            element=element,
        )

    def _close_group(self, position: X12Position, *, missing_trailer: bool) -> None:
        group = self._group
        if group is None:
            return
        if missing_trailer:
            msg = f"functional group {group.header.control_number} has no GE"
            group.notes.append(EnvelopeNote(GroupErrorCode.TRAILER_MISSING, msg, position))
        self._queue.append(self._end_group(None))

    def _end_group(self, stated: int | None) -> GroupEnd:
        group = self._group
        assert group is not None
        self._group = None
        return GroupEnd(
            group=group.header,
            sets=tuple(group.sets),
            stated_count=stated,
            notes=tuple(group.notes),
        )

    def _iea(self, region: Region, k: int) -> None:
        interchange = self._interchange
        assert interchange is not None
        elements = region.segments[k].split(region.delimiters.element)
        where = self._where(region.segment_byte(k), segment_id="IEA")
        self._close_set(region, k, where)
        if self._group is not None:
            msg = f"functional group {self._group.header.control_number} is not closed by a GE"
            self._note(InterchangeNoteCode.INVALID_CONTENT, msg, where)
            self._close_group(where, missing_trailer=True)
        stated, control = _element(elements, 1), _element(elements, 2)
        if control != interchange.header.control_number:
            msg = f"IEA02 {control!r} does not match ISA13 {interchange.header.control_number!r}"
            self._note(InterchangeNoteCode.CONTROL_NUMBER_MISMATCH, msg, self._at(where, 2))
        if _count(stated) != interchange.groups:
            msg = (
                f"IEA01 says {stated or 'nothing'} groups, the interchange has {interchange.groups}"
            )
            self._note(InterchangeNoteCode.GROUP_COUNT_MISMATCH, msg, self._at(where, 1))
        self._end_interchange(_count(stated), None)
        self._tokens.restart(region.byte_at(region.char_end(k)))

    def _next_isa(self, region: Region, k: int) -> None:
        """An ISA where the IEA was due: close everything, frame the new interchange afresh."""
        byte_offset = region.segment_byte(k)
        where = self._where(byte_offset, segment_id="ISA")
        msg = "the next ISA starts before this interchange's IEA"
        self._cut_off(InterchangeNoteCode.PREMATURE_END, msg, where, region, k)
        self._tokens.restart(byte_offset)

    def _ta1(self, region: Region, k: int) -> None:
        interchange = self._interchange
        assert interchange is not None
        elements = region.segments[k].split(region.delimiters.element)
        status = _element(elements, 4)
        try:
            code = _AckCode(status)
        except ValueError:
            where = self._where(region.segment_byte(k), segment_id="TA1", element=4)
            self._note(InterchangeNoteCode.INVALID_CONTENT, f"TA104 {status!r} is not A/E/R", where)
            return
        ack = InterchangeAck(
            control_number=_element(elements, 1),
            date=_element(elements, 2),
            time=_element(elements, 3),
            status=code,
            note_code=_element(elements, 5),
        )
        offset = region.segment_byte(k)
        self._queue.append(ReceivedTa1(ack=ack, interchange=interchange.header, byte_offset=offset))


def _isa_notes(isa: IsaSegment, header: InterchangeHeader) -> list[EnvelopeNote]:
    """TA105 notes for ISA fields that break their syntax (the ISA is still read)."""
    notes: list[EnvelopeNote] = []
    where = header.position()

    def note(code: str, element: int, problem: str) -> None:
        position = X12Position(
            byte_offset=where.byte_offset,
            interchange=where.interchange,
            segment_id="ISA",
            element=element,
        )
        notes.append(EnvelopeNote(code, f"ISA{element:02d} {problem}", position))

    codes = InterchangeNoteCode
    if len(header.sender_qualifier) != 2:
        note(codes.INVALID_SENDER_QUALIFIER, 5, f"{header.sender_qualifier!r} is not a qualifier")
    if not header.sender_id:
        note(codes.INVALID_SENDER_ID, 6, "is empty")
    if len(header.receiver_qualifier) != 2:
        note(
            codes.INVALID_RECEIVER_QUALIFIER, 7, f"{header.receiver_qualifier!r} is not a qualifier"
        )
    if not header.receiver_id:
        note(codes.INVALID_RECEIVER_ID, 8, "is empty")
    if not _valid_clock(header.date, "%y%m%d"):
        note(codes.INVALID_DATE, 9, f"{header.date!r} is not a YYMMDD date")
    if not _valid_clock(header.time, "%H%M"):
        note(codes.INVALID_TIME, 10, f"{header.time!r} is not an HHMM time")
    if not (len(header.version) == 5 and is_digits(header.version)):
        note(codes.INVALID_VERSION, 12, f"{header.version!r} is not a 5-digit version")
    if not (len(header.control_number) == 9 and is_digits(header.control_number)):
        note(codes.INVALID_CONTROL_NUMBER, 13, f"{header.control_number!r} is not 9 digits")
    if isa.value(14) not in {"0", "1"}:
        note(codes.INVALID_ACK_REQUESTED, 14, f"{isa.value(14)!r} is not 0 or 1")
    if header.usage not in {"P", "T", "I"}:
        note(codes.INVALID_TEST_INDICATOR, 15, f"{header.usage!r} is not P, T or I")
    noted = {n.position.element for n in notes}
    for element, code in _CONTROL_CHARACTER_CODES.items():
        value = isa.elements[element]
        if element not in noted and _CONTROL.search(value):
            note(code, element, f"{value!r} holds a control character")
    return notes


_CONTROL = re.compile("[\x00-\x1f\x7f]")
_CONTROL_CHARACTER_CODES = {
    1: InterchangeNoteCode.INVALID_AUTHORIZATION_QUALIFIER,
    2: InterchangeNoteCode.INVALID_AUTHORIZATION,
    3: InterchangeNoteCode.INVALID_SECURITY_QUALIFIER,
    4: InterchangeNoteCode.INVALID_SECURITY,
    5: InterchangeNoteCode.INVALID_SENDER_QUALIFIER,
    6: InterchangeNoteCode.INVALID_SENDER_ID,
    7: InterchangeNoteCode.INVALID_RECEIVER_QUALIFIER,
    8: InterchangeNoteCode.INVALID_RECEIVER_ID,
    9: InterchangeNoteCode.INVALID_DATE,
    10: InterchangeNoteCode.INVALID_TIME,
    12: InterchangeNoteCode.INVALID_VERSION,
    13: InterchangeNoteCode.INVALID_CONTROL_NUMBER,
    14: InterchangeNoteCode.INVALID_ACK_REQUESTED,
    15: InterchangeNoteCode.INVALID_TEST_INDICATOR,
}
"""The TA105 code for an ISA field holding a control character (a line break, say, in an ISA
read at its fixed width). ISA11 is left out: from 00402 it is the repetition separator, which
may well be a control character."""


def _valid_clock(value: str, pattern: str) -> bool:
    if not is_digits(value):
        return False
    try:
        datetime.strptime(value, pattern)  # noqa: DTZ007 - a syntax check, no datetime is kept
    except ValueError:
        return False
    return True


def _undecodable(transaction_set: TransactionSet) -> X12Error | None:
    """The first segment holding bytes the encoding cannot decode, as an AK4 code 6 error."""
    for index, segment in enumerate(transaction_set.segments):
        if segment.isascii() or not _UNDECODABLE.search(segment):
            continue
        elements = segment.split(transaction_set.delimiters.element)
        position = next((i for i, value in enumerate(elements) if _UNDECODABLE.search(value)), None)
        encoding = transaction_set.interchange.encoding
        return transaction_set.error(
            f"segment holds bytes that are not valid {encoding}",
            index,
            element=position,
            element_code=ElementErrorCode.INVALID_CHARACTER,
        )
    return None


def read_x12(
    source: bytes | BinaryIO | Iterable[bytes],
    *,
    encoding: str = "utf-8",
    chunk_size: int = DEFAULT_WINDOW,
) -> Iterator[X12Event]:
    """Every event of an X12 stream: bytes, a binary file object (read in `chunk_size` chunks),
    or an iterable of byte chunks. Memory stays flat for file objects and iterables."""
    reader = X12Reader(encoding=encoding, window=chunk_size)
    chunks: Iterable[bytes]
    if isinstance(source, bytes | bytearray | memoryview):
        chunks = (bytes(source),)
    elif hasattr(source, "read"):
        chunks = _chunks(cast(BinaryIO, source), chunk_size)
    else:
        chunks = source
    for chunk in chunks:
        reader.feed(chunk)
        yield from reader.events()
    reader.close()
    yield from reader.events()


def _chunks(stream: BinaryIO, size: int) -> Iterator[bytes]:
    while chunk := stream.read(size):
        yield chunk
