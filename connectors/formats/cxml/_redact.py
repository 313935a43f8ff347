"""Masking the secrets a cXML document carries, for logs and the document store.

Works on bytes, without parsing, so that it also masks documents that are not well-formed (a
refused body still goes to the log): every `<SharedSecret>` value becomes `***`, including one cut
off at the end of a truncated body.

Two paths:

- **Fast** (every ordinary order): an ASCII-compatible body whose every `SharedSecret` is an
  intact `<SharedSecret ...>value</SharedSecret>` pair. Hand-written with `bytes.find` rather
  than regular expressions: it runs on every order (about 1 us on a 12 KB order, against 18 us
  for the expressions, which must look ahead at every byte for "a secret cut off at the end").
- **Tolerant** (refused bodies, rare): anything else. The body is read as text in every
  encoding it may be in (8-bit, UTF-16 and UTF-32 in both byte orders, EBCDIC), one code unit
  per character so positions map back to bytes exactly; in each, any tag whose name reads
  `SharedSecret` in any case, with or without a namespace prefix, with a byte of its opening or
  closing tag damaged, has its value masked in that encoding. A body with NUL bytes that reads as
  cXML in none of them (compressed, binary) cannot be searched, so it is withheld whole: its
  secret, if any, must not be readable back.
"""

from __future__ import annotations

from dataclasses import dataclass

_NAME = b"SharedSecret"
_CLOSE = b"</" + _NAME
_MASK = b"***"
_WORD = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_NAME_CHARACTERS = _WORD | frozenset(b"-.")
_SPACE = frozenset(b" \t\r\n\f\v")
_LOWER_NAME = _NAME.lower()
_NOT_ASCII = 0x1A  # SUB: a code unit that is no ASCII character, in a view

WITHHELD = (
    b"[body withheld: it contains NUL bytes and reads as cXML in no encoding we know, so a "
    b"SharedSecret in it could not be found and masked; size and sha256 are of the body received]"
)
"""What is stored instead of a body that cannot be searched for its secret."""

_BOMS: tuple[tuple[bytes, int, bool], ...] = (  # (byte order mark, unit width, big-endian)
    (b"\x00\x00\xfe\xff", 4, True),
    (b"\xff\xfe\x00\x00", 4, False),
    (b"\xfe\xff", 2, True),
    (b"\xff\xfe", 2, False),
)
_EBCDIC_SPACE = b"\x40\x05\x15\x25\x0d"
_EBCDIC_LT = 0x4C
_EBCDIC_TO_ASCII = bytes(
    ord(character) if ord(character) < 0x80 else _NOT_ASCII
    for character in bytes(range(256)).decode("cp037")
)
"""cp037 bytes to ASCII; the letters, `<`, `>`, `/` and `:` are the same in every EBCDIC
code page a cXML sender might use (037, 500, 1140...)."""
_EBCDIC_MASK = _MASK.decode().encode("cp037")


def mask_shared_secrets(body: bytes) -> bytes:
    """`body` with every SharedSecret value replaced by `***`, in the body's own encoding."""
    if _looks_ascii_compatible(body):
        spans, intact = _exact_spans(body)
        if intact:
            if spans:
                return _replace(body, [(start, end, _MASK) for start, end in spans])
            if _LOWER_NAME not in body.lower():
                return body
    return _mask_tolerantly(body)


def _looks_ascii_compatible(body: bytes) -> bool:
    """No UTF-16/32 byte order mark or NUL byte at the start, no EBCDIC `<`: the fast path's
    bodies (UTF-8, US-ASCII, Latin-1... and broken UTF-8)."""
    head = body[:64]
    if b"\x00" in head or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    head = head.lstrip(_EBCDIC_SPACE)
    return not head or head[0] != _EBCDIC_LT


# -- fast path --------------------------------------------------------------------------------


