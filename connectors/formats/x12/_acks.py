"""Acknowledgement results as data: the content of TA1, 997 and 999, both directions.

The reader produces these from envelope checks, a translator refines them (`SetAck.for_error`),
the builders write them (`build_997`, `build_999`, `build_ta1`), and `read_acknowledgment`
parses a partner's 997/999 back into the same shapes, so one vocabulary serves both ways.
Codes are the X12 code values themselves (`StrEnum`s compare equal to the plain strings).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from connectors.formats.x12._errors import X12Error


class AckCode(StrEnum):
    """AK501/IK501 (717), AK901 (715) and TA104 (I17) acknowledgement codes."""

    ACCEPTED = "A"
    ACCEPTED_WITH_ERRORS = "E"
    PARTIALLY_ACCEPTED = "P"
    """Group level only: at least one transaction set was rejected."""
    REJECTED = "R"
    REJECTED_MAC_FAILED = "M"
    REJECTED_ASSURANCE_FAILED = "W"
    REJECTED_UNDECRYPTABLE = "X"

    @property
    def is_accepted(self) -> bool:
        """True for A and E (and P for a group: some sets went through)."""
        return self in {AckCode.ACCEPTED, AckCode.ACCEPTED_WITH_ERRORS, AckCode.PARTIALLY_ACCEPTED}


class InterchangeNoteCode(StrEnum):
    """TA105 interchange note codes (I18) the reader emits."""

    NO_ERROR = "000"
    CONTROL_NUMBER_MISMATCH = "001"
    """ISA13 and IEA02 differ; the ISA13 value is used in the acknowledgement."""
    INVALID_SENDER_QUALIFIER = "005"
    INVALID_SENDER_ID = "006"
    INVALID_RECEIVER_QUALIFIER = "007"
    INVALID_RECEIVER_ID = "008"
    UNKNOWN_RECEIVER_ID = "009"
    """ISA08 is well formed but not the receiver's id: the interchange is for someone else."""
    INVALID_AUTHORIZATION_QUALIFIER = "010"
    INVALID_AUTHORIZATION = "011"
    INVALID_SECURITY_QUALIFIER = "012"
    INVALID_SECURITY = "013"
    INVALID_DATE = "014"
    INVALID_TIME = "015"
    INVALID_VERSION = "017"
    INVALID_CONTROL_NUMBER = "018"
    INVALID_ACK_REQUESTED = "019"
    INVALID_TEST_INDICATOR = "020"
    GROUP_COUNT_MISMATCH = "021"
    INVALID_CONTROL_STRUCTURE = "022"
    PREMATURE_END = "023"
    """The IEA never came (end of data, or the next ISA started first)."""
    INVALID_CONTENT = "024"
    """A GS, ST or other segment where the envelope does not allow it."""
    SEGMENT_TERMINATOR = "004"


REJECTING_NOTES = frozenset(
    {"004", "005", "006", "007", "008", "009", "010", "011", "012", "013", "014", "015", "016"}
    | {"017", "018", "020", "022", "023", "024", "025", "026", "027"}
)
"""TA105 codes that reject the interchange (TA104 R); the others accept it with errors (E).

A sender or receiver that is missing or not the partnership's (005-009) rejects it: nothing of
an interchange not from the partner to us is acted on. So does an ISA15 that is neither P, T nor
I (020): whether it is test data cannot be told, and test data must never become live orders.
"""


class GroupErrorCode(StrEnum):
    """AK905..AK909 functional group syntax error codes (716)."""

    NOT_SUPPORTED = "1"
    VERSION_NOT_SUPPORTED = "2"
    TRAILER_MISSING = "3"
    CONTROL_NUMBER_MISMATCH = "4"
    SET_COUNT_MISMATCH = "5"
    INVALID_CONTROL_NUMBER = "6"
    DUPLICATE_CONTROL_NUMBER = "19"
    """005010 and later; earlier versions report a duplicate GS06 as 6."""


REJECTING_GROUP_CODES = frozenset({"1", "2", "3", "4"})
"""AK905 codes that reject the whole group (AK901 R) whatever its sets say."""


