"""EDIFACT errors: the connector error tree plus where in the interchange the problem is.

    EdifactError (DocumentError)            base; an `EdifactPosition` and a 0085 code
    ├── EdifactSyntaxError (MalformedDocumentError)      breaks a syntax rule or the model
    └── EdifactUnsupportedError (UnsupportedDocumentError)   UTF-16, EBCDIC, UNOX, unmapped codes
    EdifactEncodeError (PermanentError)     outbound: a document cannot be written as EDIFACT

`code` is the ISO 9735 syntax error code (data element 0085) a CONTRL reports for the problem,
so the CONTRL builder needs no second classification (see `SyntaxErrorCode`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from connectors.core.errors import (
    DocumentError,
    MalformedDocumentError,
    PermanentError,
    UnsupportedDocumentError,
)


@dataclass(frozen=True, slots=True)
class EdifactPosition:
    """Where a problem is: envelope references, segment, element, component, byte offset."""

    byte_offset: int | None = None
    """Offset of the segment (or of the interchange) from the first byte fed to the reader, a
    UTF-8 BOM included."""
    interchange: str | None = None
    """UNB 0020 interchange control reference."""
    group: str | None = None
    """UNG 0048 group reference, when the message sits in a functional group."""
    message: str | None = None
    """UNH 0062 message reference."""
    segment_index: int | None = None
    """1-based position of the segment in its message, UNH being 1 (CONTRL UCS 0096)."""
    segment_id: str | None = None
    """Segment tag, e.g. `QTY`."""
    element: int | None = None
    """1-based data element position after the tag (`QTY` C186 is 1). CONTRL's 0098 counts the
    tag as 1, so it writes `element + 1`."""
    component: int | None = None
    """1-based component position inside a composite (CONTRL 0104)."""

    def describe(self) -> str:
        """One line for people, e.g. `interchange 807, message 1, segment 10 (QTY), element 1,
        component 2, byte 210`."""
        parts: list[str] = []
        if self.interchange is not None:
            parts.append(f"interchange {self.interchange}")
        if self.group is not None:
            parts.append(f"group {self.group}")
        if self.message is not None:
            parts.append(f"message {self.message}")
        if self.segment_index is not None or self.segment_id is not None:
            index = "" if self.segment_index is None else f" {self.segment_index}"
            tag = f" ({self.segment_id})" if self.segment_id else ""
            parts.append(f"segment{index}{tag}")
        if self.element is not None:
            parts.append(f"element {self.element}")
            if self.component is not None:
                parts.append(f"component {self.component}")
        if self.byte_offset is not None:
            parts.append(f"byte {self.byte_offset}")
        return ", ".join(parts)

    def at(self, element: int | None, component: int | None = None) -> EdifactPosition:
        """The same segment, another element (and component)."""
        return replace(self, element=element, component=component)


class EdifactError(DocumentError):
    """An EDIFACT document problem with its position and, when known, its 0085 syntax error code."""

    def __init__(
        self,
        message: str,
        *,
        position: EdifactPosition | None = None,
        code: str | None = None,
        bad_value: str | None = None,
    ) -> None:
        described = position.describe() if position is not None else ""
        super().__init__(message, location=described or None)
        self.message = message
        self.position = position if position is not None else EdifactPosition()
        self.code = code
        self.bad_value = bad_value


class EdifactSyntaxError(EdifactError, MalformedDocumentError):
    """The bytes break an EDIFACT rule (envelope, separators, characters) or do not fit the
    canonical model."""


class EdifactUnsupportedError(EdifactError, UnsupportedDocumentError):
    """Readable in principle but not handled here: UTF-16, EBCDIC, ISO 2022 code extension (UNOX),
    a message type or code the partner's rules do not map."""


class EdifactEncodeError(PermanentError, ValueError):
    """A canonical document cannot be written as EDIFACT for this partner: a required value is
    missing, or a value holds characters the syntax level cannot carry. Retrying will not help."""
