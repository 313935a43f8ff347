"""Outbound interchanges: UNA, UNB, optional UNG, UNH .. UNT, UNE, UNZ with correct counts.

Control references are never derived from the clock: the core allocates them from persisted
per-partner counters and passes them in (`ControlReferences`); the result says which ones were
used and, for numeric counters, what to persist next. Every value is checked against the syntax
level's repertoire (refused, or transliterated first, as the partner's settings say), released
where it holds a service character, and trailing empty elements and components are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from connectors.formats.edifact._envelope import InterchangeHeader
from connectors.formats.edifact._errors import EdifactEncodeError
from connectors.formats.edifact._settings import EdifactPartnerSettings
from connectors.formats.edifact._syntax import (
    LEVEL_B_SERVICE_CHARACTERS,
    CharacterSet,
    ServiceCharacters,
    character_set,
    default_service_characters,
    escape,
    transliterate,
)

MAX_REFERENCE = 99_999_999_999_999
"""0020, 0048 and 0062 are an..14: numeric counters wrap from here to 1."""

Element = str | tuple[str, ...]
"""An outbound data element: a value, or a composite's components."""

OutSegment = tuple[Element, ...]
"""An outbound segment: the tag, then its data elements."""

_SYNTAX_IDENTIFIER = re.compile(r"[A-Z]{4}")
"""A 0001 value we may echo in an answer (UNOC, IATB...); anything else is answered in UNOC."""


@dataclass(frozen=True, slots=True)
class ControlReferences:
    """The references to use, reserved by the caller (the store's per-partner counters).

    `interchange` is UNB/UNZ 0020; `message` the first UNH/UNT 0062 (numbers count up per
    message, a string serves one message); `group` the first UNG/UNE 0048 when groups are
    written. Numbers are written without padding.
    """

    interchange: int | str
    """UNB 0020."""
    message: int | str = 1
    """UNH 0062 of the first message."""
    group: int | str | None = None
    """UNG 0048 of the first group (only with groups)."""

    def __post_init__(self) -> None:
        for name in ("interchange", "message", "group"):
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, int):
                if not 1 <= value <= MAX_REFERENCE:
                    msg = f"reference {name}={value} is outside 1..{MAX_REFERENCE}"
                    raise ValueError(msg)
            elif not value or len(value) > 14 or not value.isprintable():
                msg = f"reference {name}={value!r} is not 1-14 printable characters"
                raise ValueError(msg)


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """One message to write: its type and body segments (without UNH and UNT)."""

    message_type: str
    """S009 0065, e.g. `ORDRSP`."""
    segments: tuple[OutSegment, ...]
    """Body segments as (tag, element 1, element 2, ...)."""
    version: str | None = None
    """S009 0052; the settings' directory when `None`."""
    release: str | None = None
    """S009 0054; the settings' directory when `None`."""
    association_code: str | None = None
    """S009 0057; the settings' code for this message type when `None`."""


@dataclass(frozen=True, slots=True)
class OutboundInterchange:
    """A written interchange and the references it used."""

    data: bytes
    """The interchange, ready to send."""
    interchange_reference: str
    """UNB 0020 as written."""
    group_references: tuple[str, ...]
    """UNG 0048 of each group, in order (empty without groups)."""
    message_references: tuple[str, ...]
    """UNH 0062 of each message, in order."""
    next_references: ControlReferences | None
    """The references to persist for the next interchange (`None` when they were strings)."""


