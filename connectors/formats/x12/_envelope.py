"""What the reader hands out: interchange and group headers, transaction sets, envelope results.

The reader yields, in stream order: `TransactionSet` (one ST..SE, segments as strings),
`GroupEnd` (after GE, or where GE was missing), `InterchangeEnd` (after IEA, or where it was
missing), `InterchangeFailure` (bytes that could not be framed as an interchange at all) and
`ReceivedTa1` (a TA1 the partner sent us). Every item is immutable and self-contained: a set
points at its group and interchange headers, so nothing needs the reader afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from connectors.formats.x12._acks import (
    REJECTING_GROUP_CODES,
    REJECTING_NOTES,
    AckCode,
    GroupAck,
    InterchangeAck,
    SetAck,
)
from connectors.formats.x12._delimiters import Delimiters
from connectors.formats.x12._errors import X12Error, X12Position, X12SyntaxError


@dataclass(frozen=True, slots=True)
class InterchangeKey:
    """What makes an interchange unique for duplicate detection (a store concern)."""

    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    control_number: str


@dataclass(frozen=True, slots=True)
class InterchangeHeader:
    """An ISA, values without padding, with the delimiters it declared."""

    authorization_qualifier: str
    """ISA01."""
    authorization: str
    """ISA02."""
    security_qualifier: str
    """ISA03."""
    security: str
    """ISA04 (a password in some networks: never log it)."""
    sender_qualifier: str
    """ISA05."""
    sender_id: str
    """ISA06."""
    receiver_qualifier: str
    """ISA07."""
    receiver_id: str
    """ISA08."""
    date: str
    """ISA09, YYMMDD."""
    time: str
    """ISA10, HHMM."""
    standards_id: str
    """ISA11 as sent: `U`, or the repetition separator from 00402 on."""
    version: str
    """ISA12, e.g. `00401`, `00501`; any value is read."""
    control_number: str
    """ISA13."""
    acknowledgment_requested: bool
    """ISA14 = 1: the sender asks for a TA1."""
    usage: str
    """ISA15: `P` production, `T` test, `I` information."""
    delimiters: Delimiters
    """Separators the ISA declared (answers use them too)."""
    byte_offset: int
    """Offset of `ISA` from the start of the stream."""
    encoding: str
    """Character encoding the reader decoded with."""
    sequence: int
    """1-based number of this interchange in the stream."""

    @property
    def key(self) -> InterchangeKey:
        """Sender, receiver and ISA13: the duplicate-detection key."""
        return InterchangeKey(
            self.sender_qualifier,
            self.sender_id,
            self.receiver_qualifier,
            self.receiver_id,
            self.control_number,
        )

    @property
    def is_test(self) -> bool:
        """True when ISA15 marks the interchange as test data."""
        return self.usage == "T"

    def position(self) -> X12Position:
        """The ISA's own position."""
        return X12Position(
            byte_offset=self.byte_offset, interchange=self.control_number, segment_id="ISA"
        )


@dataclass(frozen=True, slots=True)
class GroupHeader:
    """A GS and the interchange it belongs to."""

    functional_id: str
    """GS01, e.g. `PO`, `FA`."""
    sender_code: str
    """GS02 (application sender)."""
    receiver_code: str
    """GS03 (application receiver)."""
    date: str
    """GS04, CCYYMMDD (YYMMDD before 004010)."""
    time: str
    """GS05."""
    control_number: str
    """GS06."""
    agency: str
    """GS07, normally `X`."""
    version: str
    """GS08, e.g. `004010`, `004010VICS`, `005010`."""
    interchange: InterchangeHeader
    """The enclosing ISA."""
    byte_offset: int
    """Offset of `GS`."""


