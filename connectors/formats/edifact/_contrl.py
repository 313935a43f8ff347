"""CONTRL both ways: `build_contrl` answers a received interchange, `read_contrl` reads a
partner's CONTRL about one of ours.

Structure (ISO 9735-4, UNTDID CONTRL D.3): UNH, UCI (the subject interchange's 0020, sender and
recipient as it stated them, action 0083, error 0085 + segment tag 0135 + S011 for a UNA/UNB/UNZ
problem), then either segment group 1 (UCM per message) or, when the subject interchange had
functional groups, segment group 3 (UCF per group, its UCMs below); under a UCM, UCS (segment
position, UNH = 1) and UCD (0085 and S011) per erroneous segment and element; UNT.

Action codes: 7 (acknowledged; lower levels too unless listed as rejected), 4 (rejected with
everything below), 8 (received only). By default only rejected messages and groups are listed,
as "7" implies the rest; `list_accepted=True` lists every message.

The answer travels in its own interchange with sender and recipient swapped, in the partner's
syntax level, separators and test indicator. Its message identifier is `CONTRL:D:3:UN` (the
UNTDID CONTRL for syntax versions 1-3), or `CONTRL:4:1:UN` when the subject interchange is
syntax version 4 (ISO 9735-4:2002); `message_version` overrides it, `association_code` adds an
EANCOM code (EAN002/EAN004).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from connectors.formats.edifact._codes import ActionCode, SyntaxErrorCode
from connectors.formats.edifact._envelope import InterchangeHeader, Message, Segment
from connectors.formats.edifact._errors import (
    EdifactSyntaxError,
    EdifactUnsupportedError,
)
from connectors.formats.edifact._outcomes import (
    ContrlReport,
    ElementNote,
    ElementRef,
    GroupOutcome,
    MessageOutcome,
    SegmentNote,
)
from connectors.formats.edifact._writer import (
    ControlReferences,
    Element,
    EnvelopeSpec,
    OutboundInterchange,
    OutboundMessage,
    OutSegment,
    write_interchange,
)

_LEGACY_ACTIONS = {
    "1": ActionCode.ACKNOWLEDGED,
    "2": ActionCode.ACKNOWLEDGED,
    "3": ActionCode.ACKNOWLEDGED,
    "5": ActionCode.ACKNOWLEDGED,
    "6": ActionCode.REJECTED,
}
"""0083 codes removed in 2001 (1 acknowledged, 2 with errors, 3 some lower level rejected, 5 UNB/UNZ
accepted, 6 UNB/UNZ rejected), still sent by old translators."""


def contrl_version(syntax_version: str) -> tuple[str, str]:
    """S009 0052/0054 of a CONTRL answering an interchange of this syntax version."""
    return ("4", "1") if syntax_version == "4" else ("D", "3")


def _s011(element: ElementRef | None) -> Element:
    if element is None:
        return ""
    return (
        str(element.position),
        str(element.component) if element.component is not None else "",
        str(element.occurrence) if element.occurrence is not None else "",
    )


def _report_tail(
    action: ActionCode, code: str | None, service: str | None, element: ElementRef | None
) -> tuple[Element, ...]:
    return (action.value, code or "", service or "", _s011(element))


def _message_segments(outcome: MessageOutcome) -> list[OutSegment]:
    segments: list[OutSegment] = [
        (
            "UCM",
            outcome.reference,
            outcome.identifier,
            *_report_tail(outcome.action, outcome.code, outcome.service_segment, outcome.element),
        )
    ]
    for note in outcome.segments[:999]:
        segments.append(("UCS", str(note.position), note.code or ""))
        segments.extend(
            ("UCD", element.code, _s011(element.element)) for element in note.elements[:99]
        )
    return segments


def _listed(outcome: MessageOutcome, list_accepted: bool) -> bool:
    return list_accepted or not outcome.accepted


def contrl_segments(
    report: ContrlReport, *, list_accepted: bool = False, received_only: bool = False
) -> tuple[OutSegment, ...]:
    """The CONTRL body (UCI .. last UCD) for `report`."""
    action = ActionCode.RECEIVED if received_only else report.action
    segments: list[OutSegment] = [
        (
            "UCI",
            report.interchange_reference,
            (report.sender_id, report.sender_qualifier),
            (report.recipient_id, report.recipient_qualifier),
            *_report_tail(action, report.code, report.service_segment, report.element),
        )
    ]
    if received_only:
        return tuple(segments)
    if report.groups:
        for group in report.groups:
            listed = [m for m in group.messages if _listed(m, list_accepted)]
            if not (list_accepted or listed or not group.accepted):
                continue
            segments.append(
                (
                    "UCF",
                    group.reference,
                    (group.sender_id, group.sender_qualifier),
                    (group.recipient_id, group.recipient_qualifier),
                    *_report_tail(group.action, group.code, group.service_segment, group.element),
                )
            )
            for outcome in listed:
                segments.extend(_message_segments(outcome))
    else:
        for outcome in report.messages:
            if _listed(outcome, list_accepted):
                segments.extend(_message_segments(outcome))
    return tuple(segments)


def build_contrl(
    report: ContrlReport,
    interchange: InterchangeHeader,
    *,
    references: ControlReferences,
    now: datetime,
    list_accepted: bool = False,
    received_only: bool = False,
    message_version: tuple[str, str] | None = None,
    association_code: str | None = None,
) -> OutboundInterchange:
    """A CONTRL interchange answering `interchange` with `report` (from
    `InterchangeEnd.acknowledge`, possibly with translation outcomes merged in).

    `received_only` writes only the UCI with action 8; `list_accepted` lists accepted messages
    too (UCM action 7). Do not answer an interchange that holds only CONTRL messages.
    """
    version, release = message_version or contrl_version(interchange.syntax_version)
    body = contrl_segments(report, list_accepted=list_accepted, received_only=received_only)
    message = OutboundMessage(
        "CONTRL", body, version=version, release=release, association_code=association_code or ""
    )
    spec = EnvelopeSpec.answering(interchange)
    return write_interchange(spec, [message], references=references, now=now)


# -- reading ------------------------------------------------------------------------------------


def _action(message: Message, index: int, segment: Segment, position: int) -> ActionCode:
    value = segment.get(position).strip()
    try:
        return ActionCode(value)
    except ValueError:
        legacy = _LEGACY_ACTIONS.get(value)
        if legacy is not None:
            return legacy
    msg = f"{segment.tag} 0083 {value!r} is not an action code (4, 7 or 8)"
    raise message.error(
        msg, index, element=position, code=SyntaxErrorCode.INVALID_VALUE, bad_value=value
    )


def _element_ref(segment: Segment, position: int) -> ElementRef | None:
    first = segment.get(position, 1).strip()
    if not first.isdigit():
        return None
    component = segment.get(position, 2).strip()
    occurrence = segment.get(position, 3).strip()
    return ElementRef(
        int(first),
        int(component) if component.isdigit() else None,
        int(occurrence) if occurrence.isdigit() else None,
    )


def _optional(value: str) -> str | None:
    return value.strip() or None


class _ContrlReader:
    """One pass over UCI, UCF, UCM, UCS and UCD, collecting outcomes under their parents."""

    def __init__(self, message: Message) -> None:
        self.message = message
        self.report: ContrlReport | None = None
        self.top: list[MessageOutcome] = []
        self.groups: list[tuple[GroupOutcome, list[MessageOutcome]]] = []
        self.current: MessageOutcome | None = None
        self.current_group: str | None = None
        self.notes: list[SegmentNote] = []
        self.target: list[MessageOutcome] = self.top

    def flush(self) -> None:
        if self.current is not None:
            self.target.append(replace(self.current, segments=tuple(self.notes)))
        self.current = None
        self.notes = []

    def uci(self, index: int, segment: Segment) -> None:
        self.report = ContrlReport(
            interchange_reference=segment.get(1).strip(),
            sender_id=segment.get(2, 1).strip(),
            sender_qualifier=segment.get(2, 2).strip(),
            recipient_id=segment.get(3, 1).strip(),
            recipient_qualifier=segment.get(3, 2).strip(),
            action=_action(self.message, index, segment, 4),
            code=_optional(segment.get(5)),
            service_segment=_optional(segment.get(6)),
            element=_element_ref(segment, 7),
        )

    def ucf(self, index: int, segment: Segment) -> None:
        self.flush()
        group = GroupOutcome(
            reference=segment.get(1).strip(),
            sender_id=segment.get(2, 1).strip(),
            sender_qualifier=segment.get(2, 2).strip(),
            recipient_id=segment.get(3, 1).strip(),
            recipient_qualifier=segment.get(3, 2).strip(),
            action=_action(self.message, index, segment, 4),
            code=_optional(segment.get(5)),
            service_segment=_optional(segment.get(6)),
            element=_element_ref(segment, 7),
        )
        members: list[MessageOutcome] = []
        self.groups.append((group, members))
        self.target = members
        self.current_group = group.reference

    def ucm(self, index: int, segment: Segment) -> None:
        self.flush()
        self.current = MessageOutcome(
            reference=segment.get(1).strip(),
            message_type=segment.get(2, 1).strip(),
            version=segment.get(2, 2).strip(),
            release=segment.get(2, 3).strip(),
            agency=segment.get(2, 4).strip(),
            association_code=segment.get(2, 5).strip(),
            action=_action(self.message, index, segment, 3),
            code=_optional(segment.get(4)),
            service_segment=_optional(segment.get(5)),
            element=_element_ref(segment, 6),
            group=self.current_group,
        )

    def ucs(self, index: int, segment: Segment) -> None:
        if self.current is None:
            return
        position = segment.get(1).strip()
        if not position.isdigit():
            msg = f"UCS 0096 {position!r} is not a segment position"
            raise self.message.error(msg, index, element=1, code=SyntaxErrorCode.INVALID_VALUE)
        self.notes.append(SegmentNote(int(position), _optional(segment.get(2))))

    def ucd(self, segment: Segment) -> None:
        element = _element_ref(segment, 2)
        if not self.notes or element is None:
            return
        note = self.notes[-1]
        added = ElementNote(segment.get(1).strip(), element)
        self.notes[-1] = replace(note, elements=(*note.elements, added))

    def read(self) -> ContrlReport:
        for index, segment in enumerate(self.message.segments):
            tag = segment.tag
            if tag == "UCI":
                self.uci(index, segment)
            elif tag == "UCF":
                self.ucf(index, segment)
            elif tag == "UCM":
                self.ucm(index, segment)
            elif tag == "UCS":
                self.ucs(index, segment)
            elif tag == "UCD":
                self.ucd(segment)
        self.flush()
        if self.report is None:
            raise EdifactSyntaxError(
                f"CONTRL {self.message.reference} has no UCI segment",
                position=self.message.position(0),
                code=SyntaxErrorCode.MISSING,
            )
        groups = tuple(replace(group, messages=tuple(members)) for group, members in self.groups)
        return replace(self.report, messages=tuple(self.top), groups=groups)


def read_contrl(message: Message) -> ContrlReport:
    """A partner's CONTRL as data: which of our interchanges it answers (`interchange_reference`),
    the action on it, and per group and message reference the action and error codes, so the
    core can mark outbox rows accepted or rejected (`ContrlReport.message_action`)."""
    if message.message_type != "CONTRL":
        msg = f"expected a CONTRL message, got {message.message_type!r}"
        raise EdifactUnsupportedError(msg, position=message.position(0, element=2, component=1))
    if message.errors:
        first = message.errors[0]
        msg = f"CONTRL {message.reference} failed the syntax checks: {first.message}"
        raise EdifactSyntaxError(msg, position=first.position, code=first.code)
    return _ContrlReader(message).read()
