"""Hypothesis strategies that turn a valid body into a damaged one, and say how.

Every strategy draws a `Mutant`: the bytes to send, the seed it came from and the steps taken
(`steps` is what a failure report shows, so a shrunk example reads as a recipe). Three layers:

- bytes, for any protocol: flips, inserted "interesting" bytes, deletions, duplications,
  truncation and splices with another seed;
- protocol structure: X12 segments and delimiters (the ISA's fixed width, element, component and
  segment separators, one segment with its own separator, non-UTF-8 bytes in echoed elements,
  counts and control numbers); cXML text (re-encoded as UTF-16/32, Latin-1 or EBCDIC with a
  truthful, lying or missing XML declaration and BOM, a damaged `<SharedSecret>` tag, odd
  attribute values); EDIFACT segments and service characters;
- JSON values: huge, negative, empty, NUL-carrying and wrongly typed values at any path.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

Draw = Callable[[st.SearchStrategy[Any]], Any]


@dataclass(frozen=True)
class Seed:
    """A valid body a partner could send, and the secret that authenticates it (if in-band)."""

    name: str
    body: bytes
    partner: str
    secret: str | None = None
    before: bytes | None = None
    """What the partner sent first (the new order an update seed changes)."""


@dataclass(frozen=True)
class Mutant:
    """A mutated body: what to send, where it came from, how it was made."""

    seed: Seed
    body: bytes
    steps: tuple[str, ...] = ()
    encoding: str = "utf-8"
    """The encoding of the body's text (after a cXML re-encoding), for the secret search."""

    def then(self, body: bytes, step: str, *, encoding: str | None = None) -> Mutant:
        """This mutant changed once more."""
        return Mutant(self.seed, body, (*self.steps, step), encoding or self.encoding)

    def __repr__(self) -> str:
        return f"Mutant({self.seed.name!r}, {len(self.body)} bytes, steps={list(self.steps)!r})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Hypothesis prints this (not the whole body) for a failing example."""
        del cycle
        printer.text(repr(self))


# --- bytes -------------------------------------------------------------------------------------

INTERESTING = (
    b"\x00",
    b"\xff",
    b"\x80",
    b"\xc3",
    b"\xc3\x28",
    b"\xe9",
    b"\xed\xa0\x80",  # an encoded surrogate: not UTF-8
    b"\xef\xbb\xbf",
    b"\xfe\xff",
    b"\xff\xfe",
    b"\r\n",
    b"\n",
    b"\r",
    b"<",
    b">",
    b"&",
    b"]]>",
    b"<!--",
    b"*",
    b"~",
    b"|",
    b"^",
    b":",
    b"'",
    b"+",
    b"?",
    b"\x1c",
    b"\x1d",
    b"\x1f",
    b"%00",
    b'"',
    b"ISA",
    b"GS*",
    b"UNB+",
)


def _position(draw: Draw, data: bytes) -> int:
    return int(draw(st.integers(0, len(data))))


def _span(draw: Draw, data: bytes, longest: int = 64) -> tuple[int, int]:
    start = _position(draw, data)
    length = int(draw(st.integers(1, max(1, longest))))
    return start, min(len(data), start + length)


def _flip(draw: Draw, data: bytes, _donors: Sequence[bytes]) -> tuple[bytes, str]:
    if not data:
        return b"\x00", "flip: empty body became NUL"
    index = int(draw(st.integers(0, len(data) - 1)))
    value = int(draw(st.integers(0, 255)))
    return data[:index] + bytes([value]) + data[index + 1 :], f"flip byte {index} to {value:#04x}"


def _insert(draw: Draw, data: bytes, _donors: Sequence[bytes]) -> tuple[bytes, str]:
    index = _position(draw, data)
    chunk = draw(st.one_of(st.sampled_from(INTERESTING), st.binary(min_size=1, max_size=8)))
    return data[:index] + chunk + data[index:], f"insert {chunk!r} at {index}"


def _delete(draw: Draw, data: bytes, _donors: Sequence[bytes]) -> tuple[bytes, str]:
    start, end = _span(draw, data)
    return data[:start] + data[end:], f"delete bytes {start}..{end}"


