"""`EdifactReader`: a streaming, tolerant UN/EDIFACT reader with envelope checks, sans I/O.

    reader = EdifactReader()
    for chunk in chunks:            # any chunking; 64 KiB is a good size
        reader.feed(chunk)
        for event in reader.events():
            ...                     # InterchangeHeader, Message, InterchangeEnd, ...
    reader.close()
    for event in reader.events():
        ...

Checks, with the 0085 codes a CONTRL reports: UNT 0074 = segments UNH..UNT (29), UNT 0062 =
UNH 0062 (28), UNT missing (13), UNH 0062 and S009 present (13), 0062 unique in the interchange
(26), characters inside the UNB syntax level's repertoire and decodable (21); UNE 0060 and 0048
(29, 28), UNE missing (13); UNZ 0036 = groups or messages (29), UNZ 0020 = UNB 0020 (28); UNB
syntax identifier/version (2), sender, recipient and reference present (13), date and time (12).
A message with an error is rejected and nothing else is; a missing UNZ is tolerated with a note;
bytes that are not an interchange are an `InterchangeFailure` and reading goes on at the next
UNA/UNB.

Messages are yielded as soon as their UNT is read, before the interchange's UNZ: a caller that
must not act on an interchange rejected at its UNZ holds its decisions until the
`InterchangeEnd`.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import datetime
from typing import BinaryIO, cast

from connectors.formats.edifact._codes import SyntaxErrorCode
from connectors.formats.edifact._envelope import (
    EdifactEvent,
    EnvelopeNote,
    GroupEnd,
    GroupHeader,
    InterchangeEnd,
    InterchangeFailure,
    InterchangeHeader,
    Message,
    Segment,
)
from connectors.formats.edifact._errors import EdifactError, EdifactPosition, EdifactSyntaxError
from connectors.formats.edifact._outcomes import MessageOutcome
from connectors.formats.edifact._syntax import (
    REFUSED_SYNTAX_IDENTIFIERS,
    SUPPORTED_SYNTAX_IDENTIFIERS,
    Components,
    character_set,
    parse_segment,
)
from connectors.formats.edifact._tokenizer import (
    DEFAULT_MAX_SEGMENT_BYTES,
    DEFAULT_WINDOW,
    Batch,
    FramingProblem,
    InterchangeStart,
    Tokenizer,
)

MAX_MESSAGE_ERRORS = 20
"""Errors kept per message (a CONTRL reports the first ones anyway)."""

MAX_NOTES = 20
"""Notes kept per interchange or group."""

_ENVELOPE = frozenset({"UNA", "UNB", "UNG", "UNE", "UNH", "UNT", "UNZ"})
_UNICODE = frozenset({"UNOW", "UNOY"})
_CODES = SyntaxErrorCode


class _OpenInterchange:
    __slots__ = ("groups", "header", "invalid", "messages", "notes", "references")

    def __init__(self, header: InterchangeHeader, invalid: re.Pattern[str] | None) -> None:
        self.header = header
        self.invalid = invalid
        self.notes: list[EnvelopeNote] = list(header.notes)
        self.messages: list[MessageOutcome] = []
        self.groups: list[GroupEnd] = []
        self.references: set[str] = set()


class _Raw:
    """An envelope segment (UNG, UNE, UNZ...): its text and byte span."""

    __slots__ = ("end", "start", "text")

    def __init__(self, text: str, start: int, end: int) -> None:
        self.text = text
        self.start = start
        self.end = end


class _OpenMessage:
    """The segments of the message being read, as texts and offsets (parsed later)."""

    __slots__ = ("starts", "texts", "undecodable")

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.starts: list[int] = []
        self.undecodable: list[int] = []

    def add(self, batch: Batch, begin: int, end: int) -> None:
        if batch.undecodable:
            base = len(self.texts) - begin
            self.undecodable.extend(base + i for i in sorted(batch.undecodable) if begin <= i < end)
        self.texts.extend(batch.texts[begin:end])
        self.starts.extend(batch.starts[begin:end])


class _OpenGroup:
    __slots__ = ("header", "messages", "notes")

    def __init__(self, header: GroupHeader) -> None:
        self.header = header
        self.notes: list[EnvelopeNote] = list(header.notes)
        self.messages: list[MessageOutcome] = []


class EdifactReader:
    """Streaming EDIFACT reader: feed bytes, iterate events (see the module docstring).

    `window` is how many bytes are split at once; `max_segment_bytes` bounds one segment, so a
    wrong terminator cannot make the reader buffer a whole file. `check_characters=False` skips
    the syntax-level repertoire check (for partners that send lower case under UNOA and have an
    agreement saying so); undecodable bytes are reported either way.
    """

    def __init__(
        self,
        *,
        window: int = DEFAULT_WINDOW,
        max_segment_bytes: int = DEFAULT_MAX_SEGMENT_BYTES,
        check_characters: bool = True,
    ) -> None:
        self._tokens = Tokenizer(window=window, max_segment_bytes=max_segment_bytes)
        self._check = check_characters
        self._interchange: _OpenInterchange | None = None
        self._group: _OpenGroup | None = None
        self._message: _OpenMessage | None = None
        self._queue: deque[EdifactEvent] = deque()
        self._sequence = 0
        self._closed = False
        self._finished = False

    def feed(self, data: bytes) -> None:
        """Add bytes in any chunking; call `events()` to read what they complete."""
        self._tokens.feed(data)

    def close(self) -> None:
        """Mark the end of the data; the next `events()` also reports what was left open."""
        self._closed = True
        self._tokens.close()

    def events(self) -> Iterator[EdifactEvent]:
        """Yield every event the bytes fed so far complete (all of them after `close`).

        Raises `EdifactUnsupportedError` (UTF-16, EBCDIC) or `EdifactSyntaxError` (empty, or
        not EDIFACT at all: no UNA/UNB anywhere); every later problem is an event.
        """
        queue = self._queue
        while True:
            while queue:
                yield queue.popleft()
            token = self._tokens.next_token()
            if token is None:
                if self._closed and not self._finished:
                    self._finished = True
                    self._cut_off("the data ends", self._tokens.consumed)
                if not queue:
                    return
            elif isinstance(token, Batch):
                self._batch(token)
            elif isinstance(token, InterchangeStart):
                self._open_interchange(token)
            else:
                self._framing_problem(token)

    # -- interchange --------------------------------------------------------------------------

    def _open_interchange(self, start: InterchangeStart) -> None:
        self._sequence += 1
        header = _header(start, self._sequence)
        invalid = None
        if self._check and header.syntax_identifier not in REFUSED_SYNTAX_IDENTIFIERS:
            charset = character_set(header.syntax_identifier)
            if start.utf8_bom:
                charset = character_set("UNOW")
            invalid = charset.invalid(header.service_characters)
        self._interchange = _OpenInterchange(header, invalid)
        self._queue.append(header)

    def _where(
        self,
        byte_offset: int | None,
        segment_id: str | None = None,
        element: int | None = None,
        component: int | None = None,
        *,
        group: bool = True,
    ) -> EdifactPosition:
        interchange, open_group = self._interchange, self._group
        return EdifactPosition(
            byte_offset=byte_offset,
            interchange=interchange.header.control_reference or None if interchange else None,
            group=open_group.header.reference if open_group is not None and group else None,
            segment_id=segment_id,
            element=element,
            component=component,
        )

    def _note(
        self, code: str | None, message: str, where: EdifactPosition, *, rejecting: bool
    ) -> None:
        interchange = self._interchange
        if interchange is not None and len(interchange.notes) < MAX_NOTES:
            interchange.notes.append(EnvelopeNote(code, message, where, rejecting))

    def _end_interchange(self, stated: int | None, *, unz_seen: bool) -> None:
        interchange = self._interchange
        assert interchange is not None
        self._interchange = None
        notes = sorted(interchange.notes, key=lambda note: not note.rejecting)
        self._queue.append(
            InterchangeEnd(
                header=interchange.header,
                messages=tuple(interchange.messages),
                groups=tuple(interchange.groups),
                stated_count=stated,
                unz_seen=unz_seen,
                notes=tuple(notes),
            )
        )

    def _cut_off(self, reason: str, byte_offset: int, *, rejecting: str | None = None) -> None:
        """Close whatever is open where the data ends or the next interchange begins."""
        self._close_message(byte_offset, reason)
        if self._group is not None:
            self._close_group(byte_offset, reason)
        if self._interchange is None:
            return
        if rejecting is not None:
            where = self._where(byte_offset)
            self._note(_CODES.INVALID_SERVICE_CHARACTER, rejecting, where, rejecting=True)
        else:
            where = self._where(byte_offset, "UNZ")
            message = f"{reason} before the interchange's UNZ (tolerated: every message was read)"
            self._note(_CODES.MISSING, message, where, rejecting=False)
        self._end_interchange(None, unz_seen=False)

    def _framing_problem(self, problem: FramingProblem) -> None:
        if problem.in_interchange and self._interchange is not None:
            offset = problem.error.position.byte_offset or self._tokens.consumed
            self._cut_off("a segment has no terminator", offset, rejecting=problem.error.message)
        else:
            self._queue.append(InterchangeFailure(problem.error))

    # -- segments -----------------------------------------------------------------------------

    def _batch(self, batch: Batch) -> None:
        if self._interchange is None:
            return
        texts = batch.texts
        envelope = _ENVELOPE
        marks = [k for k, text in enumerate(texts) if text[0] == "U" and text[:3] in envelope]
        begin = 0
        for k in marks:
            if begin < k:
                self._body(batch, begin, k)
            begin = k + 1
            tag = texts[k][:3]
            message = self._message
            if message is not None:
                if tag == "UNT":
                    message.add(batch, k, k + 1)
                    self._emit_message(complete=True)
                    continue
                start = batch.starts[k]
                self._close_message(start, f"{tag} at byte {start} came first")
            if not self._envelope(tag, batch, k):
                return
        if begin < len(texts):
            self._body(batch, begin, len(texts))

    def _body(self, batch: Batch, begin: int, end: int) -> None:
        """Segments between envelope segments: the open message's, or noted as misplaced."""
        message = self._message
        if message is not None:
            message.add(batch, begin, end)
            return
        text, start = batch.texts[begin], batch.starts[begin]
        tag = text[:3]
        shown = tag if tag.isalnum() else repr(text[:12])
        where = self._where(start, tag if tag.isalnum() else None)
        note = f"segment {shown} outside a message (skipped)"
        self._note(_CODES.INVALID_OUTSIDE_MESSAGE, note, where, rejecting=False)

    def _envelope(self, tag: str, batch: Batch, k: int) -> bool:
        """Handle an envelope segment outside a message; False when the interchange ended."""
        raw = _Raw(batch.texts[k], batch.starts[k], batch.end(k))
        if tag == "UNH":
            self._open_message(batch, k)
        elif tag == "UNG":
            self._ung(raw)
        elif tag == "UNE":
            self._une(raw)
        elif tag == "UNZ":
            self._unz(raw)
            self._tokens.restart(raw.end)
            return False
        elif tag in {"UNA", "UNB"}:
            reason = f"the next interchange starts at byte {raw.start}"
            self._cut_off(reason, raw.start)
            self._tokens.restart(raw.start)
            return False
        else:  # UNT without UNH
            where = self._where(raw.start, tag)
            note = f"segment {tag} outside a message (skipped)"
            self._note(_CODES.INVALID_OUTSIDE_MESSAGE, note, where, rejecting=False)
        return True

    # -- messages -----------------------------------------------------------------------------

    def _open_message(self, batch: Batch, k: int) -> None:
        interchange = self._interchange
        assert interchange is not None
        if self._group is None and interchange.groups:
            where = self._where(batch.starts[k], "UNH")
            message = "a message outside functional groups in an interchange that uses them"
            self._note(_CODES.GROUPS_AND_MESSAGES_MIXED, message, where, rejecting=False)
        self._message = _OpenMessage()
        self._message.add(batch, k, k + 1)

    def _close_message(self, byte_offset: int, reason: str) -> None:
        """A message that ends without UNT."""
        if self._message is not None:
            self._emit_message(complete=False, reason=reason, byte_offset=byte_offset)

    def _emit_message(
        self, *, complete: bool, reason: str = "", byte_offset: int | None = None
    ) -> None:
        open_message = self._message
        interchange = self._interchange
        assert open_message is not None
        assert interchange is not None
        self._message = None
        service = interchange.header.service_characters
        texts = tuple(open_message.texts)
        _, unh_elements, _ = parse_segment(texts[0], service)
        unh = _Values(unh_elements)
        group = self._group
        message = Message(
            reference=unh(1),
            message_type=unh(2, 1),
            version=unh(2, 2),
            release=unh(2, 3),
            agency=unh(2, 4),
            association_code=unh(2, 5),
            common_access_reference=unh(3),
            segment_texts=texts,
            segment_offsets=tuple(open_message.starts),
            interchange=interchange.header,
            group=group.header if group is not None else None,
        )
        errors = self._message_errors(message, unh, open_message.undecodable, interchange)
        if not complete:
            where = replace(
                message.position(len(texts) - 1),
                byte_offset=byte_offset,
                segment_index=len(texts) + 1,
                segment_id="UNT",
            )
            text = f"message {message.reference or '(no reference)'} has no UNT: {reason}"
            errors.insert(0, EdifactSyntaxError(text, position=where, code=_CODES.MISSING))
        if message.reference:
            interchange.references.add(message.reference)
        if errors:
            message = replace(message, errors=tuple(errors[:MAX_MESSAGE_ERRORS]))
        outcome = message.outcome
        if group is not None:
            group.messages.append(outcome)
        else:
            interchange.messages.append(outcome)
        self._queue.append(message)

    def _message_errors(
        self,
        message: Message,
        unh: _Values,
        undecodable: list[int],
        interchange: _OpenInterchange,
    ) -> list[EdifactError]:
        errors: list[EdifactError] = []
        if not message.reference:
            text = "UNH 0062 (message reference) is missing"
            errors.append(message.error(text, 0, element=1, code=_CODES.MISSING))
        for component, name in enumerate(
            ("0065 message type", "0052 version", "0054 release", "0051 controlling agency"),
            start=1,
        ):
            if not unh(2, component):
                text = f"UNH S009 {name} is missing"
                errors.append(
                    message.error(text, 0, element=2, component=component, code=_CODES.MISSING)
                )
        if message.reference and message.reference in interchange.references:
            text = (
                f"message reference {message.reference!r} is used twice in interchange "
                f"{interchange.header.control_reference}"
            )
            errors.append(message.error(text, 0, element=1, code=_CODES.DUPLICATE))
        last = len(message.segment_texts) - 1
        if last > 0 and message.tag(last) == "UNT":
            service = interchange.header.service_characters
            _, unt, _ = parse_segment(message.segment_texts[last], service)
            errors.extend(_unt_errors(message, _Values(unt)))
        errors.extend(self._character_errors(message, undecodable, interchange))
        return errors

    def _character_errors(
        self, message: Message, undecodable: list[int], interchange: _OpenInterchange
    ) -> Iterator[EdifactError]:
        invalid = interchange.invalid
        header = interchange.header
        texts = message.segment_texts
        suspects = set(undecodable)
        if invalid is not None and invalid.search("".join(texts)):
            suspects.update(i for i, text in enumerate(texts) if invalid.search(text))
        service = header.service_characters
        for found, index in enumerate(sorted(suspects)):
            if found >= MAX_MESSAGE_ERRORS:
                return
            tag, elements, repeats = parse_segment(texts[index], service)
            segment = Segment(tag, elements, message.segment_offsets[index], repeats)
            located = _locate(segment, invalid or _NON_ASCII)
            element, component, char = located if located else (None, None, "")
            if not char and invalid is not None:
                found_in_tag = invalid.search(texts[index])
                char = found_in_tag.group() if found_in_tag else ""
            if not char or (index in undecodable and not char.isascii()):
                text = (
                    f"{segment.tag} holds bytes that are not valid {header.encoding} "
                    f"({header.syntax_identifier})" + (f": {char!r}" if char else "")
                )
            else:
                text = (
                    f"{segment.tag}: character {char!r} (U+{ord(char):04X}) is not in the "
                    f"{header.syntax_identifier} character repertoire"
                )
            yield message.error(
                text,
                index,
                element=element,
                component=component,
                code=_CODES.INVALID_CHARACTER,
                bad_value=char or None,
            )

    # -- groups -------------------------------------------------------------------------------

    def _ung(self, raw: _Raw) -> None:
        interchange = self._interchange
        assert interchange is not None
        if self._group is not None:
            self._close_group(raw.start, f"UNG at byte {raw.start} came first")
        if interchange.messages:
            where = self._where(raw.start, "UNG")
            message = "a functional group in an interchange that has messages outside groups"
            self._note(_CODES.GROUPS_AND_MESSAGES_MIXED, message, where, rejecting=False)
        _, elements, _ = parse_segment(raw.text, interchange.header.service_characters)
        value = _Values(elements)
        header = GroupHeader(
            group_id=value(1),
            sender_id=value(2),
            sender_qualifier=value(2, 2),
            recipient_id=value(3),
            recipient_qualifier=value(3, 2),
            date=value(4),
            time=value(4, 2),
            reference=value(5),
            agency=value(6),
            version=value(7),
            release=value(7, 2),
            association_code=value(7, 3),
            interchange=interchange.header,
            byte_offset=raw.start,
        )
        if not header.reference:
            where = EdifactPosition(
                byte_offset=raw.start,
                interchange=interchange.header.control_reference or None,
                segment_id="UNG",
                element=5,
            )
            note = EnvelopeNote(_CODES.MISSING, "UNG 0048 (group reference) is missing", where)
            header = replace(header, notes=(note,))
        self._group = _OpenGroup(header)
        self._queue.append(header)

    def _une(self, raw: _Raw) -> None:
        group = self._group
        interchange = self._interchange
        assert interchange is not None
        if group is None:
            where = self._where(raw.start, "UNE")
            self._note(_CODES.INVALID_OUTSIDE_MESSAGE, "UNE without UNG", where, rejecting=False)
            return
        _, elements, _ = parse_segment(raw.text, interchange.header.service_characters)
        value = _Values(elements)
        stated, reference = value(1), value(2)
        received = len(group.messages)
        if _count(stated) != received:
            message = (
                f"UNE message count {stated or '(none)'} does not match the {received} "
                f"messages of group {group.header.reference}"
            )
            where = self._where(raw.start, "UNE", 1)
            group.notes.append(EnvelopeNote(_CODES.CONTROL_COUNT_MISMATCH, message, where))
        if reference != group.header.reference:
            message = (
                f"UNE reference {reference!r} does not match UNG reference "
                f"{group.header.reference!r}"
            )
            where = self._where(raw.start, "UNE", 2)
            group.notes.append(EnvelopeNote(_CODES.REFERENCES_DO_NOT_MATCH, message, where))
        self._end_group(_count(stated))

    def _close_group(self, byte_offset: int, reason: str) -> None:
        group = self._group
        if group is None:
            return
        message = f"functional group {group.header.reference} has no UNE: {reason}"
        where = self._where(byte_offset, "UNE")
        group.notes.append(EnvelopeNote(_CODES.MISSING, message, where))
        self._end_group(None)

    def _end_group(self, stated: int | None) -> None:
        group = self._group
        interchange = self._interchange
        assert group is not None
        assert interchange is not None
        self._group = None
        end = GroupEnd(
            group=group.header,
            messages=tuple(group.messages),
            stated_count=stated,
            notes=tuple(group.notes[:MAX_NOTES]),
        )
        interchange.groups.append(end)
        self._queue.append(end)

    # -- UNZ ----------------------------------------------------------------------------------

    def _unz(self, raw: _Raw) -> None:
        interchange = self._interchange
        assert interchange is not None
        if self._group is not None:
            self._close_group(raw.start, f"UNZ at byte {raw.start} came first")
        _, elements, _ = parse_segment(raw.text, interchange.header.service_characters)
        value = _Values(elements)
        stated, reference = value(1), value(2)
        header = interchange.header
        if interchange.groups:
            received, what = len(interchange.groups), "functional groups"
        else:
            received, what = len(interchange.messages), "messages"
        if _count(stated) != received:
            message = (
                f"UNZ count {stated or '(none)'} does not match the {received} {what} of "
                f"interchange {header.control_reference}"
            )
            self._note(
                _CODES.CONTROL_COUNT_MISMATCH,
                message,
                self._where(raw.start, "UNZ", 1),
                rejecting=True,
            )
        if reference != header.control_reference:
            message = (
                f"UNZ reference {reference!r} does not match UNB reference "
                f"{header.control_reference!r}"
            )
            self._note(
                _CODES.REFERENCES_DO_NOT_MATCH,
                message,
                self._where(raw.start, "UNZ", 2),
                rejecting=True,
            )
        self._end_interchange(_count(stated), unz_seen=True)


