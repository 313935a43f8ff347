"""`read_aperak`: a partner's APERAK (application error and acknowledgement) about one of our
messages, as data.

D96A/EANCOM structure read: BGM (1001, 1004 number, 1225 function: 27 not accepted, 29 accepted
without amendment), DTM 137, FTX (header texts), DOC and RFF (which of our documents it is about:
ON order, IV invoice, AAK despatch advice, ACW our message reference...), NAD, then per error ERC
(C901: 9321 error code, 1131, 3055) with its FTX (AAO error description) and RFF (e.g. the line).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo

from connectors.formats.edifact._envelope import Message, Segment
from connectors.formats.edifact._errors import EdifactSyntaxError, EdifactUnsupportedError
from connectors.formats.edifact._values import EdifactValueError, parse_dtm

REJECTING_FUNCTIONS = frozenset({"27"})
"""BGM 1225 codes that refuse the referenced document (27 not accepted)."""

ACCEPTING_FUNCTIONS = frozenset({"29", "6", "44"})
"""BGM 1225 codes that accept it (29 accepted without amendment, 6 confirmation, 44 accepted)."""


@dataclass(frozen=True, slots=True)
class AperakReference:
    """An RFF (or DOC) naming a document or message the APERAK is about."""

    qualifier: str
    """1153, e.g. `ON`; `DOC:<1001>` for a DOC segment."""
    value: str
    """1154 (or DOC 1004)."""
    line: str = ""
    """1156 line number, when given."""


@dataclass(frozen=True, slots=True)
class AperakError:
    """One ERC group: an application error code with its texts and references."""

    code: str
    """ERC C901 9321."""
    code_list: str = ""
    """C901 1131."""
    agency: str = ""
    """C901 3055."""
    texts: tuple[str, ...] = ()
    """FTX texts (AAO error description) following the ERC."""
    references: tuple[AperakReference, ...] = ()
    """RFF following the ERC (e.g. the line in error)."""


@dataclass(frozen=True, slots=True)
class AperakReport:
    """What an APERAK says: which of our documents, accepted or not, and why."""

    message_reference: str
    """UNH 0062 of the APERAK itself."""
    document_code: str
    """BGM 1001."""
    document_number: str
    """BGM 1004 (the APERAK's number; EANCOM often repeats ours here)."""
    function: str
    """BGM 1225 (27 not accepted, 29 accepted without amendment...)."""
    issued: datetime | None
    """DTM 137, when present and readable."""
    references: tuple[AperakReference, ...]
    """Header RFF and DOC: the documents and messages it is about."""
    texts: tuple[str, ...]
    """Header FTX texts."""
    errors: tuple[AperakError, ...]
    """ERC groups."""

    @property
    def rejected(self) -> bool:
        """True for 1225 = 27, or when errors are listed and the function does not accept."""
        if self.function in REJECTING_FUNCTIONS:
            return True
        return bool(self.errors) and self.function not in ACCEPTING_FUNCTIONS

    @property
    def referenced_message(self) -> str | None:
        """Our message reference (RFF ACW, reference number to previous message), if given."""
        return self.reference("ACW")

    def reference(self, *qualifiers: str) -> str | None:
        """The first header reference with one of `qualifiers` (all when none given)."""
        for reference in self.references:
            if not qualifiers or reference.qualifier in qualifiers:
                return reference.value
        return None


def _texts(segment: Segment) -> list[str]:
    text = " ".join(part.strip() for part in segment.element(4) if part.strip())
    return [text] if text else []


class _AperakReader:
    """Collects header data, references and ERC groups in one pass."""

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz
        self.code = self.number = self.function = ""
        self.issued: datetime | None = None
        self.references: list[AperakReference] = []
        self.texts: list[str] = []
        self.errors: list[AperakError] = []

    def segment(self, segment: Segment) -> None:
        tag = segment.tag
        current = self.errors[-1] if self.errors else None
        if tag == "BGM":
            self.code, self.number = segment.get(1, 1).strip(), segment.get(2, 1).strip()
            self.function = segment.get(3).strip()
        elif tag == "DTM" and current is None:
            self.dtm(segment)
        elif tag == "ERC":
            self.errors.append(
                AperakError(
                    code=segment.get(1, 1).strip(),
                    code_list=segment.get(1, 2).strip(),
                    agency=segment.get(1, 3).strip(),
                )
            )
        elif tag == "FTX":
            if current is None:
                self.texts.extend(_texts(segment))
            else:
                self.errors[-1] = replace(current, texts=(*current.texts, *_texts(segment)))
        elif tag == "RFF":
            reference = AperakReference(
                segment.get(1, 1).strip(), segment.get(1, 2).strip(), segment.get(1, 3).strip()
            )
            if current is None:
                self.references.append(reference)
            else:
                self.errors[-1] = replace(current, references=(*current.references, reference))
        elif tag == "DOC" and current is None:
            self.references.append(
                AperakReference(f"DOC:{segment.get(1, 1).strip()}", segment.get(2, 1).strip())
            )

    def dtm(self, segment: Segment) -> None:
        if segment.get(1, 1) != "137" or self.issued is not None:
            return
        try:
            self.issued = parse_dtm(segment.get(1, 2), segment.get(1, 3), self.tz)
        except EdifactValueError:
            self.issued = None


def read_aperak(message: Message, *, tz: tzinfo = UTC) -> AperakReport:
    """A partner's APERAK as data; `tz` applies to DTM values without a zone."""
    if message.message_type != "APERAK":
        msg = f"expected an APERAK message, got {message.message_type!r}"
        raise EdifactUnsupportedError(msg, position=message.position(0, element=2, component=1))
    if message.errors:
        first = message.errors[0]
        msg = f"APERAK {message.reference} failed the syntax checks: {first.message}"
        raise EdifactSyntaxError(msg, position=first.position, code=first.code)
    reader = _AperakReader(tz)
    for segment in message.segments:
        reader.segment(segment)
    return AperakReport(
        message_reference=message.reference,
        document_code=reader.code,
        document_number=reader.number,
        function=reader.function,
        issued=reader.issued,
        references=tuple(reader.references),
        texts=tuple(reader.texts),
        errors=tuple(reader.errors),
    )