def _duplicate(draw: Draw, data: bytes, _donors: Sequence[bytes]) -> tuple[bytes, str]:
    start, end = _span(draw, data, 256)
    target = _position(draw, data)
    copies = int(draw(st.integers(1, 3)))
    chunk = data[start:end] * copies
    return data[:target] + chunk + data[target:], f"copy bytes {start}..{end} x{copies} to {target}"


def _truncate(draw: Draw, data: bytes, _donors: Sequence[bytes]) -> tuple[bytes, str]:
    index = _position(draw, data)
    return data[:index], f"truncate at {index}"


def _splice(draw: Draw, data: bytes, donors: Sequence[bytes]) -> tuple[bytes, str]:
    donor = draw(st.sampled_from(list(donors) or [data]))
    start, end = _span(draw, data, 512)
    d_start, d_end = _span(draw, donor, 512)
    spliced = data[:start] + donor[d_start:d_end] + data[end:]
    return spliced, f"replace {start}..{end} by donor bytes {d_start}..{d_end}"


BYTE_OPERATIONS = (_flip, _insert, _delete, _duplicate, _truncate, _splice)


@st.composite
def byte_mutations(
    draw: Draw, mutant: Mutant, donors: Sequence[bytes] = (), most: int = 3
) -> Mutant:
    """`mutant` with one to `most` byte-level changes."""
    for _ in range(int(draw(st.integers(1, most)))):
        operation = draw(st.sampled_from(BYTE_OPERATIONS))
        body, step = operation(draw, mutant.body, donors)
        mutant = mutant.then(body, step)
    return mutant


def seeds_strategy(seeds: Sequence[Seed]) -> st.SearchStrategy[Mutant]:
    """A seed, unchanged (as a `Mutant` with no steps)."""
    return st.sampled_from(list(seeds)).map(lambda seed: Mutant(seed, seed.body))


# --- X12 ---------------------------------------------------------------------------------------

ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1)
"""Widths of ISA01..ISA15 (ISA16, the component separator, is one byte)."""


@dataclass
class X12Parts:
    """An interchange taken apart: ISA elements, the other segments' elements, delimiters."""

    isa: list[bytes]
    segments: list[list[bytes]]
    element: bytes = b"*"
    component: bytes = b">"
    terminator: bytes = b"~"
    suffix: bytes = b"\n"
    own_separator: dict[int, bytes] = field(default_factory=dict)
    """Segments (by index) written with another element separator than the rest."""

    @classmethod
    def parse(cls, body: bytes) -> X12Parts:
        """A seed written with `*`, `>` and `~` plus a newline (what the builders write)."""
        lines = [line for line in body.replace(b"\n", b"").split(b"~") if line.strip()]
        isa = lines[0].split(b"*")[1:]
        component = isa.pop()  # ISA16
        return cls(isa, [line.split(b"*") for line in lines[1:]], component=component)

    def render(self) -> bytes:
        """The interchange in its (possibly broken) delimiters."""
        isa = self.element.join([b"ISA", *self.isa, self.component])
        out = [isa]
        for index, elements in enumerate(self.segments):
            separator = self.own_separator.get(index, self.element)
            out.append(separator.join(elements))
        end = self.terminator + self.suffix
        return end.join(out) + end

    def find(self, tag: bytes) -> list[int]:
        """Indexes of the segments with this tag."""
        return [i for i, elements in enumerate(self.segments) if elements[0] == tag]


ELEMENT_SEPARATORS = (b"*", b"|", b"^", b"\x1d", b"!", b"+", b":", b"~", b">", b" ", b"A", b"\xff")
COMPONENT_SEPARATORS = (b">", b":", b"\\", b"^", b"*", b"~", b"\x1f", b"", b"\xe9")
TERMINATORS = (b"~", b"\n", b"'", b"\x1c", b"*", b">", b"\r", b"")
SUFFIXES = (b"\n", b"\r\n", b"", b"\n\n", b" ")
NON_UTF8 = (b"\xff", b"\xe9", b"\xc3\x28", b"\x80\x80", b"\xed\xa0\x80", b"\xfe\xff")
ODD_VALUES = (
    b"",
    b"0",
    b"-1",
    b"0.0001",
    b"1E26",
    b"99999999999999999999999999",
    b"x",
    b" ",
    b"\x00",
    b"T",
    b"1",
    b"9999-99-99",
)
ECHOED = {  # elements an acknowledgement echoes: (segment tag, element index)
    b"GS": (1, 6, 8),
    b"ST": (1, 2),
    b"SE": (2,),
    b"GE": (2,),
    b"IEA": (2,),
    b"BEG": (3,),
    b"PO1": (1, 2, 3, 4, 7),
    b"N1": (2,),
    b"PID": (5,),
}


