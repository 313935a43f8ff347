"""Delimiters and the ISA segment: how an interchange says how to read the rest of it.

The ISA is nominally 106 fixed-width characters, but real files pad with NBSP, shorten fields
or indent, so nothing here trusts offsets: the element separator is the character after `ISA`,
ISA16 (component separator) is the character after the 16th element separator, and the segment
terminator is the character after ISA16. Carriage returns and line feeds after the terminator
are remembered as `suffix` (answers are written the way the partner writes).
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.formats.x12._errors import X12Position, X12SyntaxError
from connectors.formats.x12._text import is_digits

ISA_ELEMENTS = 16
"""Elements of an ISA segment (ISA01..ISA16)."""

MAX_ISA_CHARS = 512
"""An ISA whose 16 element separators do not appear within this many characters is broken."""

REPETITION_FROM_VERSION = 402
"""ISA11 is a repetition separator from ISA12 `00402` on; before that it is the standards id."""

_LINE_BREAKS = "\r\n"
_NOT_SEPARATORS = " \t\r\n"
_SUFFIX_LOOKAHEAD = 2
_FIELD_LENGTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1)
"""Standard lengths of ISA01..ISA15."""
_FREE_TEXT_FIELDS = frozenset({2, 4, 6, 8})
"""Authorization, security and ids: tolerated up to `_FREE_TEXT_LIMIT` characters."""
_FREE_TEXT_LIMIT = 35
FIXED_WIDTH_SEPARATORS = (3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103)
"""Where the 16 element separators of an ISA of the standard's fixed width (106) sit."""


@dataclass(frozen=True, slots=True)
class Delimiters:
    """The four X12 separators (and the line break written after each terminator).

    `repetition` is `None` when the interchange has no repetition separator (ISA12 below 00402,
    or ISA11 is a letter, digit or space such as the classic `U`).
    """

    element: str = "*"
    """Element separator (the character after `ISA`)."""
    component: str = ">"
    """Component (sub-element) separator, ISA16."""
    segment: str = "~"
    """Segment terminator, the character after ISA16."""
    repetition: str | None = None
    """Repetition separator, ISA11 from version 00402 on; `None` when absent."""
    suffix: str = ""
    """Line break written after every terminator (`""`, `"\\n"` or `"\\r\\n"`)."""

    def __post_init__(self) -> None:
        chars = [self.element, self.component, self.segment]
        if self.repetition is not None:
            chars.append(self.repetition)
        for char in chars:
            if len(char) != 1:
                msg = f"an X12 delimiter is one character, got {char!r}"
                raise ValueError(msg)
            if char.isalnum():
                msg = f"an X12 delimiter may not be a letter or digit, got {char!r}"
                raise ValueError(msg)
        if len(set(chars)) != len(chars):
            msg = f"X12 delimiters must differ from each other, got {chars!r}"
            raise ValueError(msg)
        if self.suffix not in {"", "\n", "\r\n", "\r"} or self.segment in self.suffix:
            msg = f"the suffix after a terminator is a line break or nothing, got {self.suffix!r}"
            raise ValueError(msg)

    @property
    def isa11(self) -> str:
        """The ISA11 value to write: the repetition separator, or `U` when there is none."""
        return self.repetition if self.repetition is not None else "U"

    def whitespace(self) -> str:
        """Characters stripped around segments: blanks and line breaks that are not delimiters."""
        used = {self.element, self.component, self.segment, self.repetition}
        return "".join(c for c in " \t\r\n\x0b\x0c\x00\x1a" if c not in used)


@dataclass(frozen=True, slots=True)
class IsaSegment:
    """A parsed ISA: the raw elements, the delimiters it declares, and its length in characters."""

    elements: tuple[str, ...]
    """`ISA`, then ISA01..ISA16 exactly as sent (padding kept)."""
    delimiters: Delimiters
    """What the ISA declares."""
    length: int
    """Characters from `I` of `ISA` through the segment terminator."""

    def value(self, position: int) -> str:
        """ISA element `position` (1..16) without padding (spaces, NBSP)."""
        return self.elements[position].strip()


def repetition_separator(isa11: str, version: str) -> str | None:
    """ISA11 as a repetition separator when ISA12 is 00402 or later and ISA11 is a symbol."""
    if not is_digits(version) or int(version) < REPETITION_FROM_VERSION:
        return None
    if len(isa11) != 1 or isa11.isalnum() or isa11 in _NOT_SEPARATORS:
        return None
    return isa11


