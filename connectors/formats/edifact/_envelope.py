"""What the reader hands out: interchange and group headers, messages, envelope results.

The reader yields, in stream order: `InterchangeHeader` (after UNB), `GroupHeader` (after UNG),
`Message` (one UNH..UNT, segments parsed), `GroupEnd` (after UNE, or where it was missing),
`InterchangeEnd` (after UNZ, or where it was missing) and `InterchangeFailure` (bytes that are
not a readable interchange). Every item is immutable and self-contained: a message points at its
group and interchange headers, so nothing needs the reader afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from connectors.formats.edifact._codes import ActionCode
from connectors.formats.edifact._errors import (
    EdifactError,
    EdifactPosition,
    EdifactSyntaxError,
)
from connectors.formats.edifact._outcomes import (
    ContrlReport,
    ElementRef,
    GroupOutcome,
    MessageOutcome,
)
from connectors.formats.edifact._syntax import Components, ServiceCharacters, parse_segment


@dataclass(frozen=True, slots=True)
class EnvelopeNote:
    """A problem (or a tolerated oddity) above the message: UNA, UNB, UNZ, UNG, UNE."""

    code: str | None
    """0085 (`SyntaxErrorCode`); `None` for a purely informative note."""
    message: str
    """What is wrong, for people."""
    position: EdifactPosition
    """Where (the segment and element of the service segment concerned)."""
    rejecting: bool = True
    """True when the level is rejected (CONTRL action 4); tolerated notes are not written."""


@dataclass(frozen=True, slots=True)
class InterchangeKey:
    """What makes an interchange unique for duplicate detection (a store concern)."""

    sender_qualifier: str
    sender_id: str
    recipient_qualifier: str
    recipient_id: str
    control_reference: str


@dataclass(frozen=True, slots=True)
class InterchangeHeader:
    """A UNB (with the UNA that preceded it), values as sent, plus what the reader noticed."""

    syntax_identifier: str
    """S001 0001, e.g. `UNOC`."""
    syntax_version: str
    """S001 0002, `1`..`4`."""
    sender_id: str
    """S002 0004."""
    sender_qualifier: str
    """S002 0007 (14 = GLN, ZZZ mutually defined...)."""
    sender_routing: str
    """S002 0008 (reverse routing address / internal id)."""
    recipient_id: str
    """S003 0010."""
    recipient_qualifier: str
    """S003 0007."""
    recipient_routing: str
    """S003 0014."""
    date: str
    """S004 0017: YYMMDD (CCYYMMDD in syntax version 4)."""
    time: str
    """S004 0019: HHMM."""
    control_reference: str
    """0020, repeated in UNZ and answered in CONTRL UCI."""
    recipient_reference: str
    """S005 0022, a password in some networks: never log it."""
    application_reference: str
    """0026."""
    priority: str
    """0029 processing priority code."""
    acknowledgement_requested: bool
    """0031 = 1: the sender asks for a CONTRL (2 in syntax version 4: receipt only)."""
    agreement_id: str
    """0032 interchange agreement identifier (`EANCOM` in some networks)."""
    test: bool
    """0035 = 1: test interchange."""
    service_characters: ServiceCharacters
    """Separators and decimal mark in force (from UNA or the defaults)."""
    una: bool
    """True when the interchange started with a UNA."""
    encoding: str
    """Codec the values were decoded with (`ascii`, `latin-1`, `utf-8`...)."""
    byte_offset: int
    """Offset of the UNA (or UNB) from the start of the stream."""
    sequence: int
    """1-based number of this interchange in the stream."""
    acknowledgement_kind: str = ""
    """0031 as sent."""
    notes: tuple[EnvelopeNote, ...] = ()
    """UNA/UNB problems and tolerated oddities (UTF-8 BOM, unknown syntax identifier)."""

    @property
    def key(self) -> InterchangeKey:
        """Sender, recipient and 0020: the duplicate-detection key."""
        return InterchangeKey(
            self.sender_qualifier,
            self.sender_id,
            self.recipient_qualifier,
            self.recipient_id,
            self.control_reference,
        )

    @property
    def rejected(self) -> bool:
        """True when a UNA/UNB problem rejects the whole interchange."""
        return any(note.rejecting for note in self.notes)

    def position(self, element: int | None = None, component: int | None = None) -> EdifactPosition:
        """The UNB's own position (and an element of it)."""
        return EdifactPosition(
            byte_offset=self.byte_offset,
            interchange=self.control_reference or None,
            segment_id="UNB",
            element=element,
            component=component,
        )