def _x12_separators(draw: Draw, parts: X12Parts) -> str:
    parts.element = draw(st.sampled_from(ELEMENT_SEPARATORS))
    parts.component = draw(st.sampled_from(COMPONENT_SEPARATORS))
    parts.terminator = draw(st.sampled_from(TERMINATORS))
    parts.suffix = draw(st.sampled_from(SUFFIXES))
    return (
        f"delimiters element={parts.element!r} component={parts.component!r} "
        f"terminator={parts.terminator!r} suffix={parts.suffix!r}"
    )


def _x12_own_separator(draw: Draw, parts: X12Parts) -> str:
    index = int(draw(st.integers(0, len(parts.segments) - 1)))
    separator = draw(st.sampled_from(ELEMENT_SEPARATORS))
    parts.own_separator[index] = separator
    return f"segment {parts.segments[index][0]!r} written with separator {separator!r}"


def _x12_isa_width(draw: Draw, parts: X12Parts) -> str:
    index = int(draw(st.integers(0, len(parts.isa) - 1)))
    change = int(draw(st.integers(-3, 3).filter(bool)))
    value = parts.isa[index]
    parts.isa[index] = value + b" " * change if change > 0 else value[:change]
    return f"ISA{index + 1:02d} width changed by {change}"


def _x12_isa_value(draw: Draw, parts: X12Parts) -> str:
    index = int(draw(st.integers(0, len(parts.isa) - 1)))
    width = ISA_WIDTHS[index]
    value = draw(
        st.one_of(
            st.sampled_from((b"T", b"1", b"00501", b"99999", b"ZZ", b"\xff", b"000000000")),
            st.binary(min_size=1, max_size=width),
        )
    )
    parts.isa[index] = value.ljust(width, b" ")[:width]
    return f"ISA{index + 1:02d} set to {parts.isa[index]!r}"


def _x12_non_utf8(draw: Draw, parts: X12Parts) -> str:
    candidates = [
        (i, e)
        for i, elements in enumerate(parts.segments)
        for e in ECHOED.get(elements[0], ())
        if e < len(elements)
    ]
    index, element = draw(st.sampled_from(candidates))
    bad = draw(st.sampled_from(NON_UTF8))
    where = int(draw(st.integers(0, len(parts.segments[index][element]))))
    value = parts.segments[index][element]
    parts.segments[index][element] = value[:where] + bad + value[where:]
    return f"{parts.segments[index][0]!r}{element:02d} carries {bad!r}"


def _x12_value(draw: Draw, parts: X12Parts) -> str:
    index = int(draw(st.integers(0, len(parts.segments) - 1)))
    elements = parts.segments[index]
    if len(elements) < 2:
        return "no element to change"
    element = int(draw(st.integers(1, len(elements) - 1)))
    value = draw(st.sampled_from(ODD_VALUES))
    elements[element] = value
    return f"{elements[0]!r}{element:02d} set to {value!r}"


def _x12_drop(draw: Draw, parts: X12Parts) -> str:
    index = int(draw(st.integers(0, len(parts.segments) - 1)))
    removed = parts.segments.pop(index)
    parts.own_separator.clear()
    return f"segment {index} ({removed[0]!r}) removed"


def _x12_duplicate(draw: Draw, parts: X12Parts) -> str:
    start = int(draw(st.integers(0, len(parts.segments) - 1)))
    end = int(draw(st.integers(start + 1, len(parts.segments))))
    target = int(draw(st.integers(0, len(parts.segments))))
    copy = [list(s) for s in parts.segments[start:end]]
    parts.segments[target:target] = copy
    parts.own_separator.clear()
    return f"segments {start}..{end} copied to {target}"


def _x12_group_mismatch(draw: Draw, parts: X12Parts) -> str:
    ge = parts.find(b"GE")
    if not ge:
        return "no GE"
    value = draw(st.sampled_from((b"2", b"0", b"999999999", b"X", b"")))
    parts.segments[ge[0]][2] = value
    return f"GE02 set to {value!r}"