def parse_isa(
    text: str, *, byte_offset: int, complete: bool, fixed_width: bool = False
) -> IsaSegment | None:
    """Read the ISA at the start of `text` (which starts with `ISA`).

    Returns `None` when `text` ends before the segment terminator and more may come
    (`complete=False`). Raises `X12SyntaxError` with TA1-style reasons for an ISA that cannot
    be read: no usable element separator, fewer than 16 element separators, a component
    separator or terminator that is a letter or digit or repeats another delimiter.
    `fixed_width` says the bytes had the standard's fixed width (`is_fixed_width`), which the
    decoded text may not show when a field holds a multi-byte character.
    """
    where = X12Position(byte_offset=byte_offset, segment_id="ISA")
    if len(text) < 4:
        if complete:
            msg = "the interchange ends inside its ISA segment"
            raise X12SyntaxError(msg, position=where)
        return None
    element = text[3]
    if element.isalnum() or element in _NOT_SEPARATORS:
        msg = f"ISA is not followed by an element separator (found {element!r})"
        raise X12SyntaxError(msg, position=where)
    separators = _separators(text, element)
    if len(separators) < ISA_ELEMENTS:
        if not complete and len(text) < MAX_ISA_CHARS:
            return None
        msg = (
            f"the ISA segment has {len(separators) - 1} of 16 elements "
            f"(element separator {element!r}) before "
            + ("the end of the data" if len(text) < MAX_ISA_CHARS else f"{MAX_ISA_CHARS} chars")
        )
        raise X12SyntaxError(msg, position=where)
    last = separators[-1]
    if len(text) < last + 3:
        if complete:
            msg = "the interchange ends before the ISA segment terminator"
            raise X12SyntaxError(msg, position=where)
        return None
    if len(text) < last + 3 + _SUFFIX_LOOKAHEAD and not complete:
        return None  # the line break after the terminator decides `suffix`
    component, segment = text[last + 1], text[last + 2]
    elements = ("ISA", *text[4:last].split(element), component)
    if not (fixed_width or tuple(separators) == FIXED_WIDTH_SEPARATORS):
        _check_fields(elements, element, where)
    version, isa11 = elements[12].strip(), elements[11]
    suffix = _suffix(text, last + 3, segment)
    repetition = repetition_separator(isa11, version)
    if repetition in {element, component, segment}:
        repetition = None
    try:
        delimiters = Delimiters(element, component, segment, repetition, suffix)
    except ValueError as error:
        msg = f"the ISA declares unusable delimiters: {error}"
        raise X12SyntaxError(msg, position=where) from None
    return IsaSegment(elements=elements, delimiters=delimiters, length=last + 3)


def is_fixed_width(head: bytes) -> bool:
    """True when `head` (bytes from `ISA` on) holds an ISA of the standard's fixed width: its
    element separator (an ASCII byte) at each of the 16 offsets and nowhere else before ISA16."""
    if len(head) <= FIXED_WIDTH_SEPARATORS[-1] or not head[3:4].isascii():
        return False
    element = head[3]
    end = FIXED_WIDTH_SEPARATORS[-1] + 1
    found = tuple(i for i in range(3, end) if head[i] == element)
    return found == FIXED_WIDTH_SEPARATORS


def _separators(text: str, element: str) -> list[int]:
    """Offsets of the first 16 element separators within `MAX_ISA_CHARS`."""
    found: list[int] = []
    start, limit = 3, min(len(text), MAX_ISA_CHARS)
    while len(found) < ISA_ELEMENTS:
        at = text.find(element, start, limit)
        if at < 0:
            break
        found.append(at)
        start = at + 1
    return found


def _suffix(text: str, start: int, segment: str) -> str:
    """The line break after the ISA terminator (`""` when there is none or it is the terminator)."""
    end = start
    while end < len(text) and text[end] in _LINE_BREAKS and segment != "\n":
        end += 1
    suffix = text[start:end][:2]
    if suffix not in {"", "\n", "\r\n", "\r"} or segment in suffix:
        return ""
    return suffix


def _check_fields(elements: tuple[str, ...], element: str, where: X12Position) -> None:
    """Refuse an ISA whose fields cannot be ISA fields: it is cut short, or the character after
    `ISA` is not really its element separator (padding and short fields are fine).

    Only for an ISA off the standard's fixed width: at that width the separators frame every
    field beyond doubt, so a field holding a line break is a bad value the reader notes (the
    partner gets a TA1 naming it), not a reason to leave the interchange unanswered.
    """
    for position, limit in enumerate(_FIELD_LENGTHS, start=1):
        value = elements[position]
        free = position in _FREE_TEXT_FIELDS
        too_long = len(value.strip()) > (_FREE_TEXT_LIMIT if free else limit)
        if too_long or "\n" in value or "\r" in value:
            msg = (
                f"ISA{position:02d} {value[:24]!r} is not an ISA{position:02d} value: the ISA "
                f"segment is cut short or {element!r} is not its element separator"
            )
            raise X12SyntaxError(msg, position=where)
