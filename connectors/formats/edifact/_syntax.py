"""Service characters, syntax levels and the release character: how a segment is spelled.

An interchange declares its separators in UNA (or takes the defaults `:+.? '`, with `*` as the
repetition separator from syntax version 4 on) and its character repertoire in UNB S001. This
module splits a segment into elements and components honouring the release character, escapes
values for writing, and knows which characters each syntax level allows and how its bytes decode.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

Components = tuple[str, ...]
"""A data element as its components (a simple data element is a 1-tuple)."""

_LINE_SUFFIXES = frozenset({"", "\n", "\r\n"})


@dataclass(frozen=True, slots=True)
class ServiceCharacters:
    """The UNA service string advice: separators, decimal mark, release character.

    `release` and `repetition` are `None` when unused (a space in UNA). `suffix` is the line
    break a partner writes after each terminator; answers repeat it.
    """

    component: str = ":"
    """Component data element separator (UNA1)."""
    element: str = "+"
    """Data element separator (UNA2)."""
    decimal: str = "."
    """Decimal mark (UNA3): `.` or `,`."""
    release: str | None = "?"
    """Release character (UNA4); it makes the next character literal."""
    repetition: str | None = None
    """Repetition separator (UNA5, syntax version 4); a space in UNA (reserved, versions 1-3)."""
    terminator: str = "'"
    """Segment terminator (UNA6)."""
    suffix: str = ""
    """Line break after each terminator: `""`, `"\\n"` or `"\\r\\n"` (tolerated when reading)."""

    def __post_init__(self) -> None:
        problem = self.problem()
        if problem is not None:
            raise ValueError(problem)

    def problem(self) -> str | None:
        """Why these characters cannot be service characters, or `None` when they can."""
        separators = [self.component, self.element, self.terminator]
        optional = [c for c in (self.release, self.repetition) if c is not None]
        for char in (*separators, *optional, self.decimal):
            if len(char) != 1:
                return f"a service character is one character, got {char!r}"
        for char in (*separators, *optional):
            if char.isalnum() or char == " ":
                return f"{char!r} cannot be a service character (a letter, digit or space)"
        used = separators + optional
        if len(set(used)) != len(used):
            return f"the service characters must differ from each other, got {used!r}"
        if self.decimal not in {".", ","}:
            return f"the decimal mark is '.' or ',', got {self.decimal!r}"
        if self.suffix not in _LINE_SUFFIXES:
            return f"the line break after a terminator is LF, CRLF or nothing, got {self.suffix!r}"
        return None

    @property
    def una(self) -> str:
        """The UNA segment advising these characters (its sixth character is the terminator)."""
        return (
            f"UNA{self.component}{self.element}{self.decimal}{self.release or ' '}"
            f"{self.repetition or ' '}{self.terminator}"
        )

    def reserved(self) -> str:
        """Characters that must be released inside a value."""
        chars = [self.release, self.component, self.element, self.repetition, self.terminator]
        return "".join(c for c in chars if c is not None)

    def whitespace(self) -> str:
        """Blanks tolerated around segments: those that are not service characters."""
        used = set(self.reserved())
        return "".join(c for c in " \t\r\n\x0b\x0c\x00\x1a" if c not in used)


DEFAULT_SERVICE_CHARACTERS = ServiceCharacters()
"""`:+.? '`, the defaults of levels A and C (syntax versions 1-3)."""

LEVEL_B_SERVICE_CHARACTERS = ServiceCharacters(
    component="\x1f", element="\x1d", release=None, terminator="\x1c"
)
"""The level B defaults without UNA: IS1, IS3 and IS4 (hex 1F, 1D, 1C), no release character."""


def default_service_characters(version: str, *, level_b: bool = False) -> ServiceCharacters:
    """The defaults without UNA: `:+.? '`, plus `*` as repetition separator from version 4 on."""
    if level_b:
        return LEVEL_B_SERVICE_CHARACTERS
    if version.strip() == "4":
        return ServiceCharacters(repetition="*")
    return DEFAULT_SERVICE_CHARACTERS


# -- character repertoires -----------------------------------------------------------------

_LEVEL_A = "A-Z0-9 !\"%&'()*+,\\-./:;<=>?_"
"""ISO 646 basic code table without lower case and without the twelve national or alternative
positions (# $ @ [ \\ ] ^ ` { | } ~): the 0001 definition of UNOA."""
_LEVEL_B = _LEVEL_A + "a-z"
_CONTROLS = "\\x00-\\x1f\\x7f-\\x9f"

Level = Literal["A", "B", "8bit", "unicode"]


@dataclass(frozen=True, slots=True)
class CharacterSet:
    """What UNB S001 0001 says about the bytes: how they decode and which characters may occur."""

    identifier: str
    """0001 as sent, e.g. `UNOC`."""
    codec: str
    """Python codec the bytes are decoded with."""
    level: Level
    """`A`/`B`: restricted ASCII repertoires; `8bit`: an ISO 8859 part; `unicode`: UTF-8."""
    known: bool = True
    """False for an identifier this package does not know (read as ISO 8859-1, not checked)."""

    def invalid(self, service: ServiceCharacters) -> re.Pattern[str]:
        """A pattern matching the first character outside the repertoire (service characters
        advised in UNA are always allowed, even where the repertoire lacks them)."""
        return _invalid_pattern(self.level if self.known else "8bit", service.reserved())


@lru_cache(maxsize=64)
def _invalid_pattern(level: Level, service: str) -> re.Pattern[str]:
    extra = re.escape(service)
    if level == "A":
        return re.compile(f"[^{_LEVEL_A}{extra}]")
    if level == "B":
        return re.compile(f"[^{_LEVEL_B}{extra}]")
    allowed_controls = "".join(c for c in service if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F)
    if allowed_controls:
        controls = "".join(
            f"\\x{n:02x}"
            for n in (*range(0x20), *range(0x7F, 0xA0))
            if chr(n) not in allowed_controls
        )
        return re.compile(f"[{controls}]")
    return re.compile(f"[{_CONTROLS}]")


_CHARACTER_SETS: dict[str, tuple[str, Level]] = {
    "UNOA": ("ascii", "A"),
    "UNOB": ("ascii", "B"),
    "UNOC": ("latin-1", "8bit"),
    "UNOD": ("iso8859-2", "8bit"),
    "UNOE": ("iso8859-5", "8bit"),
    "UNOF": ("iso8859-7", "8bit"),
    "UNOG": ("iso8859-3", "8bit"),
    "UNOH": ("iso8859-4", "8bit"),
    "UNOI": ("iso8859-6", "8bit"),
    "UNOJ": ("iso8859-8", "8bit"),
    "UNOK": ("iso8859-9", "8bit"),
    "UNOW": ("utf-8", "unicode"),
    "UNOY": ("utf-8", "unicode"),
}
"""Syntax identifiers this package reads and writes, with their codec and repertoire."""

REFUSED_SYNTAX_IDENTIFIERS = frozenset({"UNOX"})
"""ISO 2022 code extension: escape sequences may hold separator bytes, so it cannot be framed."""

SUPPORTED_SYNTAX_IDENTIFIERS = frozenset(_CHARACTER_SETS)
"""The 0001 values `character_set` knows."""


def character_set(identifier: str) -> CharacterSet:
    """The character set of a 0001 value; an unknown one (IATA's `IATB`, a future UNOx) reads
    as ISO 8859-1 without repertoire checks (`known=False`). Raises `KeyError` for UNOX."""
    if identifier in REFUSED_SYNTAX_IDENTIFIERS:
        raise KeyError(identifier)
    entry = _CHARACTER_SETS.get(identifier)
    if entry is None:
        return CharacterSet(identifier, "latin-1", "8bit", known=False)
    codec, level = entry
    return CharacterSet(identifier, codec, level)


def transliterate(value: str, charset: CharacterSet) -> str:
    """Latin letters with accents as plain letters (`Müller` -> `Muller`, `ß` -> `ss`), upper case
    for level A. Characters with no plain form stay as they are (and are refused later)."""
    decomposed = unicodedata.normalize("NFKD", value.replace("ß", "ss").replace("ẞ", "SS"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.upper() if charset.level == "A" else plain


# -- splitting and escaping ------------------------------------------------------------------


def parse_segment(
    text: str, service: ServiceCharacters
) -> tuple[str, tuple[Components, ...], tuple[tuple[int, Components], ...]]:
    """Split a segment (without terminator) into its tag, data elements and extra repetitions.

    Values are unescaped. `elements[0]` is data element 1; a repeated element (syntax version 4)
    keeps its first occurrence in `elements` and the others as `(position, components)`.
    """
    release = service.release
    if release is None or release not in text:
        return _split_plain(text, service)
    return _split_released(text, service)


def _split_plain(
    text: str, service: ServiceCharacters
) -> tuple[str, tuple[Components, ...], tuple[tuple[int, Components], ...]]:
    parts = text.split(service.element)
    component, repetition = service.component, service.repetition
    tag = parts[0].split(component, 1)[0]
    if repetition is None or repetition not in text:
        return tag, tuple(tuple(part.split(component)) for part in parts[1:]), ()
    elements: list[Components] = []
    repeats: list[tuple[int, Components]] = []
    for position, part in enumerate(parts[1:], start=1):
        occurrences = part.split(repetition)
        elements.append(tuple(occurrences[0].split(component)))
        repeats.extend((position, tuple(more.split(component))) for more in occurrences[1:])
    return tag, tuple(elements), tuple(repeats)


def _split_released(
    text: str, service: ServiceCharacters
) -> tuple[str, tuple[Components, ...], tuple[tuple[int, Components], ...]]:
    release, element, component = service.release, service.element, service.component
    repetition = service.repetition
    values: list[list[list[str]]] = [[[]]]  # element -> occurrence -> components
    buffer: list[str] = []
    index, size = 0, len(text)
    while index < size:
        char = text[index]
        if char == release and index + 1 < size:
            buffer.append(text[index + 1])
            index += 2
            continue
        if char == element:
            values[-1][-1].append("".join(buffer))
            values.append([[]])
        elif char == component:
            values[-1][-1].append("".join(buffer))
        elif repetition is not None and char == repetition:
            values[-1][-1].append("".join(buffer))
            values[-1].append([])
        else:
            buffer.append(char)
            index += 1
            continue
        buffer = []
        index += 1
    values[-1][-1].append("".join(buffer))
    tag = values[0][0][0]
    elements: list[Components] = []
    repeats: list[tuple[int, Components]] = []
    for position, occurrences in enumerate(values[1:], start=1):
        elements.append(tuple(occurrences[0]))
        repeats.extend((position, tuple(more)) for more in occurrences[1:])
    return tag, tuple(elements), tuple(repeats)


@lru_cache(maxsize=32)
def _escape_table(reserved: str, release: str) -> dict[int, str]:
    return {ord(char): release + char for char in reserved}


def escape(value: str, service: ServiceCharacters) -> str:
    """`value` with every service character released (`?+`, `?:`, `?'`, `??`, `?*`).

    Raises `ValueError` when a service character occurs and the UNA advises no release character.
    """
    reserved = service.reserved()
    release = service.release
    if release is None:
        found = next((c for c in value if c in reserved), None)
        if found is not None:
            msg = f"{found!r} is a separator and the service string advises no release character"
            raise ValueError(msg)
        return value
    if not any(c in value for c in reserved):
        return value
    return value.translate(_escape_table(reserved, release))