@dataclass(frozen=True, slots=True)
class GroupHeader:
    """A UNG and the interchange it belongs to."""

    group_id: str
    """0038 message group identification (the message type, e.g. `ORDERS`)."""
    sender_id: str
    """S006 0040 application sender."""
    sender_qualifier: str
    """S006 0007."""
    recipient_id: str
    """S007 0044 application recipient."""
    recipient_qualifier: str
    """S007 0007."""
    date: str
    """S004 0017."""
    time: str
    """S004 0019."""
    reference: str
    """0048 group reference number, repeated in UNE."""
    agency: str
    """0051 controlling agency."""
    version: str
    """S008 0052."""
    release: str
    """S008 0054."""
    association_code: str
    """S008 0057."""
    interchange: InterchangeHeader
    """The enclosing UNB."""
    byte_offset: int
    """Offset of `UNG`."""
    notes: tuple[EnvelopeNote, ...] = ()
    """UNG problems."""


@dataclass(frozen=True, slots=True)
class Segment:
    """One segment, split and unescaped: `elements[0]` is data element 1 (after the tag), each a
    tuple of its components."""

    tag: str
    """Segment tag, e.g. `LIN`."""
    elements: tuple[Components, ...]
    """Data elements; a simple element is a 1-tuple, an empty one `("",)`."""
    byte_offset: int
    """Offset of the tag from the start of the stream."""
    repeats: tuple[tuple[int, Components], ...] = ()
    """Further occurrences of repeated elements (syntax version 4): `(position, components)`."""

    def element(self, position: int) -> Components:
        """Data element `position` (1-based) as components; `()` when the segment stops before."""
        return self.elements[position - 1] if 0 < position <= len(self.elements) else ()

    def get(self, position: int, component: int = 1) -> str:
        """Component `component` of data element `position` (both 1-based), `""` when absent."""
        if not 0 < position <= len(self.elements):
            return ""
        components = self.elements[position - 1]
        return components[component - 1] if 0 < component <= len(components) else ""

    def occurrences(self, position: int) -> list[Components]:
        """Every occurrence of a (repeatable) data element, the first one included."""
        first = self.element(position)
        return [first, *(c for p, c in self.repeats if p == position)] if first else []