@dataclass(frozen=True, slots=True)
class TransactionSet:
    """One ST..SE: its segments as strings (split them with `elements`), where it came from, and
    the envelope problems found in it (none for a sound set)."""

    set_id: str
    """ST01, e.g. `850`."""
    control_number: str
    """ST02."""
    implementation_reference: str | None
    """ST03 when present (005010 and later)."""
    segments: tuple[str, ...]
    """Segments ST..SE, stripped, without terminators; `segments[0]` is the ST."""
    group: GroupHeader
    """The enclosing GS (and through it the ISA)."""
    byte_offset: int
    """Offset of `ST`."""
    text: str
    """The decoded text from ST through the SE terminator (or to where the set was cut off)."""
    errors: tuple[X12Error, ...] = ()
    """Envelope problems (SE count, control numbers, missing SE, undecodable bytes)."""

    @property
    def interchange(self) -> InterchangeHeader:
        """The enclosing ISA."""
        return self.group.interchange

    @property
    def delimiters(self) -> Delimiters:
        """The interchange's separators."""
        return self.group.interchange.delimiters

    def elements(self, index: int) -> list[str]:
        """Segment `index` (0-based; 0 is ST) split into elements; `[0]` is the tag."""
        return self.segments[index].split(self.delimiters.element)

    def iter_elements(self) -> Iterator[list[str]]:
        """Every segment split into elements, in order."""
        separator = self.delimiters.element
        for segment in self.segments:
            yield segment.split(separator)

    def components(self, value: str) -> list[str]:
        """A composite element split into its components."""
        return value.split(self.delimiters.component)

    def repetitions(self, value: str) -> list[str]:
        """A repeated element split on the repetition separator (one item when there is none)."""
        separator = self.delimiters.repetition
        return value.split(separator) if separator else [value]

    def segment_offset(self, index: int) -> int:
        """Absolute byte offset of segment `index` (computed from `text` on demand)."""
        delimiters = self.delimiters
        whitespace, terminator = delimiters.whitespace(), delimiters.segment
        char, seen = 0, -1
        for piece in self.text.split(terminator):
            if piece.strip(whitespace):
                seen += 1
                if seen == index:
                    start = char + len(piece) - len(piece.lstrip(whitespace))
                    prefix = self.text[:start].encode(self.interchange.encoding, "surrogateescape")
                    return self.byte_offset + len(prefix)
            char += len(piece) + len(terminator)
        return self.byte_offset

    def position(
        self, index: int, *, element: int | None = None, component: int | None = None
    ) -> X12Position:
        """The full position of segment `index` (and an element of it) for an error."""
        in_range = 0 <= index < len(self.segments)
        tag = self.segments[index].split(self.delimiters.element, 1)[0] if in_range else None
        return X12Position(
            byte_offset=self.segment_offset(index) if in_range else self.byte_offset,
            interchange=self.interchange.control_number,
            group=self.group.control_number,
            transaction_set=self.control_number,
            segment_index=index + 1 if in_range else None,
            segment_id=tag,
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
        segment_code: str | None = None,
        element_code: str | None = None,
        bad_value: str | None = None,
    ) -> X12SyntaxError:
        """An `X12SyntaxError` located at segment `index` (and element) of this set."""
        return X12SyntaxError(
            message,
            position=self.position(index, element=element, component=component),
            segment_code=segment_code,
            element_code=element_code,
            bad_value=bad_value,
        )

    @property
    def ack(self) -> SetAck:
        """The envelope-level result: accepted, or rejected with the envelope errors' codes."""
        result = SetAck(self.set_id, self.control_number, self.implementation_reference)
        for problem in self.errors:
            result = result.for_error(problem)
        return result


@dataclass(frozen=True, slots=True)
class EnvelopeNote:
    """An envelope problem above the transaction set: a TA105 or AK905 code with its reason."""

    code: str
    """`InterchangeNoteCode` (TA105) or `GroupErrorCode` (AK905)."""
    message: str
    """What is wrong, for people."""
    position: X12Position
    """Where."""


@dataclass(frozen=True, slots=True)
class GroupEnd:
    """A functional group is complete (GE read, or the group was cut off)."""

    group: GroupHeader
    """The GS."""
    sets: tuple[SetAck, ...]
    """Envelope-level result of every set received, in order."""
    stated_count: int | None
    """GE01, or `None` when the GE is missing or GE01 is not a number."""
    notes: tuple[EnvelopeNote, ...]
    """Group-level problems (AK905 codes)."""

    @property
    def rejected(self) -> bool:
        """True when a group-level note rejects the whole group (AK905 1-4: GE missing, GE02
        not GS06...): none of its sets may be acted on, however sound each is."""
        return any(note.code in REJECTING_GROUP_CODES for note in self.notes)

    @property
    def rejection(self) -> str | None:
        """Why the group is rejected as a whole (its rejecting notes), or None."""
        reasons = [note.message for note in self.notes if note.code in REJECTING_GROUP_CODES]
        return "; ".join(reasons) or None

    def acknowledge(self, results: Iterable[SetAck] = ()) -> GroupAck:
        """The group's ack; `results` (e.g. from translation) replace sets by control number.

        Results sharing a control number replace the sets holding it in order (the first result
        the first such set): a group may repeat an ST02 (AK5 23 on the repeat), and each set
        keeps its own verdict, so the 997 rejects the repeat and not the set acted on.
        A replacement never hides an envelope rejection: a set the envelope checks rejected
        stays rejected, with the translator's notes added. In a group rejected as a whole every
        set is rejected too (AK5 R; the AK905 code says why), so the 997 never reports a set
        accepted that the receiver must not act on.
        """
        # One result per control number is the rule, so it is held as itself; only a repeated
        # number gets a list (a deque per set cost 600 bytes each: 65 MB on a 200 MB group).
        replacements: dict[str, SetAck | list[SetAck]] = {}
        for result in results:
            held = replacements.get(result.control_number)
            if held is None:
                replacements[result.control_number] = result
            elif isinstance(held, list):
                held.append(result)
            else:
                replacements[result.control_number] = [held, result]
        for held in replacements.values():
            if isinstance(held, list):
                held.reverse()  # taken from the end: each in turn, in constant time
        merged = []
        for envelope in self.sets:
            replacement = _next_replacement(replacements, envelope.control_number)
            if replacement is None:
                merged.append(envelope)
            elif envelope.accepted:
                merged.append(replacement)
            else:
                merged.append(envelope.rejected(*replacement.codes, segments=replacement.segments))
        if self.rejected:
            merged = [result if not result.accepted else result.rejected() for result in merged]
        return GroupAck.summarize(
            self.group.functional_id,
            self.group.control_number,
            self.group.version,
            merged,
            included=self.stated_count,
            codes=[note.code for note in self.notes],
            sender_code=self.group.sender_code,
            receiver_code=self.group.receiver_code,
        )