_NON_ASCII = re.compile("[^\x00-\x7f]")


def _locate(
    segment: Segment, pattern: re.Pattern[str] | None
) -> tuple[int, int | None, str] | None:
    """Element, component and character of the first match of `pattern` in the segment's values."""
    if pattern is None:
        return None
    occurrences = [(p, c) for p, c in enumerate(segment.elements, start=1)]
    occurrences.extend(segment.repeats)
    for position, components in occurrences:
        for index, value in enumerate(components, start=1):
            found = pattern.search(value)
            if found is not None:
                return position, (index if len(components) > 1 else None), found.group()
    return None


def _unt_errors(message: Message, unt: _Values) -> list[EdifactError]:
    errors: list[EdifactError] = []
    index = len(message.segment_texts) - 1
    stated, reference = unt(1), unt(2)
    count = len(message.segment_texts)
    if _count(stated) is None:
        text = f"UNT segment count {stated!r} is not a number (message {message.reference})"
        errors.append(message.error(text, index, element=1, code=_CODES.INVALID_VALUE))
    elif _count(stated) != count:
        text = (
            f"UNT segment count {stated} does not match the {count} segments of message "
            f"{message.reference}"
        )
        errors.append(
            message.error(
                text, index, element=1, code=_CODES.CONTROL_COUNT_MISMATCH, bad_value=stated
            )
        )
    if reference != message.reference:
        text = f"UNT reference {reference!r} does not match UNH reference {message.reference!r}"
        errors.append(
            message.error(
                text, index, element=2, code=_CODES.REFERENCES_DO_NOT_MATCH, bad_value=reference
            )
        )
    return errors