@dataclass(frozen=True, slots=True)
class EnvelopeSpec:
    """UNB (and UNG) values of an outbound interchange, from settings or an inbound UNB."""

    syntax_identifier: str
    syntax_version: str
    sender_id: str
    sender_qualifier: str
    recipient_id: str
    recipient_qualifier: str
    service: ServiceCharacters
    send_una: bool = True
    version: str = "D"
    release: str = "96A"
    association_codes: tuple[tuple[str, str], ...] = ()
    use_groups: bool = False
    group_sender: str = ""
    group_recipient: str = ""
    test: bool = False
    acknowledgement_request: bool = False
    application_reference: str = ""
    agreement_id: str = ""
    priority: str = ""
    sender_routing: str = ""
    recipient_routing: str = ""
    transliterate: bool = False
    substitute: bool = False
    """Write `?` for a character the syntax level cannot carry instead of refusing: only for
    answers, which echo the partner's own values (a damaged UNH S009, say) and must go out
    whatever those hold."""

    @classmethod
    def from_settings(cls, settings: EdifactPartnerSettings) -> EnvelopeSpec:
        """Our envelope towards a partner, as its profile says."""
        return cls(
            syntax_identifier=settings.syntax_identifier,
            syntax_version=settings.syntax_version,
            sender_id=settings.our_id,
            sender_qualifier=settings.our_qualifier,
            recipient_id=settings.partner_id,
            recipient_qualifier=settings.partner_qualifier,
            service=settings.service_characters,
            send_una=settings.send_una,
            version=settings.version,
            release=settings.release,
            association_codes=tuple(settings.association_codes.items()),
            use_groups=settings.use_groups,
            group_sender=settings.our_application_id or settings.our_id,
            group_recipient=settings.partner_application_id or settings.partner_id,
            test=settings.test,
            acknowledgement_request=settings.acknowledgement_request,
            application_reference=settings.application_reference or "",
            agreement_id=settings.agreement_id or "",
            priority=settings.priority or "",
            transliterate=settings.charset_policy == "transliterate",
        )

    @classmethod
    def answering(cls, header: InterchangeHeader) -> EnvelopeSpec:
        """The envelope of an answer to `header`: sender and recipient swapped (routing
        addresses too), the partner's syntax level, version, separators and test indicator."""
        identifier = header.syntax_identifier
        try:
            character_set(identifier)
        except KeyError:
            identifier = "UNOC"
        if not _SYNTAX_IDENTIFIER.fullmatch(identifier):  # damaged: not something to echo
            identifier = "UNOC"
        version = header.syntax_version if header.syntax_version in {"1", "2", "3", "4"} else "3"
        return cls(
            syntax_identifier=identifier,
            syntax_version=version,
            sender_id=header.recipient_id,
            sender_qualifier=header.recipient_qualifier,
            recipient_id=header.sender_id,
            recipient_qualifier=header.sender_qualifier,
            sender_routing=header.recipient_routing,
            recipient_routing=header.sender_routing,
            service=header.service_characters,
            send_una=header.una,
            test=header.test,
            transliterate=True,
            substitute=True,
        )

    def association_code(self, message_type: str) -> str:
        """S009 0057 configured for `message_type`, `""` when none."""
        return dict(self.association_codes).get(message_type, "")