def _exact_spans(body: bytes) -> tuple[list[tuple[int, int]], bool]:
    """Value spans of intact `<SharedSecret ...>...</SharedSecret>` pairs, and whether every
    `SharedSecret` in the body was part of one. A value cut off at the end runs to the end; the
    spans stop at the first damaged tag (the tolerant path takes over from there)."""
    spans: list[tuple[int, int]] = []
    search = 0
    while True:
        at = body.find(_NAME, search)
        if at < 0:
            return spans, True
        if at == 0 or body[at - 1] != ord("<"):  # a bare name, a prefix, a lone closing tag
            return spans, False
        after = at + len(_NAME)
        if after < len(body) and body[after] in _WORD:  # <SharedSecrets>: another element
            search = after
            continue
        tag_end = body.find(b">", after)
        if tag_end < 0:  # cut inside the start tag: no value yet
            return spans, False
        value_start = tag_end + 1
        close = _closing_tag(body, value_start)
        if close < 0:  # cut off inside the value (or its closing tag damaged): to the end
            spans.append((value_start, len(body)))
            return spans, False
        spans.append((value_start, close))
        search = close + len(_CLOSE)


def _closing_tag(body: bytes, start: int) -> int:
    """Where the first `</SharedSecret\\s*>` at or after `start` begins, or -1."""
    search = start
    while True:
        close = body.find(_CLOSE, search)
        if close < 0:
            return -1
        index = close + len(_CLOSE)
        while index < len(body) and body[index] in _SPACE:
            index += 1
        if index < len(body) and body[index] == ord(">"):
            return close
        search = close + 1


def _replace(body: bytes, ranges: list[tuple[int, int, bytes]]) -> bytes:
    """`body` with each (start, end) byte range replaced by its mask; ranges sorted, disjoint."""
    parts: list[bytes] = []
    position = 0
    for start, end, mask in ranges:
        parts += (body[position:start], mask)
        position = end
    parts.append(body[position:])
    return b"".join(parts)


# -- tolerant path ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _View:
    """The body as lower-case ASCII, one byte per code unit of one encoding."""

    text: bytes
    width: int
    offset: int
    mask: bytes

    def byte_range(self, start: int, end: int, size: int) -> tuple[int, int, bytes]:
        """The body's bytes holding view characters `start:end` (to the end if `end` is)."""
        last = size if end >= len(self.text) else self.offset + end * self.width
        return self.offset + start * self.width, last, self.mask


def _mask_tolerantly(body: bytes) -> bytes:
    views = _views(body)
    if b"\x00" in body and not any(
        b"<cxml" in view.text or _LOWER_NAME in view.text for view in views
    ):
        return WITHHELD
    taken: list[tuple[int, int, bytes]] = []
    for view in views:  # most likely reading first; a later one only adds what it alone sees
        spans = _tolerant_spans(view.text)
        if view.width == 1 and view.offset == 0 and view.mask == _MASK:
            spans += _exact_spans(body)[0]
        for start, end, mask in _merged([view.byte_range(s, e, len(body)) for s, e in spans]):
            if not any(start < t_end and t_start < end for t_start, t_end, _ in taken):
                taken.append((start, end, mask))
    return _replace(body, sorted(taken))


def _views(body: bytes) -> list[_View]:
    """Every reading of `body` worth searching, the most likely first: the encoding its byte
    order mark or first bytes name (XML 1.0 appendix F), else every fixed-width one when NUL
    bytes say it is not 8-bit text, and EBCDIC when its first tag or its lack of `<` say so."""
    eight_bit = _View(body.lower(), 1, 0, _MASK)
    for bom, width, big_endian in _BOMS:
        if body.startswith(bom):
            return [_wide_view(body, width, len(bom), big_endian=big_endian), eight_bit]
    named = _named_by_first_bytes(body)
    if named is not None:
        width, big_endian = named
        return [_wide_view(body, width, 0, big_endian=big_endian), eight_bit]
    views = [eight_bit]
    head = body[:64].lstrip(_EBCDIC_SPACE)
    if (head and head[0] == _EBCDIC_LT) or b"<" not in body:
        views.insert(0, _View(body.translate(_EBCDIC_TO_ASCII).lower(), 1, 0, _EBCDIC_MASK))
    if b"\x00" in body:
        views += (
            _wide_view(body, width, offset, big_endian=big_endian)
            for width in (2, 4)
            for offset in range(width)
            for big_endian in (False, True)
        )
    return views