@dataclass(frozen=True, slots=True)
class Message:
    """One UNH..UNT: identification, its segments, where it came from, and the syntax problems
    found in it (none for a sound message).

    The reader keeps each segment as text and parses `segments` on first use: a caller that
    routes or stores messages without reading them pays only for the split into segments.
    """

    reference: str
    """UNH 0062."""
    message_type: str
    """S009 0065, e.g. `ORDERS`."""
    version: str
    """S009 0052, e.g. `D`."""
    release: str
    """S009 0054, e.g. `96A`."""
    agency: str
    """S009 0051, e.g. `UN`."""
    association_code: str
    """S009 0057, e.g. `EAN008`."""
    common_access_reference: str
    """UNH 0068."""
    segment_texts: tuple[str, ...]
    """UNH .. UNT (or up to where the message was cut off) as sent, without terminators."""
    segment_offsets: tuple[int, ...]
    """Absolute byte offset of each segment."""
    interchange: InterchangeHeader
    """The enclosing UNB."""
    group: GroupHeader | None
    """The enclosing UNG, when the interchange uses groups."""
    errors: tuple[EdifactError, ...] = ()
    """Syntax problems: UNT count or reference, missing UNT, invalid characters, UNH content."""
    _parsed: list[tuple[Segment, ...]] = field(
        default_factory=list, init=False, repr=False, compare=False
    )

    @property
    def segments(self) -> tuple[Segment, ...]:
        """The segments split into elements and components, values unescaped (parsed once)."""
        if not self._parsed:
            service = self.interchange.service_characters
            parsed = []
            for text, offset in zip(self.segment_texts, self.segment_offsets, strict=True):
                tag, elements, repeats = parse_segment(text, service)
                parsed.append(Segment(tag, elements, offset, repeats))
            self._parsed.append(tuple(parsed))
        return self._parsed[0]

    @property
    def byte_offset(self) -> int:
        """Offset of `UNH`."""
        return self.segment_offsets[0]

    @property
    def service_characters(self) -> ServiceCharacters:
        """The interchange's separators and decimal mark."""
        return self.interchange.service_characters

    @property
    def decimal_mark(self) -> str:
        """The decimal mark numbers in this message use (UNA3, `.` by default)."""
        return self.interchange.service_characters.decimal

    @property
    def directory(self) -> str:
        """Version and release, e.g. `D96A`."""
        return f"{self.version}{self.release}"

    @property
    def accepted(self) -> bool:
        """True when the syntax checks found nothing."""
        return not self.errors

    def tag(self, index: int) -> str:
        """The tag of segment `index` (0-based), without parsing the message."""
        service = self.interchange.service_characters
        text = self.segment_texts[index]
        return text.split(service.element, 1)[0].split(service.component, 1)[0]

    def position(
        self, index: int, *, element: int | None = None, component: int | None = None
    ) -> EdifactPosition:
        """The full position of segment `index` (0-based; 0 is UNH) and an element of it."""
        in_range = 0 <= index < len(self.segment_texts)
        return EdifactPosition(
            byte_offset=self.segment_offsets[index] if in_range else self.byte_offset,
            interchange=self.interchange.control_reference or None,
            group=self.group.reference if self.group is not None else None,
            message=self.reference,
            segment_index=index + 1 if in_range else None,
            segment_id=self.tag(index) if in_range else None,
            element=element,
            component=component,
        )

    def error(
        self,
        message: str,
        index: int,
        *,
        element: int | None = None,
        component: int | None = None,
        code: str | None = None,
        bad_value: str | None = None,
    ) -> EdifactSyntaxError:
        """An `EdifactSyntaxError` located at segment `index` (and element) of this message."""
        return EdifactSyntaxError(
            message,
            position=self.position(index, element=element, component=component),
            code=code,
            bad_value=bad_value,
        )

    @property
    def outcome(self) -> MessageOutcome:
        """The syntax result for CONTRL: acknowledged, or rejected with the errors' codes."""
        base = MessageOutcome(
            reference=self.reference,
            message_type=self.message_type,
            version=self.version,
            release=self.release,
            agency=self.agency,
            association_code=self.association_code,
            group=self.group.reference if self.group is not None else None,
        )
        return base.with_errors(self.errors)


def _merge_outcomes(
    envelope: Iterable[MessageOutcome], results: dict[tuple[str | None, str], MessageOutcome]
) -> tuple[MessageOutcome, ...]:
    """Replace envelope outcomes by translator outcomes; never hide an envelope rejection."""
    merged: list[MessageOutcome] = []
    for outcome in envelope:
        result = results.get((outcome.group, outcome.reference)) or results.get(
            (None, outcome.reference)
        )
        if result is None:
            merged.append(outcome)
        elif outcome.accepted:
            merged.append(replace(result, group=outcome.group))
        else:
            merged.append(outcome.rejected(segments=result.segments))
    return tuple(merged)


def _level(
    notes: Iterable[EnvelopeNote],
) -> tuple[ActionCode, str | None, str | None, ElementRef | None]:
    first = next((note for note in notes if note.rejecting), None)
    if first is None:
        return ActionCode.ACKNOWLEDGED, None, None, None
    where = first.position
    return ActionCode.REJECTED, first.code, where.segment_id, ElementRef.from_position(where)


