"""X12 errors: the connector error tree plus where in the interchange the problem is.

    X12Error (DocumentError)           base; carries an `X12Position` and 997 codes
    ├── X12SyntaxError (MalformedDocumentError)     breaks an X12 rule or the canonical model
    └── X12UnsupportedError (UnsupportedDocumentError)  EBCDIC, UTF-16, a set we do not read
    X12EncodeError (PermanentError)     outbound: a canonical document cannot be written as X12

The 997 codes (`segment_code` = AK304/IK304, `element_code` = AK403/IK403, `set_code` =
AK502/IK502) let the acknowledgement builders report a translation error exactly as the partner's
translator expects, without a second classification.
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.core.errors import (
    DocumentError,
    MalformedDocumentError,
    PermanentError,
    UnsupportedDocumentError,
)


@dataclass(frozen=True, slots=True)
class X12Position:
    """Where a problem is: envelope control numbers, segment, element, absolute byte offset."""

    byte_offset: int | None = None
    """Offset of the segment (or the interchange when no segment applies) from the first byte
    fed to the reader, BOM included."""
    interchange: str | None = None
    """ISA13 of the interchange."""
    group: str | None = None
    """GS06 of the functional group."""
    transaction_set: str | None = None
    """ST02 of the transaction set."""
    segment_index: int | None = None
    """1-based position of the segment in its transaction set, ST being 1 (AK302)."""
    segment_id: str | None = None
    """Segment tag, e.g. `PO1`."""
    element: int | None = None
    """1-based element position in the segment (AK401)."""
    component: int | None = None
    """1-based component position inside a composite element."""

    def describe(self) -> str:
        """A one-line human location, e.g. `interchange 000000055, set 0003, segment 5 (PO1)`."""
        parts: list[str] = []
        if self.interchange is not None:
            parts.append(f"interchange {self.interchange}")
        if self.group is not None:
            parts.append(f"group {self.group}")
        if self.transaction_set is not None:
            parts.append(f"set {self.transaction_set}")
        if self.segment_index is not None or self.segment_id is not None:
            index = "" if self.segment_index is None else f" {self.segment_index}"
            tag = f" ({self.segment_id})" if self.segment_id else ""
            parts.append(f"segment{index}{tag}")
        if self.element is not None:
            component = f"-{self.component}" if self.component is not None else ""
            parts.append(f"element {self.element:02d}{component}")
        if self.byte_offset is not None:
            parts.append(f"byte {self.byte_offset}")
        return ", ".join(parts)


class X12Error(DocumentError):
    """An X12 document problem with its position and, when known, its 997 error codes."""

    def __init__(
        self,
        message: str,
        *,
        position: X12Position | None = None,
        set_code: str | None = None,
        segment_code: str | None = None,
        element_code: str | None = None,
        bad_value: str | None = None,
    ) -> None:
        described = position.describe() if position is not None else ""
        super().__init__(message, location=described or None)
        self.message = message
        self.position = position if position is not None else X12Position()
        self.set_code = set_code
        self.segment_code = segment_code
        self.element_code = element_code
        self.bad_value = bad_value


class X12SyntaxError(X12Error, MalformedDocumentError):
    """The bytes break an X12 rule (envelope, segment, element) or do not fit the model."""


class X12UnsupportedError(X12Error, UnsupportedDocumentError):
    """Readable in principle but not handled here: EBCDIC, UTF-16/32, a set we do not translate."""


class X12EncodeError(PermanentError, ValueError):
    """A canonical document cannot be written as X12 for this partner (a mandatory element has
    no value, a value holds a delimiter the partner forbids replacing). Retrying will not help."""
