"""What a CONTRL says, as data, in both directions.

The reader produces these from its envelope and character checks (`Message.outcome`,
`InterchangeEnd.acknowledge`), a translator refines them (`MessageOutcome.for_error`,
`MessageOutcome.rejected`), `build_contrl` writes them and `read_contrl` reads a partner's CONTRL
back into the same shapes: UCI -> `ContrlReport`, UCF -> `GroupOutcome`, UCM -> `MessageOutcome`,
UCS -> `SegmentNote`, UCD -> `ElementNote`.

Positions: `SegmentNote.position` is UCS 0096 (UNH = 1). `ElementRef.position` is S011 0098 as
ISO 9735 counts it: "the segment tag has position number 1", so the first data element is 2.
`EdifactPosition.element` counts data elements from 1; `ElementRef.from_position` converts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from connectors.formats.edifact._codes import ActionCode, SyntaxErrorCode
from connectors.formats.edifact._errors import EdifactError, EdifactPosition

ENVELOPE_SEGMENTS = frozenset({"UNH", "UNT"})
"""Service segments a UCM (not a UCS) reports errors in."""


@dataclass(frozen=True, slots=True)
class ElementRef:
    """S011 data element identification: which element (and component) of a segment."""

    position: int
    """0098: the segment tag is 1, the first data element 2."""
    component: int | None = None
    """0104: 1-based component position in a composite."""
    occurrence: int | None = None
    """0136 (syntax version 4): 1-based occurrence of a repeated element."""

    @classmethod
    def from_position(cls, where: EdifactPosition) -> ElementRef | None:
        """The S011 for an error position (data element n is 0098 n + 1), `None` without one."""
        if where.element is None:
            return None
        return cls(where.element + 1, where.component)

    @property
    def data_element(self) -> int:
        """The 1-based data element position (`EdifactPosition.element`)."""
        return self.position - 1


@dataclass(frozen=True, slots=True)
class ElementNote:
    """UCD: an erroneous data element and the nature of the error."""

    code: str
    """0085 (`SyntaxErrorCode`)."""
    element: ElementRef
    """S011."""


@dataclass(frozen=True, slots=True)
class SegmentNote:
    """UCS: an erroneous segment of a message, with its UCDs."""

    position: int
    """0096: position in the message, UNH being 1."""
    code: str | None = None
    """0085 for the segment as a whole (13 missing, 15 not supported...), `None` when only
    elements are in error."""
    elements: tuple[ElementNote, ...] = ()
    """UCD segments."""
    segment_id: str | None = None
    """The tag, for people (a CONTRL does not carry it)."""


@dataclass(frozen=True, slots=True)
class MessageOutcome:
    """UCM: what happened to one message, and why."""

    reference: str
    """0062 of the message."""
    message_type: str
    """S009 0065, e.g. `ORDERS`."""
    version: str = ""
    """S009 0052, e.g. `D`."""
    release: str = ""
    """S009 0054, e.g. `96A`."""
    agency: str = ""
    """S009 0051, e.g. `UN`."""
    association_code: str = ""
    """S009 0057, e.g. `EAN008`."""
    action: ActionCode = ActionCode.ACKNOWLEDGED
    """0083: 7 acknowledged, 4 rejected."""
    code: str | None = None
    """0085 for the UNH or UNT (or the message as a whole)."""
    service_segment: str | None = None
    """0135: `UNH` or `UNT` when `code` is about one of them."""
    element: ElementRef | None = None
    """S011 inside that service segment."""
    segments: tuple[SegmentNote, ...] = ()
    """UCS/UCD for errors in the message body."""
    group: str | None = None
    """UNG 0048 of the group holding the message, `None` outside groups."""

    @property
    def accepted(self) -> bool:
        """True unless the message is rejected."""
        return self.action is not ActionCode.REJECTED

    @property
    def identifier(self) -> tuple[str, ...]:
        """S009 as written in a UCM: type, version, release, agency (and association code)."""
        parts = (self.message_type, self.version, self.release, self.agency)
        return (*parts, self.association_code) if self.association_code else parts

    def rejected(
        self,
        code: str | None = None,
        *,
        service_segment: str | None = None,
        element: ElementRef | None = None,
        segments: Sequence[SegmentNote] = (),
    ) -> MessageOutcome:
        """This message rejected (0083 4); a UCM code already set is kept, notes are added.

        A business refusal after the syntax was accepted, e.g. a message type the partner is not
        enabled for: `outcome.rejected(SyntaxErrorCode.NO_AGREEMENT, service_segment="UNH",
        element=ElementRef(3, 1))` (UNH S009 0065).
        """
        keep = self.code is not None
        return replace(
            self,
            action=ActionCode.REJECTED,
            code=self.code if keep else code,
            service_segment=self.service_segment if keep else service_segment,
            element=self.element if keep else element,
            segments=_merge(self.segments, segments),
        )

    def for_error(self, error: EdifactError) -> MessageOutcome:
        """This message rejected because of `error` (from the reader or a translator): an error
        in UNH/UNT goes into the UCM, one in the body becomes a UCS (and a UCD when the error
        names an element)."""
        where = error.position
        code = error.code or SyntaxErrorCode.UNSPECIFIED
        if where.segment_id in ENVELOPE_SEGMENTS or where.segment_index is None:
            service = where.segment_id if where.segment_id in ENVELOPE_SEGMENTS else None
            return self.rejected(
                code, service_segment=service, element=ElementRef.from_position(where)
            )
        element = ElementRef.from_position(where)
        note = SegmentNote(
            position=where.segment_index,
            code=None if element is not None else code,
            elements=(ElementNote(code, element),) if element is not None else (),
            segment_id=where.segment_id,
        )
        return self.rejected(segments=(note,))

    def with_errors(self, errors: Iterable[EdifactError]) -> MessageOutcome:
        """`for_error` for each error in turn."""
        outcome = self
        for error in errors:
            outcome = outcome.for_error(error)
        return outcome


def _merge(
    existing: Sequence[SegmentNote], added: Sequence[SegmentNote]
) -> tuple[SegmentNote, ...]:
    """One UCS per segment position, its UCDs collected (a reporting level carries one code)."""
    merged: dict[int, SegmentNote] = {note.position: note for note in existing}
    for note in added:
        before = merged.get(note.position)
        if before is None:
            merged[note.position] = note
            continue
        elements = (*before.elements, *(e for e in note.elements if e not in before.elements))
        merged[note.position] = replace(before, code=before.code or note.code, elements=elements)
    return tuple(sorted(merged.values(), key=lambda note: note.position))


@dataclass(frozen=True, slots=True)
class GroupOutcome:
    """UCF: what happened to one functional group and its messages."""

    reference: str
    """UNG 0048."""
    sender_id: str = ""
    """UNG S006 0040 (application sender)."""
    sender_qualifier: str = ""
    """UNG S006 0007."""
    recipient_id: str = ""
    """UNG S007 0044 (application recipient)."""
    recipient_qualifier: str = ""
    """UNG S007 0007."""
    action: ActionCode = ActionCode.ACKNOWLEDGED
    """0083."""
    code: str | None = None
    """0085 for the UNG or UNE."""
    service_segment: str | None = None
    """0135: `UNG` or `UNE`."""
    element: ElementRef | None = None
    """S011."""
    messages: tuple[MessageOutcome, ...] = ()
    """Every message of the group (a CONTRL lists the rejected ones, or all on request)."""

    @property
    def accepted(self) -> bool:
        """True unless the group is rejected."""
        return self.action is not ActionCode.REJECTED


@dataclass(frozen=True, slots=True)
class ContrlReport:
    """UCI and everything below it: the syntax and service report of one interchange.

    `InterchangeEnd.acknowledge` builds it for an interchange we received; `read_contrl` reads
    it from a partner's CONTRL about one of ours.
    """

    interchange_reference: str
    """0020 of the subject interchange."""
    sender_id: str
    """S002 0004: the subject interchange's sender (not swapped: a UCI repeats the UNB)."""
    sender_qualifier: str
    """S002 0007."""
    recipient_id: str
    """S003 0010: the subject interchange's recipient."""
    recipient_qualifier: str
    """S003 0007."""
    action: ActionCode = ActionCode.ACKNOWLEDGED
    """0083: 7, 4, or 8 (received only)."""
    code: str | None = None
    """0085 for UNA, UNB or UNZ."""
    service_segment: str | None = None
    """0135: `UNA`, `UNB` or `UNZ`."""
    element: ElementRef | None = None
    """S011."""
    messages: tuple[MessageOutcome, ...] = ()
    """Messages outside groups (CONTRL segment group 1)."""
    groups: tuple[GroupOutcome, ...] = ()
    """Functional groups (segment group 3)."""

    @property
    def accepted(self) -> bool:
        """True unless the interchange as a whole is rejected."""
        return self.action is not ActionCode.REJECTED

    def all_messages(self) -> tuple[MessageOutcome, ...]:
        """Every message outcome listed, in and outside groups."""
        return (*self.messages, *(m for group in self.groups for m in group.messages))

    def message(self, reference: str, group: str | None = None) -> MessageOutcome | None:
        """The outcome listed for message `reference` (in group `group` when given)."""
        return next(
            (
                m
                for m in self.all_messages()
                if m.reference == reference and (group is None or m.group == group)
            ),
            None,
        )

    def message_action(self, reference: str, group: str | None = None) -> ActionCode:
        """What the report means for one of our messages: its UCM when listed, else what the
        levels above imply (7: acknowledged unless rejected, 4: rejected, 8: only received)."""
        listed = self.message(reference, group)
        if listed is not None:
            return listed.action
        if self.action is not ActionCode.ACKNOWLEDGED:
            return self.action
        if group is not None:
            outcome = next((g for g in self.groups if g.reference == group), None)
            if outcome is not None and not outcome.accepted:
                return ActionCode.REJECTED
        return ActionCode.ACKNOWLEDGED