@dataclass(frozen=True, slots=True)
class GroupEnd:
    """A functional group is complete (UNE read, or the group was cut off)."""

    group: GroupHeader
    """The UNG."""
    messages: tuple[MessageOutcome, ...]
    """Envelope-level result of every message of the group, in order."""
    stated_count: int | None
    """UNE 0060, or `None` when UNE is missing or 0060 is not a number."""
    notes: tuple[EnvelopeNote, ...]
    """UNG/UNE problems (a missing UNE, count or reference mismatch)."""

    @property
    def rejected(self) -> bool:
        """True when a group-level problem rejects the group and all its messages."""
        return any(note.rejecting for note in self.notes)

    def outcome(self, results: dict[tuple[str | None, str], MessageOutcome]) -> GroupOutcome:
        """The UCF content, with translator `results` merged in."""
        action, code, service, element = _level(self.notes)
        header = self.group
        return GroupOutcome(
            reference=header.reference,
            sender_id=header.sender_id,
            sender_qualifier=header.sender_qualifier,
            recipient_id=header.recipient_id,
            recipient_qualifier=header.recipient_qualifier,
            action=action,
            code=code,
            service_segment=service,
            element=element,
            messages=_merge_outcomes(self.messages, results),
        )


@dataclass(frozen=True, slots=True)
class InterchangeEnd:
    """An interchange is complete (UNZ read, or the interchange was cut off)."""

    header: InterchangeHeader
    """The UNB."""
    messages: tuple[MessageOutcome, ...]
    """Envelope-level results of the messages outside groups."""
    groups: tuple[GroupEnd, ...]
    """Functional groups, each with its message results."""
    stated_count: int | None
    """UNZ 0036, or `None` when UNZ is missing or 0036 is not a number."""
    unz_seen: bool
    """False when the data ended (or the next interchange began) before a UNZ."""
    notes: tuple[EnvelopeNote, ...]
    """Interchange-level problems (UNA, UNB, UNZ, segments outside messages), rejecting first."""

    @property
    def rejected(self) -> bool:
        """True when a problem rejects the interchange and everything in it (CONTRL UCI 4).

        Messages are yielded before the UNZ is read: a caller that must not act on an
        interchange rejected at its UNZ holds its decisions until this event."""
        return any(note.rejecting for note in self.notes)

    @property
    def message_count(self) -> int:
        """Messages received, in and outside groups."""
        return len(self.messages) + sum(len(group.messages) for group in self.groups)

    def acknowledge(self, results: Iterable[MessageOutcome] = ()) -> ContrlReport:
        """The CONTRL content for this interchange; `results` (from translation) replace the
        envelope outcome of the same message (matched by group and reference) unless the
        envelope already rejected it."""
        by_key: dict[tuple[str | None, str], MessageOutcome] = {}
        for result in results:
            by_key[(result.group, result.reference)] = result
        action, code, service, element = _level(self.notes)
        header = self.header
        return ContrlReport(
            interchange_reference=header.control_reference,
            sender_id=header.sender_id,
            sender_qualifier=header.sender_qualifier,
            recipient_id=header.recipient_id,
            recipient_qualifier=header.recipient_qualifier,
            action=action,
            code=code,
            service_segment=service,
            element=element,
            messages=_merge_outcomes(self.messages, by_key),
            groups=tuple(group.outcome(by_key) for group in self.groups),
        )


@dataclass(frozen=True, slots=True)
class InterchangeFailure:
    """Bytes that could not be read as an interchange (garbage, a broken UNA or UNB).

    Nothing in them can be acknowledged: without a readable UNB there is no one to answer. The
    reader has skipped to the next `UNA`/`UNB`.
    """

    error: EdifactSyntaxError
    """What is wrong, with the byte offset."""

    @property
    def byte_offset(self) -> int | None:
        """Where the unreadable data starts."""
        return self.error.position.byte_offset


EdifactEvent = (
    InterchangeHeader | GroupHeader | Message | GroupEnd | InterchangeEnd | InterchangeFailure
)
"""Everything `EdifactReader.events()` yields."""