def _x12_mailbag(draw: Draw, parts: X12Parts) -> str:
    copies = int(draw(st.integers(1, 2)))
    isa_control = parts.isa[12]
    body = parts.segments
    extra: list[list[bytes]] = []
    for number in range(copies):
        first = int(isa_control) if isa_control.strip().isdigit() else 0
        control = str(first + number + 1).zfill(9).encode()[-9:]
        header = [b"ISA", *parts.isa[:12], control, *parts.isa[13:], parts.component]
        trailer = [list(s) for s in body]
        if trailer and trailer[-1][0] == b"IEA" and len(trailer[-1]) > 2:
            trailer[-1][2] = control
        extra += [header, *trailer]
    parts.segments = body + extra
    return f"{copies} more interchange(s) appended (a mailbag)"


X12_OPERATIONS = (
    _x12_separators,
    _x12_own_separator,
    _x12_isa_width,
    _x12_isa_value,
    _x12_non_utf8,
    _x12_value,
    _x12_drop,
    _x12_duplicate,
    _x12_group_mismatch,
    _x12_mailbag,
)


@st.composite
def x12_structure(draw: Draw, mutant: Mutant, most: int = 3) -> Mutant:
    """`mutant` (an X12 seed) with one to `most` changes to its segments or delimiters."""
    parts = X12Parts.parse(mutant.body)
    steps = []
    for _ in range(int(draw(st.integers(1, most)))):
        operation = draw(st.sampled_from(X12_OPERATIONS))
        if parts.segments:
            steps.append(operation(draw, parts))
    return Mutant(mutant.seed, parts.render(), (*mutant.steps, *steps), mutant.encoding)


def x12_mutants(seeds: Sequence[Seed]) -> st.SearchStrategy[Mutant]:
    """Structural X12 changes, byte changes, or both."""
    donors = [seed.body for seed in seeds]
    base = seeds_strategy(seeds)
    structural = base.flatmap(x12_structure)
    return st.one_of(
        structural,
        base.flatmap(lambda m: byte_mutations(m, donors)),
        structural.flatmap(lambda m: byte_mutations(m, donors, most=2)),
    )


# --- EDIFACT -----------------------------------------------------------------------------------

EDIFACT_SERVICE = (
    b":+.? '",
    b":+,? '",
    b"|*.\\ \n",
    b"::::::",
    b":+.?'",
    b":+. '",
    b"\x1f\x1d.\x1c",
)


@st.composite
def edifact_structure(draw: Draw, mutant: Mutant, most: int = 3) -> Mutant:
    """`mutant` (an EDIFACT seed) with its UNA, segments or values changed."""
    body = mutant.body
    lines = body.split(b"\n")
    steps = []
    for _ in range(int(draw(st.integers(1, most)))):
        choice = draw(st.sampled_from(("una", "drop", "copy", "value", "non-utf8", "unoa")))
        if choice == "una" and lines and lines[0].startswith(b"UNA"):
            lines[0] = b"UNA" + draw(st.sampled_from(EDIFACT_SERVICE)) + b"'"
            steps.append(f"UNA set to {lines[0]!r}")
        elif choice == "drop" and len(lines) > 1:
            index = int(draw(st.integers(0, len(lines) - 1)))
            steps.append(f"segment {index} ({lines.pop(index)[:3]!r}) removed")
        elif choice == "copy" and lines:
            index = int(draw(st.integers(0, len(lines) - 1)))
            target = int(draw(st.integers(0, len(lines))))
            lines.insert(target, lines[index])
            steps.append(f"segment {index} copied to {target}")
        elif choice == "value" and lines:
            index = int(draw(st.integers(0, len(lines) - 1)))
            fields = lines[index].split(b"+")
            if len(fields) > 1:
                where = int(draw(st.integers(1, len(fields) - 1)))
                fields[where] = draw(st.sampled_from((*ODD_VALUES, b"?", b"?'", b"1:::::")))
                lines[index] = b"+".join(fields)
                steps.append(f"{fields[0]!r} element {where} set to {fields[where]!r}")
        elif choice == "non-utf8" and lines:
            index = int(draw(st.integers(0, len(lines) - 1)))
            where = int(draw(st.integers(0, len(lines[index]))))
            bad = draw(st.sampled_from(NON_UTF8))
            lines[index] = lines[index][:where] + bad + lines[index][where:]
            steps.append(f"segment {index} carries {bad!r} at {where}")
        elif choice == "unoa":
            level = draw(st.sampled_from((b"UNOA", b"UNOB", b"UNOD", b"UNOY", b"UNOW", b"XXXX")))
            lines = [line.replace(b"UNOC", level) for line in lines]
            steps.append(f"syntax level {level!r}")
    return Mutant(mutant.seed, b"\n".join(lines), (*mutant.steps, *steps), mutant.encoding)