@dataclass(frozen=True, slots=True)
class InterchangeEnd:
    """An interchange is complete (IEA read, or the interchange was cut off)."""

    header: InterchangeHeader
    """The ISA."""
    group_count: int
    """Functional groups received."""
    stated_group_count: int | None
    """IEA01, or `None` when the IEA is missing or IEA01 is not a number."""
    notes: tuple[EnvelopeNote, ...]
    """Interchange-level problems (TA105 codes), first the most serious."""

    @property
    def status(self) -> AckCode:
        """TA104: R when a note rejects the interchange, E when there are notes, else A."""
        if any(note.code in REJECTING_NOTES for note in self.notes):
            return AckCode.REJECTED
        return AckCode.ACCEPTED_WITH_ERRORS if self.notes else AckCode.ACCEPTED

    @property
    def rejection(self) -> str | None:
        """Why the interchange is rejected as a whole (TA104 R: its rejecting notes), or None;
        none of its groups may be acted on."""
        reasons = [note.message for note in self.notes if note.code in REJECTING_NOTES]
        return "; ".join(reasons) or None

    @property
    def note_code(self) -> str:
        """TA105: the first rejecting note, else the first note, else `000`."""
        rejecting = [note.code for note in self.notes if note.code in REJECTING_NOTES]
        codes = rejecting or [note.code for note in self.notes]
        return codes[0] if codes else "000"

    def with_notes(self, *notes: EnvelopeNote) -> InterchangeEnd:
        """This interchange with `notes` first: problems found beyond the syntax (an ISA06 that is
        not the partner's, say), so that the TA1 and `rejection` say them too."""
        return replace(self, notes=(*notes, *self.notes))

    def acknowledge(self) -> InterchangeAck:
        """The TA1 content for this interchange."""
        return InterchangeAck(
            control_number=self.header.control_number,
            date=self.header.date,
            time=self.header.time,
            status=self.status,
            note_code=self.note_code,
        )


@dataclass(frozen=True, slots=True)
class InterchangeFailure:
    """Bytes that could not be read as an interchange (broken ISA, junk between interchanges).

    Nothing in them can be acknowledged: without a readable ISA there is no one to answer. The
    reader has skipped to the next `ISA`.
    """

    error: X12SyntaxError
    """What is wrong, with the byte offset."""

    @property
    def byte_offset(self) -> int | None:
        """Where the unreadable data starts."""
        return self.error.position.byte_offset


@dataclass(frozen=True, slots=True)
class ReceivedTa1:
    """A TA1 segment in an inbound interchange: the partner's answer to one of our interchanges."""

    ack: InterchangeAck
    """The TA1 content (TA101 is our ISA13)."""
    interchange: InterchangeHeader
    """The interchange that carried it."""
    byte_offset: int
    """Offset of `TA1`."""


X12Event = TransactionSet | GroupEnd | InterchangeEnd | InterchangeFailure | ReceivedTa1
"""Everything `X12Reader.events()` yields."""


def _next_replacement(
    replacements: dict[str, SetAck | list[SetAck]], control_number: str
) -> SetAck | None:
    """The next result for a set numbered `control_number` (each used once), or None."""
    held = replacements.get(control_number)
    if isinstance(held, list):
        return held.pop() if held else None
    if held is not None:
        del replacements[control_number]
    return held