class _Values:
    """`value(position, component=1)` over parsed elements: stripped, `""` when absent."""

    __slots__ = ("elements",)

    def __init__(self, elements: tuple[Components, ...]) -> None:
        self.elements = elements

    def __call__(self, position: int, component: int = 1) -> str:
        elements = self.elements
        if not 0 < position <= len(elements):
            return ""
        components = elements[position - 1]
        return components[component - 1].strip() if 0 < component <= len(components) else ""


def _count(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() else None


def _header(start: InterchangeStart, sequence: int) -> InterchangeHeader:
    value = _Values(start.unb)
    identifier, version = value(1), value(1, 2)
    header = InterchangeHeader(
        syntax_identifier=identifier,
        syntax_version=version,
        sender_id=value(2),
        sender_qualifier=value(2, 2),
        sender_routing=value(2, 3),
        recipient_id=value(3),
        recipient_qualifier=value(3, 2),
        recipient_routing=value(3, 3),
        date=value(4),
        time=value(4, 2),
        control_reference=value(5),
        recipient_reference=value(6),
        application_reference=value(7),
        priority=value(8),
        acknowledgement_requested=value(9) in {"1", "2"},
        agreement_id=value(10),
        test=value(11) == "1",
        service_characters=start.service,
        una=start.una,
        encoding=start.codec,
        byte_offset=start.byte_offset,
        sequence=sequence,
        acknowledgement_kind=value(9),
    )
    return replace(header, notes=tuple(_header_notes(start, header)))


def _header_notes(start: InterchangeStart, header: InterchangeHeader) -> Iterator[EnvelopeNote]:
    """UNA/UNB problems: rejecting ones (the interchange cannot be accepted) and tolerated ones."""
    unb = replace(header.position(), byte_offset=start.unb_offset)

    def note(
        code: str | None,
        text: str,
        element: int | None,
        component: int | None = None,
        *,
        rejecting: bool = True,
    ) -> EnvelopeNote:
        return EnvelopeNote(code, text, unb.at(element, component), rejecting)

    identifier = header.syntax_identifier
    if start.una_problem is not None:
        where = replace(unb, byte_offset=start.byte_offset, segment_id="UNA")
        yield EnvelopeNote(_CODES.INVALID_DECIMAL_NOTATION, start.una_problem, where, False)
    if start.utf8_bom and identifier not in _UNICODE:
        text = (
            "the data starts with a UTF-8 BOM: values are read as UTF-8, not as "
            f"{identifier or 'the syntax level'} says"
        )
        yield note(None, text, None, rejecting=False)
    if identifier in REFUSED_SYNTAX_IDENTIFIERS:
        text = f"syntax identifier {identifier} (ISO 2022 code extension) is not supported"
        yield note(_CODES.SYNTAX_LEVEL_NOT_SUPPORTED, text, 1, 1)
    elif not identifier:
        yield note(_CODES.MISSING, "UNB S001 0001 (syntax identifier) is missing", 1, 1)
    elif identifier not in SUPPORTED_SYNTAX_IDENTIFIERS:
        text = (
            f"syntax identifier {identifier} is not a UN/ECE level this reader knows; values are "
            "read as ISO 8859-1 and only control characters are checked"
        )
        yield note(_CODES.SYNTAX_LEVEL_NOT_SUPPORTED, text, 1, 1, rejecting=False)
    if header.syntax_version not in {"1", "2", "3", "4"}:
        text = f"syntax version {header.syntax_version or '(none)'} is not 1, 2, 3 or 4"
        yield note(_CODES.SYNTAX_LEVEL_NOT_SUPPORTED, text, 1, 2)
    for element, value, name in (
        (2, header.sender_id, "S002 0004 (interchange sender)"),
        (3, header.recipient_id, "S003 0010 (interchange recipient)"),
        (5, header.control_reference, "0020 (interchange control reference)"),
    ):
        if not value:
            yield note(
                _CODES.MISSING, f"UNB {name} is missing", element, 1 if element < 5 else None
            )
    if not _valid_date(header.date):
        yield note(
            _CODES.INVALID_VALUE, f"UNB date {header.date!r} is not YYMMDD or CCYYMMDD", 4, 1
        )
    if not _valid_clock(header.time, "%H%M"):
        yield note(_CODES.INVALID_VALUE, f"UNB time {header.time!r} is not HHMM", 4, 2)
    if header.acknowledgement_kind not in {"", "0", "1", "2"}:
        text = (
            f"UNB 0031 {header.acknowledgement_kind!r} is not an acknowledgement request (1 or 2)"
        )
        yield note(_CODES.INVALID_VALUE, text, 9, rejecting=False)
    test = _Values(start.unb)(11)
    if test not in {"", "0", "1"}:
        yield note(
            _CODES.INVALID_VALUE,
            f"UNB 0035 {test!r} is not a test indicator (1)",
            11,
            rejecting=False,
        )


def _valid_date(value: str) -> bool:
    if len(value) == 6:
        return _valid_clock(value, "%y%m%d")
    return len(value) == 8 and _valid_clock(value, "%Y%m%d")


def _valid_clock(value: str, pattern: str) -> bool:
    if not (value.isascii() and value.isdigit()):
        return False
    try:
        datetime.strptime(value, pattern)  # noqa: DTZ007 - a syntax check, no datetime is kept
    except ValueError:
        return False
    return True


def read_edifact(
    source: bytes | BinaryIO | Iterable[bytes],
    *,
    chunk_size: int = DEFAULT_WINDOW,
    check_characters: bool = True,
) -> Iterator[EdifactEvent]:
    """Every event of an EDIFACT stream: bytes, a binary file object (read in `chunk_size`
    chunks) or an iterable of byte chunks. Memory stays flat for file objects and iterables."""
    reader = EdifactReader(window=chunk_size, check_characters=check_characters)
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