def edifact_mutants(seeds: Sequence[Seed]) -> st.SearchStrategy[Mutant]:
    """Structural EDIFACT changes, byte changes, or both."""
    donors = [seed.body for seed in seeds]
    base = seeds_strategy(seeds)
    structural = base.flatmap(edifact_structure)
    return st.one_of(
        structural,
        base.flatmap(lambda m: byte_mutations(m, donors)),
        structural.flatmap(lambda m: byte_mutations(m, donors, most=2)),
    )


# --- cXML --------------------------------------------------------------------------------------

ENCODINGS = (
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "utf-32",
    "utf-32-le",
    "utf-32-be",
    "latin-1",
    "cp1252",
    "cp500",
    "cp037",
    "utf-8-sig",
)
BOMS = {
    "utf-16-le": b"\xff\xfe",
    "utf-16-be": b"\xfe\xff",
    "utf-32-le": b"\xff\xfe\x00\x00",
    "utf-32-be": b"\x00\x00\xfe\xff",
}
DECLARATION = re.compile(r"<\?xml[^>]*\?>")
SECRET_TAG_DAMAGE = (
    ("<SharedSecret>", "<SharedSecret >"),
    ("<SharedSecret>", "<SharedSecret\n\t>"),
    ("<SharedSecret>", '<SharedSecret type="x">'),
    ("<SharedSecret>", "<sharedsecret>"),
    ("<SharedSecret>", "<SharedSecre>"),
    ("<SharedSecret>", "<Shared Secret>"),
    ("<SharedSecret>", "<SharedSecretX>"),
    ("<SharedSecret>", "<x:SharedSecret>"),
    ("<SharedSecret>", "<SharedSecret"),
    ("<SharedSecret>", "SharedSecret>"),
    ("<SharedSecret>", "<SharedSecret><!-- -->"),
    ("<SharedSecret>", "<SharedSecret><![CDATA["),
    ("<SharedSecret>", "<SHAREDSECRET>"),
    ("<SharedSecret>", "<\x00SharedSecret>"),
    ("</SharedSecret>", "</SharedSecret >"),
    ("</SharedSecret>", "</sharedsecret>"),
    ("</SharedSecret>", "</SharedSecre>"),
    ("</SharedSecret>", "</SharedSecrets>"),
    ("</SharedSecret>", ""),
    ("</SharedSecret>", "<SharedSecret>"),
    ("</SharedSecret>", "</SharedSecret"),
    ("</SharedSecret>", "]]></SharedSecret>"),
    ("</SharedSecret>", "</Shared Secret>"),
    ("</SharedSecret>", "</x:SharedSecret>"),
)
ODD_ATTRIBUTES = (
    "",
    " ",
    "-1",
    "0",
    "x",
    "1e26",
    "99999999999999999999999999999999999999",
    "NaN",
    "&#0;",
    "&#x1;",
    "\u202e",
    "9999-12-31T23:59:59-14:00",
    "&amp;&lt;",
    "a" * 300,
)
_ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')
_TEXT = re.compile(r">([^<>\s][^<>]*)<")


def _cxml_damage_secret(draw: Draw, text: str) -> tuple[str, str]:
    candidates = [pair for pair in SECRET_TAG_DAMAGE if pair[0] in text]
    if not candidates:
        return text, "no SharedSecret tag to damage"
    old, new = draw(st.sampled_from(candidates))
    return text.replace(old, new, 1), f"{old!r} damaged to {new!r}"


