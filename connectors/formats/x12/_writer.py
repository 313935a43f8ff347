"""Outbound envelopes: ISA/GS/ST .. SE/GE/IEA with correct counts and passed-in control numbers.

Control numbers are never derived from the clock: the store owns a persisted per-partner counter
and passes the next numbers in (`ControlNumbers`); the result says which ones were used and what
to persist next. The ISA is written fixed-width (106 characters with its terminator), values are
checked for delimiter characters, trailing empty elements are dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from connectors.formats.x12._delimiters import REPETITION_FROM_VERSION, Delimiters
from connectors.formats.x12._envelope import InterchangeHeader
from connectors.formats.x12._errors import X12EncodeError
from connectors.formats.x12._settings import X12PartnerSettings
from connectors.formats.x12._text import is_digits

MAX_CONTROL_NUMBER = 999_999_999
"""ISA13, GS06 and ST02 hold at most nine digits."""


@dataclass(frozen=True, slots=True)
class ControlNumbers:
    """The next control numbers to use, reserved by the caller (the store's per-partner counter).

    Builders use `interchange` for ISA13/IEA02, `group`, `group + 1`... for GS06/GE02, and
    `transaction_set`, `transaction_set + 1`... for ST02/SE02 across the whole interchange, each
    wrapping from 999999999 to 1 like the store's counter. A business document needs one number
    of each; an acknowledgement `count_ack_groups(acks)` group and `len(acks)` set numbers.
    """

    interchange: int
    """ISA13 (written as 9 digits, zero-padded)."""
    group: int
    """GS06 of the first group."""
    transaction_set: int = 1
    """ST02 of the first transaction set (written with at least 4 digits)."""

    def __post_init__(self) -> None:
        for name in ("interchange", "group", "transaction_set"):
            value = getattr(self, name)
            if not 1 <= value <= MAX_CONTROL_NUMBER:
                msg = f"control number {name}={value} is outside 1..{MAX_CONTROL_NUMBER}"
                raise ValueError(msg)


@dataclass(frozen=True, slots=True)
class OutboundSet:
    """One transaction set to write: its id and body segments (without ST and SE)."""

    set_id: str
    """ST01, e.g. `855`."""
    segments: tuple[tuple[str, ...], ...]
    """Body segments as (tag, element 1, element 2, ...)."""
    implementation_reference: str | None = None
    """ST03, when the partner's guide wants one."""


@dataclass(frozen=True, slots=True)
class OutboundGroup:
    """A functional group to write."""

    functional_id: str
    """GS01, e.g. `PR`, `SH`, `IN`, `IB`, `FA`."""
    sets: tuple[OutboundSet, ...]
    """Its transaction sets."""
    version: str | None = None
    """GS08; the envelope's release when `None`."""
    sender_code: str | None = None
    """GS02; the envelope's when `None`."""
    receiver_code: str | None = None
    """GS03; the envelope's when `None`."""


@dataclass(frozen=True, slots=True)
class OutboundInterchange:
    """A written interchange and the control numbers it used."""

    data: bytes
    """The interchange, ready to send."""
    interchange_control_number: str
    """ISA13 as written."""
    group_control_numbers: tuple[str, ...]
    """GS06 of each group, in order."""
    set_control_numbers: tuple[str, ...]
    """ST02 of each set, in order."""
    next_numbers: ControlNumbers
    """The numbers to persist for the next interchange."""


@dataclass(frozen=True, slots=True)
class EnvelopeSpec:
    """ISA and GS values of an outbound interchange, from partner settings or an inbound ISA."""

    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    group_sender: str
    group_receiver: str
    version: str
    release: str
    usage: str
    delimiters: Delimiters
    encoding: str = "utf-8"
    acknowledgment_requested: bool = False
    authorization_qualifier: str = "00"
    authorization: str = ""
    security_qualifier: str = "00"
    security: str = ""
    replacement: str | None = " "
    uppercase: bool = False
    echoes_partner_bytes: bool = False
    """True for answers: values copied from the partner's interchange (ISA06, GS06, ST02) that
    held bytes the encoding could not decode are written back as those same bytes, so the
    partner's translator can match its control numbers; our own documents refuse them."""

    @classmethod
    def from_settings(cls, settings: X12PartnerSettings) -> EnvelopeSpec:
        """Our envelope towards a partner, as its profile says."""
        return cls(
            sender_qualifier=settings.our_qualifier,
            sender_id=settings.our_id,
            receiver_qualifier=settings.partner_qualifier,
            receiver_id=settings.partner_id,
            group_sender=settings.gs_sender,
            group_receiver=settings.gs_receiver,
            version=settings.interchange_version,
            release=settings.release,
            usage=settings.usage,
            delimiters=settings.delimiters,
            encoding=settings.encoding,
            acknowledgment_requested=settings.request_acknowledgment,
            authorization_qualifier=settings.authorization_qualifier,
            authorization=settings.authorization,
            security_qualifier=settings.security_qualifier,
            security=settings.security,
            replacement=settings.replacement,
            uppercase=settings.uppercase,
        )

    @classmethod
    def answering(cls, header: InterchangeHeader) -> EnvelopeSpec:
        """The envelope of an answer to `header`: sender and receiver swapped, the partner's
        version, usage, delimiters and encoding."""
        return cls(
            sender_qualifier=header.receiver_qualifier,
            sender_id=header.receiver_id,
            receiver_qualifier=header.sender_qualifier,
            receiver_id=header.sender_id,
            group_sender=header.receiver_id,
            group_receiver=header.sender_id,
            version=header.version,
            release="",
            usage=header.usage if header.usage in {"P", "T", "I"} else "P",
            delimiters=header.delimiters,
            encoding=header.encoding,
            echoes_partner_bytes=True,
        )


class _Writer:
    """Serializes segments with one set of delimiters, guarding against delimiters in data."""

    def __init__(self, spec: EnvelopeSpec) -> None:
        delimiters = spec.delimiters
        self.spec = spec
        self.element = delimiters.element
        self.end = delimiters.segment + delimiters.suffix
        reserved = [delimiters.element, delimiters.component, delimiters.segment]
        if delimiters.repetition is not None and _writes_repetition(spec.version):
            reserved.append(delimiters.repetition)
        reserved.extend(("\r", "\n"))
        self.replace = str.maketrans(dict.fromkeys(reserved, spec.replacement or ""))
        self.strict = spec.replacement is None
        self.parts: list[str] = []

    def clean(self, value: str) -> str:
        cleaned = value.translate(self.replace)
        if self.strict and cleaned != value:
            msg = f"{value!r} contains an X12 delimiter and the partner allows no replacement"
            raise X12EncodeError(msg)
        return cleaned.upper() if self.spec.uppercase else cleaned

    def segment(self, tag: str, *values: str, raw: bool = False) -> None:
        elements = [tag, *(values if raw else map(self.clean, values))]
        while len(elements) > 1 and not elements[-1]:
            elements.pop()
        self.parts.append(self.element.join(elements) + self.end)

    def text(self) -> str:
        return "".join(self.parts)


def _writes_repetition(version: str) -> bool:
    return is_digits(version) and int(version) >= REPETITION_FROM_VERSION


def _fixed(value: str, width: int) -> str:
    return value[:width].ljust(width)


def _century_dates(release: str) -> bool:
    """GS04 is CCYYMMDD from 004010 on, YYMMDD before."""
    digits = release[:6]
    return not is_digits(digits) or digits >= "004010"


def write_interchange(
    spec: EnvelopeSpec,
    groups: Sequence[OutboundGroup],
    *,
    numbers: ControlNumbers,
    now: datetime,
    before_groups: Sequence[tuple[str, ...]] = (),
) -> OutboundInterchange:
    """Write ISA, the groups (GS, ST .. SE per set, GE) and IEA with correct counts.

    `now` (aware) dates the envelope in its own zone. `before_groups` are interchange-level
    segments written after the ISA (a TA1).
    """
    if now.tzinfo is None or now.utcoffset() is None:
        msg = "now must be an aware datetime"
        raise ValueError(msg)
    writer = _Writer(spec)
    delimiters = spec.delimiters
    isa13 = f"{numbers.interchange:09d}"
    isa11 = delimiters.isa11 if _writes_repetition(spec.version) else "U"
    writer.segment(
        "ISA",
        _fixed(spec.authorization_qualifier, 2),
        _fixed(writer.clean(spec.authorization), 10),
        _fixed(spec.security_qualifier, 2),
        _fixed(writer.clean(spec.security), 10),
        _fixed(spec.sender_qualifier, 2),
        _fixed(writer.clean(spec.sender_id), 15),
        _fixed(spec.receiver_qualifier, 2),
        _fixed(writer.clean(spec.receiver_id), 15),
        now.strftime("%y%m%d"),
        now.strftime("%H%M"),
        isa11,
        _fixed(spec.version, 5),
        isa13,
        "1" if spec.acknowledgment_requested else "0",
        spec.usage,
        delimiters.component,
        raw=True,
    )
    for segment in before_groups:
        writer.segment(*segment)
    group_numbers: list[str] = []
    set_numbers: list[str] = []
    next_set = numbers.transaction_set
    for offset, group in enumerate(groups):
        gs06 = str(_wrap(numbers.group + offset))
        group_numbers.append(gs06)
        release = group.version or spec.release
        writer.segment(
            "GS",
            group.functional_id,
            group.sender_code if group.sender_code is not None else spec.group_sender,
            group.receiver_code if group.receiver_code is not None else spec.group_receiver,
            now.strftime("%Y%m%d" if _century_dates(release) else "%y%m%d"),
            now.strftime("%H%M"),
            gs06,
            "X",
            release,
        )
        for outbound in group.sets:
            st02 = f"{next_set:04d}"
            next_set = _wrap(next_set + 1)
            set_numbers.append(st02)
            header = [outbound.set_id, st02]
            if outbound.implementation_reference:
                header.append(outbound.implementation_reference)
            writer.segment("ST", *header)
            for segment in outbound.segments:
                writer.segment(*segment)
            writer.segment("SE", str(len(outbound.segments) + 2), st02)
        writer.segment("GE", str(len(group.sets)), gs06)
    writer.segment("IEA", str(len(groups)), isa13)
    next_numbers = ControlNumbers(
        interchange=_wrap(numbers.interchange + 1),
        group=_wrap(numbers.group + len(groups)),
        transaction_set=_wrap(next_set),
    )
    try:
        data = writer.text().encode(
            spec.encoding, "surrogateescape" if spec.echoes_partner_bytes else "strict"
        )
    except UnicodeEncodeError as error:
        shown = error.object[error.start : error.end]
        msg = f"{shown!r} cannot be written in {spec.encoding}, the partner's encoding"
        raise X12EncodeError(msg) from None
    return OutboundInterchange(
        data=data,
        interchange_control_number=isa13,
        group_control_numbers=tuple(group_numbers),
        set_control_numbers=tuple(set_numbers),
        next_numbers=next_numbers,
    )


def _wrap(value: int) -> int:
    """Control numbers roll over from 999999999 to 1."""
    return value if value <= MAX_CONTROL_NUMBER else value - MAX_CONTROL_NUMBER


def build_interchange(
    groups: Sequence[OutboundGroup],
    settings: X12PartnerSettings,
    *,
    numbers: ControlNumbers,
    now: datetime,
) -> OutboundInterchange:
    """Our interchange to the partner of `settings`, holding `groups`."""
    return write_interchange(EnvelopeSpec.from_settings(settings), groups, numbers=numbers, now=now)