class SegmentWriter:
    """Serializes segments with one set of service characters, checking every value."""

    def __init__(self, spec: EnvelopeSpec) -> None:
        service = spec.service
        if not spec.send_una:  # the defaults readers assume: level B keeps IS1/IS3/IS4
            level_b = service.element == LEVEL_B_SERVICE_CHARACTERS.element
            defaults = default_service_characters(spec.syntax_version, level_b=level_b)
            service = replace(defaults, suffix=service.suffix)
        self.spec = spec
        self.service = service
        self.charset: CharacterSet = character_set(spec.syntax_identifier)
        self.invalid = self.charset.invalid(service)
        self.end = service.terminator + service.suffix
        self.parts: list[str] = []
        self.context = ""

    def value(self, text: str, where: str) -> str:
        """`text` checked against the repertoire and released, or an `EdifactEncodeError`."""
        if self.spec.transliterate and self.invalid.search(text):
            text = transliterate(text, self.charset)
        if self.spec.substitute:
            text = self._substituted(text)
        found = self.invalid.search(text)
        if found is None:
            try:
                text.encode(self.charset.codec)
            except UnicodeEncodeError as error:
                found_char = error.object[error.start : error.end]
                raise self._refuse(text, found_char, where) from None
        else:
            raise self._refuse(text, found.group(), where)
        try:
            return escape(text, self.service)
        except ValueError as error:
            msg = f"{self.context}{where} {text!r}: {error}"
            raise EdifactEncodeError(msg) from None

    def _substituted(self, text: str) -> str:
        """`text` with `?` for every character the level or its codec cannot carry."""
        text = self.invalid.sub("?", text)
        codec = self.charset.codec
        return text.encode(codec, errors="replace").decode(codec)

    def _refuse(self, text: str, char: str, where: str) -> EdifactEncodeError:
        identifier = self.charset.identifier
        hint = (
            " (the settings may transliterate, or use UNOC)"
            if not self.spec.transliterate and self.charset.level in {"A", "B"}
            else ""
        )
        msg = (
            f"{self.context}{where} {text!r}: {char!r} (U+{ord(char):04X}) cannot be written in "
            f"{identifier}{hint}"
        )
        return EdifactEncodeError(msg)

    def segment(self, tag: str, *elements: Element) -> None:
        """Write one segment; trailing empty elements and components are dropped."""
        service = self.service
        written: list[str] = []
        for position, element in enumerate(elements, start=1):
            if isinstance(element, tuple):
                components = [
                    self.value(value, f"{tag} element {position} component {index}")
                    for index, value in enumerate(element, start=1)
                ]
                while components and not components[-1]:
                    components.pop()
                written.append(service.component.join(components))
            else:
                written.append(self.value(element, f"{tag} element {position}"))
        while written and not written[-1]:
            written.pop()
        self.parts.append(service.element.join([tag, *written]) + self.end)

    def raw(self, text: str) -> None:
        """Write text as it is (the UNA)."""
        self.parts.append(text)

    def text(self) -> str:
        """Everything written so far."""
        return "".join(self.parts)


def _reference(value: int | str, offset: int) -> str:
    if isinstance(value, str):
        return value
    return str(_wrap(value + offset))


def _wrap(value: int) -> int:
    return value if value <= MAX_REFERENCE else value - MAX_REFERENCE