def _cxml_attribute(draw: Draw, text: str) -> tuple[str, str]:
    found = list(_ATTRIBUTE.finditer(text))
    if not found:
        return text, "no attribute"
    match = draw(st.sampled_from(found))
    value = draw(st.sampled_from(ODD_ATTRIBUTES))
    replaced = f'{match.group(1)}="{value}"'
    return text[: match.start()] + replaced + text[match.end() :], f"{replaced[:60]!r}"


def _cxml_text(draw: Draw, text: str) -> tuple[str, str]:
    found = [
        m for m in _TEXT.finditer(text) if "SharedSecret" not in text[m.start() - 14 : m.start()]
    ]
    if not found:
        return text, "no text node"
    match = draw(st.sampled_from(found))
    value = draw(st.sampled_from(ODD_ATTRIBUTES))
    start, end = match.span(1)
    return text[:start] + value + text[end:], f"text {match.group(1)[:30]!r} -> {value[:30]!r}"


def _cxml_drop_element(draw: Draw, text: str) -> tuple[str, str]:
    names = sorted(set(re.findall(r"<(\w+)[ >]", text)) - {"cXML", "SharedSecret"})
    if not names:
        return text, "no element"
    name = draw(st.sampled_from(names))
    pattern = re.compile(rf"<{name}[ >].*?</{name}>", re.DOTALL)
    return pattern.sub("", text, count=1), f"first <{name}> removed"


CXML_TEXT_OPERATIONS = (_cxml_damage_secret, _cxml_attribute, _cxml_text, _cxml_drop_element)


DECLARATIONS = ("truthful", "utf-8", "none", "no-encoding", "unknown")


def reencode(body: bytes, encoding: str, declaration: str = "truthful", bom: bool = False) -> bytes:
    """UTF-8 cXML in `encoding` whose XML declaration tells the truth, claims UTF-8, is missing,
    names no encoding or an unknown one; a BOM first when `bom` (and the encoding has one)."""
    text = body.decode("utf-8")
    named = {"truthful": encoding.upper(), "utf-8": "UTF-8", "unknown": "X-FUZZ"}
    if declaration in named:
        replacement = f'<?xml version="1.0" encoding="{named[declaration]}"?>'
    elif declaration == "no-encoding":
        replacement = '<?xml version="1.0"?>'
    else:
        replacement = ""
    if DECLARATION.search(text):
        text = DECLARATION.sub(replacement, text, count=1)
    else:
        text = replacement + text
    encoded = text.encode(encoding, errors="xmlcharrefreplace")
    mark = BOMS.get(encoding)
    return mark + encoded if bom and mark is not None else encoded


def damage_secret_tag(body: bytes, old: str, new: str) -> bytes:
    """UTF-8 cXML with the first `old` (a SharedSecret tag) written as `new`."""
    return body.decode("utf-8").replace(old, new, 1).encode("utf-8")


@st.composite
def cxml_reencoded(draw: Draw, mutant: Mutant) -> Mutant:
    """`mutant` re-encoded, with a truthful, lying or missing declaration and BOM."""
    encoding = draw(st.sampled_from(ENCODINGS))
    declaration = draw(st.sampled_from(DECLARATIONS))
    bom = encoding in BOMS and draw(st.booleans())
    body = reencode(mutant.body, encoding, declaration, bom)
    step = f"re-encoded as {encoding} (declaration: {declaration}, BOM: {bom})"
    return mutant.then(body, step, encoding=encoding)


@st.composite
def cxml_secret_damage(draw: Draw, mutant: Mutant) -> Mutant:
    """`mutant` (UTF-8 cXML) with its `<SharedSecret>` tag damaged."""
    text, step = _cxml_damage_secret(draw, mutant.body.decode("utf-8"))
    return mutant.then(text.encode("utf-8"), step)


@st.composite
def cxml_text_changes(draw: Draw, mutant: Mutant, most: int = 2) -> Mutant:
    """`mutant` (UTF-8 cXML) with one to `most` changes to its text."""
    text = mutant.body.decode("utf-8")
    steps = []
    for _ in range(int(draw(st.integers(1, most)))):
        operation = draw(st.sampled_from(CXML_TEXT_OPERATIONS))
        text, step = operation(draw, text)
        steps.append(step)
    body = text.encode("utf-8")
    return Mutant(mutant.seed, body, (*mutant.steps, *steps), mutant.encoding)


