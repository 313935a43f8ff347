"""Inbound 997/999: what a partner says about our groups and sets, as `GroupAck` data.

Written by hand because pyx12's bundled 997/999 maps only allow HIPAA codes in AK101/AK201
(an `AK1*SH` is "not found") and have no 004010VICS entry. Reading is tolerant where the content
stays clear (CTX segments are skipped, a position that is not a number becomes `None`, a
repeated element keeps its first repetition) and strict where a guess would change the meaning
(an unknown AK501/AK901 code, counts that are not numbers, a missing AK1 or AK9).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from connectors.formats.x12._acks import AckCode, ElementNote, GroupAck, SegmentNote, SetAck
from connectors.formats.x12._envelope import TransactionSet
from connectors.formats.x12._errors import X12SyntaxError, X12UnsupportedError
from connectors.formats.x12._text import is_digits

ACK_SETS = frozenset({"997", "999"})
"""Transaction sets `read_acknowledgment` reads."""


@dataclass
class _SetBuilder:
    set_id: str
    control_number: str
    implementation_reference: str | None
    segments: list[SegmentNote] = field(default_factory=list)
    elements: list[ElementNote] = field(default_factory=list)
    segment: SegmentNote | None = None

    def flush_segment(self) -> None:
        if self.segment is not None:
            self.segments.append(
                SegmentNote(
                    segment_id=self.segment.segment_id,
                    position=self.segment.position,
                    code=self.segment.code,
                    loop_id=self.segment.loop_id,
                    elements=tuple(self.elements),
                )
            )
        self.segment, self.elements = None, []


class _Parser:
    def __init__(self, transaction_set: TransactionSet) -> None:
        self.ts = transaction_set
        self.functional_id: str | None = None
        self.control_number = ""
        self.version: str | None = None
        self.sets: list[SetAck] = []
        self.open: _SetBuilder | None = None
        self.ack: GroupAck | None = None

    def value(self, elements: list[str], position: int) -> str:
        raw = elements[position].strip() if position < len(elements) else ""
        return self.ts.repetitions(raw)[0]

    def code(self, elements: list[str], position: int, index: int) -> AckCode:
        text = self.value(elements, position)
        try:
            return AckCode(text)
        except ValueError:
            msg = f"{elements[0]}{position:02d} {text!r} is not an acknowledgment code"
            raise self.ts.error(msg, index, element=position, element_code="7") from None

    def count(self, elements: list[str], position: int, index: int) -> int:
        text = self.value(elements, position)
        if not is_digits(text):
            msg = f"{elements[0]}{position:02d} {text!r} is not a count"
            raise self.ts.error(msg, index, element=position, element_code="6")
        return int(text)

    def number(self, text: str) -> int | None:
        first = text.split(self.ts.delimiters.component, maxsplit=1)[0]
        return int(first) if is_digits(first) else None

    def segment(self, elements: list[str], index: int) -> None:
        tag = elements[0]
        if tag == "AK1":
            self.functional_id = self.value(elements, 1)
            self.control_number = self.value(elements, 2)
            self.version = self.value(elements, 3) or None
        elif tag == "AK2":
            self.close_set(index, status=None, codes=())
            reference = self.value(elements, 3) or None
            self.open = _SetBuilder(self.value(elements, 1), self.value(elements, 2), reference)
        elif tag in {"AK3", "IK3"}:
            builder = self.require_set(tag, index)
            builder.flush_segment()
            builder.segment = SegmentNote(
                segment_id=self.value(elements, 1),
                position=self.number(self.value(elements, 2)),
                loop_id=self.value(elements, 3) or None,
                code=self.value(elements, 4) or None,
            )
        elif tag in {"AK4", "IK4"}:
            self.element(elements, index)
        elif tag in {"AK5", "IK5"}:
            codes = tuple(c for c in (self.value(elements, i) for i in range(2, 7)) if c)
            self.close_set(index, status=self.code(elements, 1, index), codes=codes)
        elif tag == "AK9":
            self.close_set(index, status=None, codes=())
            self.finish(elements, index)

    def element(self, elements: list[str], index: int) -> None:
        builder = self.require_set(elements[0], index)
        parts = self.value(elements, 1).split(self.ts.delimiters.component)
        position = parts[0] if parts else ""
        builder.elements.append(
            ElementNote(
                position=int(position) if is_digits(position) else 0,
                component=self.number(parts[1]) if len(parts) > 1 else None,
                repetition=self.number(parts[2]) if len(parts) > 2 else None,
                reference=self.value(elements, 2) or None,
                code=self.value(elements, 3),
                bad_value=(elements[4] if len(elements) > 4 else "") or None,
            )
        )

    def require_set(self, tag: str, index: int) -> _SetBuilder:
        if self.open is None:
            msg = f"{tag} outside an AK2 loop"
            raise self.ts.error(msg, index, segment_code="7")
        return self.open

    def close_set(self, index: int, *, status: AckCode | None, codes: tuple[str, ...]) -> None:
        builder = self.open
        if builder is None:
            if status is not None:
                msg = "AK5/IK5 without AK2"
                raise self.ts.error(msg, index, segment_code="7")
            return
        if status is None:
            msg = f"the AK2 loop of set {builder.control_number} has no AK5/IK5"
            raise self.ts.error(msg, index, segment_code="3")
        builder.flush_segment()
        self.sets.append(
            SetAck(
                set_id=builder.set_id,
                control_number=builder.control_number,
                implementation_reference=builder.implementation_reference,
                status=status,
                codes=codes,
                segments=tuple(builder.segments),
            )
        )
        self.open = None

    def finish(self, elements: list[str], index: int) -> None:
        if self.functional_id is None:
            msg = f"{self.ts.set_id} has no AK1 before AK9"
            raise self.ts.error(msg, index, segment_code="3")
        group = self.ts.group
        self.ack = GroupAck(
            functional_id=self.functional_id,
            control_number=self.control_number,
            version=self.version,
            status=self.code(elements, 1, index),
            included=self.count(elements, 2, index),
            received=self.count(elements, 3, index),
            accepted=self.count(elements, 4, index),
            codes=tuple(c for c in (self.value(elements, i) for i in range(5, 10)) if c),
            sets=tuple(self.sets),
            sender_code=group.receiver_code,
            receiver_code=group.sender_code,
        )


def read_acknowledgment(transaction_set: TransactionSet) -> GroupAck:
    """A partner's 997 or 999 as the `GroupAck` it gives for one of our groups.

    `control_number` is our GS06, each `SetAck.control_number` our ST02; `sender_code` is our
    GS02. Raises `X12UnsupportedError` for other sets and `X12SyntaxError` (with position) for
    an acknowledgement whose AK1, AK5 or AK9 is missing or unreadable.
    """
    if transaction_set.set_id not in ACK_SETS:
        msg = f"expected a 997 or 999, got {transaction_set.set_id!r}"
        raise X12UnsupportedError(msg, position=transaction_set.position(0))
    parser = _Parser(transaction_set)
    for index, elements in enumerate(transaction_set.iter_elements()):
        parser.segment(elements, index)
    if parser.ack is None:
        last = len(transaction_set.segments) - 1
        msg = f"{transaction_set.set_id} has no AK9"
        raise X12SyntaxError(
            msg, position=transaction_set.position(last), segment_code="3", set_code=None
        )
    return parser.ack