class SetErrorCode(StrEnum):
    """AK502..AK506 / IK502.. transaction set syntax error codes (718, 618)."""

    NOT_SUPPORTED = "1"
    TRAILER_MISSING = "2"
    CONTROL_NUMBER_MISMATCH = "3"
    SEGMENT_COUNT_MISMATCH = "4"
    SEGMENTS_IN_ERROR = "5"
    INVALID_SET_ID = "6"
    INVALID_CONTROL_NUMBER = "7"
    DUPLICATE_CONTROL_NUMBER = "23"


class SegmentErrorCode(StrEnum):
    """AK304 / IK304 segment syntax error codes (720, 620)."""

    UNRECOGNIZED_SEGMENT = "1"
    UNEXPECTED_SEGMENT = "2"
    MANDATORY_SEGMENT_MISSING = "3"
    LOOP_OVER_MAXIMUM = "4"
    SEGMENT_OVER_MAXIMUM = "5"
    NOT_IN_SET = "6"
    OUT_OF_SEQUENCE = "7"
    HAS_ELEMENT_ERRORS = "8"


class ElementErrorCode(StrEnum):
    """AK403 / IK403 data element syntax error codes (723, 621)."""

    MANDATORY_MISSING = "1"
    CONDITIONAL_MISSING = "2"
    TOO_MANY_ELEMENTS = "3"
    TOO_SHORT = "4"
    TOO_LONG = "5"
    INVALID_CHARACTER = "6"
    INVALID_CODE = "7"
    INVALID_DATE = "8"
    INVALID_TIME = "9"
    EXCLUSION_VIOLATED = "10"


@dataclass(frozen=True, slots=True)
class ElementNote:
    """An element error (AK4 / IK4)."""

    position: int
    """1-based element position in the segment (AK401-1)."""
    code: str
    """AK403 error code (`ElementErrorCode`)."""
    component: int | None = None
    """1-based component position in a composite (AK401-2)."""
    repetition: int | None = None
    """1-based repetition (AK401-3, 005010 and later)."""
    reference: str | None = None
    """Data element reference number (AK402), when known."""
    bad_value: str | None = None
    """A copy of the bad element (AK404)."""


@dataclass(frozen=True, slots=True)
class SegmentNote:
    """A segment error (AK3 / IK3) with its element errors."""

    segment_id: str
    """Segment tag (AK301)."""
    position: int | None
    """1-based position in the transaction set, ST being 1 (AK302)."""
    code: str | None = None
    """AK304 error code (`SegmentErrorCode`)."""
    loop_id: str | None = None
    """Loop identifier (AK303), when known."""
    elements: tuple[ElementNote, ...] = ()
    """Element errors of this segment."""


@dataclass(frozen=True, slots=True)
class SetAck:
    """What an acknowledgement says about one transaction set (AK2..AK5 / AK2, IK3.., IK5)."""

    set_id: str
    """ST01, e.g. `850`."""
    control_number: str
    """ST02."""
    implementation_reference: str | None = None
    """ST03 (005010 and later), echoed in AK203."""
    status: AckCode = AckCode.ACCEPTED
    """AK501."""
    codes: tuple[str, ...] = ()
    """AK502..AK506 (`SetErrorCode`)."""
    segments: tuple[SegmentNote, ...] = ()
    """Segment and element errors (AK3/AK4)."""

    @property
    def accepted(self) -> bool:
        """True when the set was accepted, with or without errors."""
        return self.status.is_accepted

    def rejected(self, *codes: str, segments: Sequence[SegmentNote] = ()) -> SetAck:
        """This set rejected (AK501 R) with `codes` and segment notes added to any it has."""
        merged = tuple(dict.fromkeys((*self.codes, *codes)))
        return replace(
            self,
            status=AckCode.REJECTED,
            codes=merged,
            segments=(*self.segments, *segments),
        )

    def for_error(self, error: X12Error) -> SetAck:
        """This set rejected because of `error` (from the reader or a translator).

        The error's position and 997 codes become AK3/AK4: segment code 8 (element errors) when
        the error names an element, the error's own codes otherwise; AK502 is the error's set
        code, or 5 (one or more segments in error) when it points at a segment.
        """
        where = error.position
        notes: tuple[SegmentNote, ...] = ()
        if where.segment_id is not None and error.set_code is None:
            elements: tuple[ElementNote, ...] = ()
            if where.element is not None:
                elements = (
                    ElementNote(
                        position=where.element,
                        component=where.component,
                        code=error.element_code or ElementErrorCode.INVALID_CHARACTER,
                        bad_value=error.bad_value,
                    ),
                )
            segment_code = error.segment_code or (
                SegmentErrorCode.HAS_ELEMENT_ERRORS
                if elements
                else SegmentErrorCode.UNEXPECTED_SEGMENT
            )
            notes = (
                SegmentNote(
                    segment_id=where.segment_id,
                    position=where.segment_index,
                    code=segment_code,
                    elements=elements,
                ),
            )
        code = error.set_code or SetErrorCode.SEGMENTS_IN_ERROR
        return self.rejected(code, segments=notes)