def cxml_mutants(seeds: Sequence[Seed]) -> st.SearchStrategy[Mutant]:
    """Text changes, re-encodings, byte changes, and their combinations."""
    donors = [seed.body for seed in seeds]
    base = seeds_strategy(seeds)
    texted = base.flatmap(cxml_text_changes)
    damaged_secret = base.flatmap(cxml_secret_damage)
    return st.one_of(
        texted,
        base.flatmap(cxml_reencoded),
        texted.flatmap(cxml_reencoded),
        damaged_secret,
        damaged_secret.flatmap(cxml_reencoded),
        base.flatmap(lambda m: byte_mutations(m, donors)),
        texted.flatmap(lambda m: byte_mutations(m, donors, most=2)),
        base.flatmap(cxml_reencoded).flatmap(lambda m: byte_mutations(m, (), most=2)),
    )


# --- JSON --------------------------------------------------------------------------------------

ODD_JSON: tuple[Any, ...] = (
    1e26,
    "1e26",
    -1e26,
    "-1e26",
    10**30,
    "9" * 40,
    -1,
    "-1",
    0,
    "0",
    "-0",
    "0.0001",
    "0E-30",
    1.5,
    float("nan"),
    float("inf"),
    "NaN",
    "Infinity",
    "",
    " ",
    "\x00",
    "1Z\x00",
    "a\x00b",
    "\ud800",
    "x" * 5000,
    None,
    True,
    False,
    [],
    {},
    [None],
    {"": None},
    "2026-13-45",
    "1970-01-01T00:00:00",
    "9999-12-31T23:59:59+14:00",
    "0001-01-01T00:00:00+00:00",
)


def json_paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside `value` (dict keys and list indexes)."""
    paths: list[tuple[Any, ...]] = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, inner in value.items():
            paths += json_paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            paths += json_paths(inner, (*prefix, index))
    return paths


def _replaced(value: Any, path: tuple[Any, ...], new: Any, *, delete: bool = False) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        copy = dict(value)
        if delete and not rest:
            copy.pop(head, None)
        else:
            copy[head] = _replaced(value[head], rest, new, delete=delete)
        return copy
    copied = list(value)
    if delete and not rest:
        copied.pop(head)
    else:
        copied[head] = _replaced(value[head], rest, new, delete=delete)
    return copied


@st.composite
def json_values(draw: Draw, body: dict[str, Any], most: int = 3) -> tuple[Any, tuple[str, ...]]:
    """`body` with one to `most` values swapped, deleted or added."""
    steps = []
    value: Any = body
    for _ in range(int(draw(st.integers(1, most)))):
        paths = json_paths(value)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(("swap", "swap", "swap", "delete", "add", "wrap")))
        if action == "swap":
            new = draw(st.sampled_from(ODD_JSON))
            value = _replaced(value, path, new)
            steps.append(f"{list(path)} = {str(new)[:40]!r}")
        elif action == "delete":
            value = _replaced(value, path, None, delete=True)
            steps.append(f"{list(path)} deleted")
        elif action == "add":
            parent = path[:-1]
            extra = {"unexpected": draw(st.sampled_from(ODD_JSON))}
            target = value
            for key in parent:
                target = target[key]
            if isinstance(target, dict):
                value = (
                    _replaced(value, parent, {**target, **extra}) if parent else {**target, **extra}
                )
                steps.append(f"{list(parent)} gained 'unexpected'")
        else:
            old = value
            for key in path:
                old = old[key]
            value = _replaced(value, path, [old])
            steps.append(f"{list(path)} wrapped in a list")
    return value, tuple(steps)


@st.composite
def json_bodies(draw: Draw, bodies: Sequence[dict[str, Any]]) -> tuple[bytes, tuple[str, ...]]:
    """A valid body with values changed, serialized, and sometimes damaged as bytes."""
    body = draw(st.sampled_from(list(bodies)))
    value, steps = draw(json_values(body))
    data = json.dumps(value, allow_nan=True).encode("utf-8", errors="surrogatepass")
    if draw(st.integers(0, 4)) == 0:
        seed = Seed("json", data, "")
        mutant = draw(byte_mutations(Mutant(seed, data), most=2))
        return mutant.body, (*steps, *mutant.steps)
    return data, steps
