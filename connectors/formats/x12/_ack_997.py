"""997 functional acknowledgements and 999 implementation acknowledgements, written by hand.

One ack interchange answers one inbound interchange: sender and receiver swapped, the partner's
delimiters, ISA12 and usage; one FA group per distinct (GS02, GS03, GS08) of the acknowledged
groups (GS08 echoes the inbound version: 004010, 004010VICS, 005010...), one 997/999 per
acknowledged group. Control numbers are passed in. pyx12's own writers stamp GS08 `00401`,
take ISA13 from the clock and crash on a 999 without ST03 (see README), hence this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from connectors.formats.x12._acks import ElementNote, GroupAck, InterchangeAck, SetAck
from connectors.formats.x12._envelope import InterchangeHeader
from connectors.formats.x12._text import is_digits
from connectors.formats.x12._writer import (
    ControlNumbers,
    EnvelopeSpec,
    OutboundGroup,
    OutboundInterchange,
    OutboundSet,
    write_interchange,
)

MAX_CODES = 5
"""AK502..AK506 and AK905..AK909: at most five codes are written."""

MAX_BAD_VALUE = 99
"""AK404 / IK404 length."""

IMPLEMENTATION_999 = "005010X231A1"
"""ST03 of a 999 (the ASC X12 999 implementation guide)."""


def is_5010(version: str | None) -> bool:
    """True for GS08 versions 005010 and later (AK103, AK203 and the repetition position)."""
    digits = (version or "")[:6]
    return is_digits(digits) and digits >= "005010"


def _position(note: ElementNote, component_separator: str, version: str | None) -> str:
    parts = [str(note.position)]
    if note.component is not None or (note.repetition is not None and is_5010(version)):
        parts.append("" if note.component is None else str(note.component))
    if note.repetition is not None and is_5010(version):
        parts.append(str(note.repetition))
    return component_separator.join(parts)


def _bad_value(value: str | None) -> str:
    return (value or "")[:MAX_BAD_VALUE]


def _set_997(ack: GroupAck, component: str) -> OutboundSet:
    five = is_5010(ack.version)
    segments: list[tuple[str, ...]] = [
        ("AK1", ack.functional_id, ack.control_number, (ack.version or "") if five else "")
    ]
    for result in ack.sets:
        segments.append(_ak2(result, five))
        for note in result.segments:
            segments.append(
                (
                    "AK3",
                    note.segment_id,
                    _number(note.position),
                    note.loop_id or "",
                    note.code or "",
                )
            )
            segments.extend(
                (
                    "AK4",
                    _position(element, component, ack.version),
                    element.reference or "",
                    element.code,
                    _bad_value(element.bad_value),
                )
                for element in note.elements
            )
        segments.append(("AK5", result.status.value, *result.codes[:MAX_CODES]))
    segments.append(_ak9(ack))
    return OutboundSet("997", tuple(segments))


def _set_999(ack: GroupAck, component: str, implementation: str | None) -> OutboundSet:
    segments: list[tuple[str, ...]] = [
        ("AK1", ack.functional_id, ack.control_number, ack.version or "")
    ]
    for result in ack.sets:
        segments.append(_ak2(result, five=True))
        for note in result.segments:
            segments.append(
                (
                    "IK3",
                    note.segment_id,
                    _number(note.position),
                    note.loop_id or "",
                    note.code or "",
                )
            )
            segments.extend(
                (
                    "IK4",
                    _position(element, component, "005010"),
                    element.reference or "",
                    element.code,
                    _bad_value(element.bad_value),
                )
                for element in note.elements
            )
        segments.append(("IK5", result.status.value, *result.codes[:MAX_CODES]))
    segments.append(_ak9(ack))
    return OutboundSet("999", tuple(segments), implementation_reference=implementation)


def _ak2(result: SetAck, five: bool) -> tuple[str, ...]:
    reference = result.implementation_reference if five and result.implementation_reference else ""
    return ("AK2", result.set_id, result.control_number, reference)


def _ak9(ack: GroupAck) -> tuple[str, ...]:
    return (
        "AK9",
        ack.status.value,
        str(ack.included),
        str(ack.received),
        str(ack.accepted),
        *ack.codes[:MAX_CODES],
    )


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def _group_key(ack: GroupAck) -> tuple[str, str, str]:
    return (ack.receiver_code, ack.sender_code, ack.version or "")


def count_ack_groups(acks: Sequence[GroupAck]) -> int:
    """How many FA groups (GS06 numbers) `build_997`/`build_999` write for `acks`."""
    return len({_group_key(ack) for ack in acks})


def _groups(acks: Sequence[GroupAck], sets: Sequence[OutboundSet]) -> list[OutboundGroup]:
    """One FA group per (GS02, GS03, GS08) of the acknowledged groups, in order of appearance."""
    grouped: dict[tuple[str, str, str], list[OutboundSet]] = {}
    for ack, outbound in zip(acks, sets, strict=True):
        grouped.setdefault(_group_key(ack), []).append(outbound)
    return [
        OutboundGroup(
            "FA",
            tuple(members),
            version=version or None,
            sender_code=sender or None,
            receiver_code=receiver or None,
        )
        for (sender, receiver, version), members in grouped.items()
    ]


def _answer(header: InterchangeHeader, acks: Sequence[GroupAck]) -> EnvelopeSpec:
    spec = EnvelopeSpec.answering(header)
    if acks and acks[0].version:
        return replace(spec, release=acks[0].version)
    return spec


def ta1_segment(ack: InterchangeAck) -> tuple[str, ...]:
    """The TA1 segment of an interchange acknowledgement."""
    return ("TA1", ack.control_number, ack.date, ack.time, ack.status.value, ack.note_code)


def build_997(
    interchange: InterchangeHeader,
    acks: Sequence[GroupAck],
    *,
    numbers: ControlNumbers,
    now: datetime,
    ta1: InterchangeAck | None = None,
) -> OutboundInterchange:
    """A 997 interchange answering `interchange`: one 997 per acknowledged group.

    The ack uses the partner's delimiters and ISA12 and echoes each group's GS08; `now` (aware)
    dates the envelope; `numbers` are the control numbers to use. `ta1`, when given, is written
    after the ISA (an interchange acknowledgement in the same envelope).
    """
    component = interchange.delimiters.component
    sets = [_set_997(ack, component) for ack in acks]
    return write_interchange(
        _answer(interchange, acks),
        _groups(acks, sets),
        numbers=numbers,
        now=now,
        before_groups=[ta1_segment(ta1)] if ta1 is not None else (),
    )


def build_999(
    interchange: InterchangeHeader,
    acks: Sequence[GroupAck],
    *,
    numbers: ControlNumbers,
    now: datetime,
    implementation_reference: str | None = IMPLEMENTATION_999,
    ta1: InterchangeAck | None = None,
) -> OutboundInterchange:
    """A 999 interchange answering `interchange` (AK1/AK2/IK3/IK4/IK5/AK9 per group).

    Like `build_997`; ST03 is `implementation_reference` (`005010X231A1` by default). AK2
    carries ST03 of the acknowledged set only when it had one.
    """
    component = interchange.delimiters.component
    sets = [_set_999(ack, component, implementation_reference) for ack in acks]
    return write_interchange(
        _answer(interchange, acks),
        _groups(acks, sets),
        numbers=numbers,
        now=now,
        before_groups=[ta1_segment(ta1)] if ta1 is not None else (),
    )