@dataclass(frozen=True, slots=True)
class GroupAck:
    """What an acknowledgement says about one functional group (AK1 .. AK9)."""

    functional_id: str
    """GS01 of the acknowledged group (AK101), e.g. `PO`."""
    control_number: str
    """GS06 of the acknowledged group (AK102)."""
    version: str | None
    """GS08 of the acknowledged group (AK103 in 005010; GS08 of the 997 echoes it)."""
    status: AckCode
    """AK901."""
    included: int
    """Transaction sets the group said it holds (AK902, from GE01)."""
    received: int
    """Transaction sets received (AK903)."""
    accepted: int
    """Transaction sets accepted, with or without errors (AK904)."""
    codes: tuple[str, ...] = ()
    """AK905..AK909 (`GroupErrorCode`)."""
    sets: tuple[SetAck, ...] = ()
    """Per-set results (AK2..AK5), in the order received."""
    sender_code: str = ""
    """GS02 of the acknowledged group: the ack's GS03."""
    receiver_code: str = ""
    """GS03 of the acknowledged group: the ack's GS02."""

    @classmethod
    def summarize(
        cls,
        functional_id: str,
        control_number: str,
        version: str | None,
        sets: Iterable[SetAck],
        *,
        included: int | None = None,
        codes: Sequence[str] = (),
        sender_code: str = "",
        receiver_code: str = "",
    ) -> GroupAck:
        """Counts and AK901 from the set results and group-level codes.

        R when a group code rejects the group (1-4) or every received set is rejected;
        P when some are; E when a set has errors or the group has a non-rejecting code; else A.
        """
        results = tuple(sets)
        received = len(results)
        accepted = sum(1 for result in results if result.accepted)
        unique = tuple(dict.fromkeys(codes))
        if any(code in REJECTING_GROUP_CODES for code in unique) or (received and not accepted):
            status = AckCode.REJECTED
        elif accepted < received:
            status = AckCode.PARTIALLY_ACCEPTED
        elif unique or any(r.status is AckCode.ACCEPTED_WITH_ERRORS for r in results):
            status = AckCode.ACCEPTED_WITH_ERRORS
        else:
            status = AckCode.ACCEPTED
        return cls(
            functional_id=functional_id,
            control_number=control_number,
            version=version,
            status=status,
            included=received if included is None else included,
            received=received,
            accepted=accepted,
            codes=unique,
            sets=results,
            sender_code=sender_code,
            receiver_code=receiver_code,
        )

    def set(self, control_number: str) -> SetAck | None:
        """The result for the set with this ST02, if the ack lists it."""
        return next((s for s in self.sets if s.control_number == control_number), None)


@dataclass(frozen=True, slots=True)
class InterchangeAck:
    """A TA1: the interchange-level acknowledgement."""

    control_number: str
    """ISA13 of the acknowledged interchange (TA101)."""
    date: str
    """ISA09 of the acknowledged interchange (TA102, YYMMDD)."""
    time: str
    """ISA10 of the acknowledged interchange (TA103, HHMM)."""
    status: AckCode
    """TA104: A, E or R."""
    note_code: str
    """TA105 (`InterchangeNoteCode`), `000` when there is nothing to say."""