def write_interchange(
    spec: EnvelopeSpec,
    messages: Sequence[OutboundMessage],
    *,
    references: ControlReferences,
    now: datetime,
) -> OutboundInterchange:
    """UNA, UNB, the messages (grouped by type in UNG/UNE when the spec says so) and UNZ.

    `now` (aware) dates the envelope in its own zone: YYMMDD (CCYYMMDD from syntax version 4)
    and HHMM. Raises `EdifactEncodeError` for a value the partner's syntax level cannot carry.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        msg = "now must be an aware datetime"
        raise ValueError(msg)
    batches = _batches(spec, messages, references)
    writer = SegmentWriter(spec)
    stamp = (
        now.strftime("%Y%m%d" if spec.syntax_version == "4" else "%y%m%d"),
        now.strftime("%H%M"),
    )
    interchange = _reference(references.interchange, 0)
    if spec.send_una:
        writer.raw(writer.service.una + writer.service.suffix)
    writer.context = "UNB: "
    writer.segment(
        "UNB",
        (spec.syntax_identifier, spec.syntax_version),
        (spec.sender_id, spec.sender_qualifier, spec.sender_routing),
        (spec.recipient_id, spec.recipient_qualifier, spec.recipient_routing),
        stamp,
        interchange,
        "",
        spec.application_reference,
        spec.priority,
        "1" if spec.acknowledgement_request else "",
        spec.agreement_id,
        "1" if spec.test else "",
    )
    message_refs: list[str] = []
    group_refs: list[str] = []
    for group_index, (group_type, members) in enumerate(batches):
        group_ref = ""
        if spec.use_groups:
            assert references.group is not None
            group_ref = _reference(references.group, group_index)
            group_refs.append(group_ref)
            _ung(writer, spec, group_type, members[0], reference=group_ref, stamp=stamp)
        for message in members:
            reference = _reference(references.message, len(message_refs))
            message_refs.append(reference)
            _message(writer, spec, message, reference)
        if spec.use_groups:
            writer.context = f"UNE {group_ref}: "
            writer.segment("UNE", str(len(members)), group_ref)
    writer.context = "UNZ: "
    count = len(group_refs) if spec.use_groups else len(message_refs)
    writer.segment("UNZ", str(count), interchange)
    return OutboundInterchange(
        data=writer.text().encode(writer.charset.codec),
        interchange_reference=interchange,
        group_references=tuple(group_refs),
        message_references=tuple(message_refs),
        next_references=_next(references, len(message_refs), len(group_refs)),
    )


def _batches(
    spec: EnvelopeSpec, messages: Sequence[OutboundMessage], references: ControlReferences
) -> list[tuple[str, list[OutboundMessage]]]:
    """The messages by group (one group per message type), or as one batch without groups."""
    if not messages:
        msg = "an interchange holds at least one message"
        raise ValueError(msg)
    if isinstance(references.message, str) and len(messages) > 1:
        msg = "a string message reference serves one message; pass a number to count up"
        raise ValueError(msg)
    if not spec.use_groups:
        return [("", list(messages))]
    if references.group is None:
        msg = "functional groups need references.group"
        raise ValueError(msg)
    by_type: dict[str, list[OutboundMessage]] = {}
    for message in messages:
        by_type.setdefault(message.message_type, []).append(message)
    if isinstance(references.group, str) and len(by_type) > 1:
        msg = "a string group reference serves one group; pass a number to count up"
        raise ValueError(msg)
    return list(by_type.items())


def _ung(
    writer: SegmentWriter,
    spec: EnvelopeSpec,
    group_type: str,
    first: OutboundMessage,
    *,
    reference: str,
    stamp: tuple[str, str],
) -> None:
    writer.context = f"UNG {reference}: "
    writer.segment(
        "UNG",
        group_type,
        (spec.group_sender, spec.sender_qualifier),
        (spec.group_recipient, spec.recipient_qualifier),
        stamp,
        reference,
        "UN",
        (first.version or spec.version, first.release or spec.release, _association(first, spec)),
    )


def _message(
    writer: SegmentWriter, spec: EnvelopeSpec, message: OutboundMessage, reference: str
) -> None:
    writer.context = f"{message.message_type} {reference}: "
    writer.segment(
        "UNH",
        reference,
        (
            message.message_type,
            message.version or spec.version,
            message.release or spec.release,
            "UN",
            _association(message, spec),
        ),
    )
    for segment in message.segments:
        tag = segment[0]
        assert isinstance(tag, str)
        writer.segment(tag, *segment[1:])
    writer.segment("UNT", str(len(message.segments) + 2), reference)


def _association(message: OutboundMessage, spec: EnvelopeSpec) -> str:
    if message.association_code is not None:
        return message.association_code
    return spec.association_code(message.message_type)


def _next(references: ControlReferences, messages: int, groups: int) -> ControlReferences | None:
    if not isinstance(references.interchange, int) or not isinstance(references.message, int):
        return None
    group = references.group
    if isinstance(group, str):
        return None
    return ControlReferences(
        interchange=_wrap(references.interchange + 1),
        message=_wrap(references.message + messages),
        group=_wrap(group + groups) if group is not None else None,
    )


def build_interchange(
    messages: Sequence[OutboundMessage],
    settings: EdifactPartnerSettings,
    *,
    references: ControlReferences,
    now: datetime,
) -> OutboundInterchange:
    """Our interchange to the partner of `settings`, holding `messages`."""
    spec = EnvelopeSpec.from_settings(settings)
    return write_interchange(spec, messages, references=references, now=now)