def _named_by_first_bytes(body: bytes) -> tuple[int, bool] | None:
    """(unit width, big-endian) when the first code unit is an ASCII character in UTF-32 or
    UTF-16 without a byte order mark (`<` or white space: XML 1.0 appendix F)."""
    first = body[:4]
    if len(first) < 4:
        return None
    if first[0] and not first[1] and not first[2] and not first[3]:
        return 4, False
    if not first[0] and not first[1] and not first[2] and first[3]:
        return 4, True
    if first[0] and not first[1] and first[2] and not first[3]:
        return 2, False
    if not first[0] and first[1] and not first[2] and first[3]:
        return 2, True
    return None


def _wide_view(body: bytes, width: int, offset: int, *, big_endian: bool) -> _View:
    """UTF-16 or UTF-32 code units from `offset` as ASCII (`_NOT_ASCII` for any other unit)."""
    low = width - 1 if big_endian else 0
    count = max(0, (len(body) - offset) // width)
    text = bytearray(count)
    for index in range(count):
        unit = body[offset + index * width : offset + (index + 1) * width]
        character = unit[low]
        is_ascii = character < 0x80 and unit.count(0) >= width - 1
        text[index] = character if is_ascii else _NOT_ASCII
    unit_mask = b"*".rjust(width, b"\x00") if big_endian else b"*".ljust(width, b"\x00")
    return _View(bytes(text).lower(), width, offset, unit_mask * len(_MASK))


def _tolerant_spans(view: bytes) -> list[tuple[int, int]]:
    """Value spans of every tag named `sharedsecret` in a lower-case view, damaged or not."""
    spans: list[tuple[int, int]] = []
    search = 0
    while True:
        at = view.find(_LOWER_NAME, search)
        if at < 0:
            return spans
        search = name_end = at + len(_LOWER_NAME)
        if name_end < len(view) and view[name_end] in _NAME_CHARACTERS:
            continue  # <SharedSecrets>, or a value glued to the name: the closing tag finds it
        name_start = _prefixed_start(view, at)
        if name_start > 0 and view[name_start - 1] == ord("/"):  # `</name`, or `/name`
            has_lt = name_start > 1 and view[name_start - 2] == ord("<")
            end = name_start - 2 if has_lt else name_start - 1
            spans.append((_value_start_before(view, end), end))
        else:
            spans.append(_value_after(view, name_end))


def _prefixed_start(view: bytes, at: int) -> int:
    """Where the tag name found at `at` begins, with its namespace prefix if it has one."""
    start = at
    if start > 0 and view[start - 1] == ord(":"):
        start -= 1
        while start > 0 and view[start - 1] in _NAME_CHARACTERS:
            start -= 1
    return start


def _value_after(view: bytes, name_end: int) -> tuple[int, int]:
    """An opening tag's value: from its `>` (or its name, when the `>` is lost) to the next
    closing tag, or to the end."""
    tag_end = view.find(b">", name_end)
    next_tag = view.find(b"<", name_end)
    start = tag_end + 1 if tag_end >= 0 and (next_tag < 0 or tag_end < next_tag) else name_end
    end = view.find(b"</", start)
    return start, len(view) if end < 0 else end


def _value_start_before(view: bytes, tag_start: int) -> int:
    """A closing tag's value starts after the previous `>` (before a CDATA section ending
    there); at the start of the view when there is none."""
    previous = view.rfind(b">", 0, tag_start)
    if previous >= 2 and view[previous - 2 : previous] == b"]]":
        cdata = view.rfind(b"<![cdata[", 0, previous)
        if cdata >= 0:
            previous = view.rfind(b">", 0, cdata)
    return previous + 1


def _merged(ranges: list[tuple[int, int, bytes]]) -> list[tuple[int, int, bytes]]:
    """Sorted, with overlapping or touching ranges joined (the first one's mask kept)."""
    merged: list[tuple[int, int, bytes]] = []
    for start, end, mask in sorted(ranges, key=lambda item: (item[0], -item[1])):
        if merged and start <= merged[-1][1]:
            last_start, last_end, last_mask = merged[-1]
            merged[-1] = (last_start, max(last_end, end), last_mask)
        else:
            merged.append((start, end, mask))
    return merged
