"""Masking the secrets a cXML document carries, for logs and the document store.

Works on bytes, without parsing, so that it also masks documents that are not well-formed (a
refused body still goes to the log): every `<SharedSecret>` value becomes `***`, including one cut
off at the end of a truncated body.

Two paths:

- **Fast** (every ordinary order): an ASCII-compatible body (no NUL byte, no EBCDIC `<` first)
  with at least one `SharedSecret`, each an intact `<SharedSecret ...>value</SharedSecret>`
  pair. Hand-written with `bytes.find` rather than regular expressions: it runs on every order
  (a few us on a 12 KB order, against 18 us for the expressions, which must look ahead at
  every byte for "a secret cut off at the end").
- **Tolerant** (refused bodies, rare): anything else. The body is read as text in every
  encoding it may be in (8-bit, EBCDIC, and when it has NUL bytes UTF-16 and UTF-32 in both
  byte orders and every alignment, since a byte lost in the middle shifts the rest), one code unit
  per character so positions map back to bytes exactly; in each, any tag whose name reads
  `SharedSecret` in any case, with or without a namespace prefix, with a byte of its opening or
  closing tag damaged, has its value masked in that encoding; when both tags are damaged, what
  follows the Identity of the Sender's Credential is masked instead. A body with NUL bytes that
  reads as cXML in none of them (compressed, binary) cannot be searched, so it is withheld
  whole: its secret, if any, must not be readable back.
"""

from __future__ import annotations

import re
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

MAX_TAGS = 32
"""More tags named SharedSecret or Credential than any cXML document has (a header holds three
credentials): a body with more, in any reading, is withheld whole rather than searched, so that
the tolerant search stays linear in the body's size whatever an attacker sends."""

WINDOW = 64 * 1024
"""How far the tolerant path looks from a tag for its value's other end; a value not ended
within it is masked to the end of the body (or from this far back). Secrets are short."""

CROWDED = (
    b"[body withheld: it holds more SharedSecret or Credential tags than any cXML document "
    b"(a flood, or not cXML), so it was not searched for secrets; size and sha256 are of the "
    b"body received]"
)
"""What is stored instead of a body with more than `MAX_TAGS` such tags in some reading."""

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
        if intact and spans:
            return _replace(body, [(start, end, _MASK) for start, end in spans])
    # No intact secret in ASCII: a body without one (no name in any encoding leaves it as it
    # is), or an EBCDIC or wide body, or a damaged one. Rare, so every reading is searched.
    return _mask_tolerantly(body)


def _looks_ascii_compatible(body: bytes) -> bool:
    """No NUL byte (UTF-16/32 text, or binary, anywhere), no EBCDIC `<` first: the fast path's
    bodies (UTF-8, US-ASCII, Latin-1... and broken UTF-8)."""
    if b"\x00" in body:
        return False
    head = body[:64].lstrip(_EBCDIC_SPACE)
    return not head or head[0] != _EBCDIC_LT


# -- fast path --------------------------------------------------------------------------------


def _exact_spans(body: bytes) -> tuple[list[tuple[int, int]], bool]:
    """Value spans of intact `<SharedSecret ...>...</SharedSecret>` pairs, and whether every
    `SharedSecret` in the body was part of one. A value cut off at the end runs to the end. A
    damaged tag does not stop the scan (what follows is still masked as the regular expressions
    would), it only sends the body on to the tolerant path."""
    spans: list[tuple[int, int]] = []
    intact = True
    search = 0
    while True:
        at = body.find(_NAME, search)
        if at < 0:
            return spans, intact
        after = at + len(_NAME)
        search = after
        if at == 0 or body[at - 1] != ord("<"):  # a bare name, a prefix, a lone closing tag
            intact = False
            continue
        if after < len(body) and body[after] in _WORD:  # <SharedSecrets>: another element
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
    if any(
        view.text.count(_LOWER_NAME) > MAX_TAGS or view.text.count(_CREDENTIAL) > MAX_TAGS
        for view in views
    ):
        return CROWDED
    taken: list[tuple[int, int, bytes]] = []
    for view in views:  # most likely reading first; a later one only adds what it alone sees
        spans = _tolerant_spans(view.text)
        if view.width == 1 and view.offset == 0 and view.mask == _MASK:
            spans += _exact_spans(body)[0]
        spans += _unnamed_credential_spans(view.text, spans)
        for start, end, mask in _merged([view.byte_range(s, e, len(body)) for s, e in spans]):
            if not any(start < t_end and t_start < end for t_start, t_end, _ in taken):
                taken.append((start, end, mask))
    return _replace(body, sorted(taken))


def _views(body: bytes) -> list[_View]:
    """Every reading of `body` worth searching, the most likely first: the encoding its byte
    order mark or first bytes name (XML 1.0 appendix F), then 8-bit text and EBCDIC, then, when
    NUL bytes say it holds wide text, every UTF-16 and UTF-32 alignment and byte order (a byte
    lost or added in the middle shifts the rest of the body to another alignment)."""
    views: list[_View] = []
    named = _named_encoding(body)
    aligned = None
    if named is not None:
        width, offset, big_endian = named
        views.append(_wide_view(body, width, offset, big_endian=big_endian))
        aligned = (width, offset % width, big_endian)
    views += (
        _View(body.lower(), 1, 0, _MASK),
        _View(body.translate(_EBCDIC_TO_ASCII).lower(), 1, 0, _EBCDIC_MASK),
    )
    if b"\x00" in body:
        views += (
            _wide_view(body, width, offset, big_endian=big_endian)
            for width in (2, 4)
            for offset in range(width)
            for big_endian in (False, True)
            if (width, offset, big_endian) != aligned
        )
    return views


def _named_encoding(body: bytes) -> tuple[int, int, bool] | None:
    """(unit width, offset of the first unit, big-endian) that a byte order mark names, or the
    first code unit when it is an ASCII character in UTF-32 or UTF-16 (`<` or white space: XML
    1.0 appendix F)."""
    for bom, width, big_endian in _BOMS:
        if body.startswith(bom):
            return width, len(bom), big_endian
    first = body[:4]
    if len(first) < 4:
        return None
    return _FIRST_UNIT_PATTERNS.get(tuple(byte != 0 for byte in first))


_FIRST_UNIT_PATTERNS: dict[tuple[bool, ...], tuple[int, int, bool]] = {
    (True, False, False, False): (4, 0, False),
    (False, False, False, True): (4, 0, True),
    (True, False, True, False): (2, 0, False),
    (False, True, False, True): (2, 0, True),
}
"""Which of the first four bytes are not zero, for an ASCII first character (XML 1.0
appendix F): UTF-32LE, UTF-32BE, UTF-16LE, UTF-16BE."""


def _wide_view(body: bytes, width: int, offset: int, *, big_endian: bool) -> _View:
    """UTF-16 or UTF-32 code units from `offset` as ASCII (`_NOT_ASCII` for any other unit).

    Done on whole byte strings rather than unit by unit (a tolerant masking searches sixteen
    readings of a body of up to the size limit): the byte carrying the character and the bytes
    that must be zero are sliced out, each mapped to 0 (fine) or 0xFF (not ASCII), OR-ed as big
    integers, and what is 0xFF becomes `_NOT_ASCII`."""
    count = max(0, (len(body) - offset) // width)
    units = body[offset : offset + count * width]
    low = width - 1 if big_endian else 0
    flags = int.from_bytes(units[low::width].translate(_HIGH_TO_FF), "big")
    for other in range(width):
        if other != low:
            flags |= int.from_bytes(units[other::width].translate(_NONZERO_TO_FF), "big")
    text = flags.to_bytes(count, "big").translate(_FF_TO_NOT_ASCII) if count else b""
    unit_mask = b"*".rjust(width, b"\x00") if big_endian else b"*".ljust(width, b"\x00")
    return _View(text.lower(), width, offset, unit_mask * len(_MASK))


_HIGH_TO_FF = bytes(value if value < 0x80 else 0xFF for value in range(256))
_NONZERO_TO_FF = bytes(0 if value == 0 else 0xFF for value in range(256))
_FF_TO_NOT_ASCII = bytes(_NOT_ASCII if value == 0xFF else value for value in range(256))


def _tolerant_spans(view: bytes) -> list[tuple[int, int]]:
    """Value spans of every tag named `sharedsecret` in a lower-case view, damaged or not."""
    spans: list[tuple[int, int]] = []
    search = 0
    while True:
        at = view.find(_LOWER_NAME, search)
        if at < 0:
            return spans
        search = name_end = at + len(_LOWER_NAME)
        name_start = _prefixed_start(view, at)
        longer = name_end < len(view) and view[name_end] in _NAME_CHARACTERS
        if longer and (name_start == 0 or view[name_start - 1] not in _TAG_OPENERS):
            continue  # a word in text or an attribute (`name="SharedSecretHint"`): not a tag
        # A longer tag name (`<SharedSecretX>`, a value glued to the name) is masked like the
        # tag itself: masking an element too many in a damaged body is harmless, a leak is not.
        opener = view[name_start - 1] if name_start > 0 else None
        if opener == ord("/"):  # `</name`, or `/name`
            has_lt = name_start > 1 and view[name_start - 2] == ord("<")
            end = name_start - 2 if has_lt else name_start - 1
            spans.append((_value_start_before(view, end), end))
        elif opener == ord("<") or view[name_end : name_end + 1] == b">":  # or its `<` lost
            spans.append(_value_after(view, name_end))
        # else: the word in text (`rotate the SharedSecret soon`), no tag of its own


_TAG_OPENERS = frozenset(b"</")
_CREDENTIAL = b"<credential"
_CREDENTIAL_ENDS = (b"</credential", b"<credential", b"</sender", b"</header")


def _unnamed_credential_spans(view: bytes, named: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The last resort for a secret whose tags are both damaged (`<Shared Secret>` ...
    `</Shared Secret>`, `<SharedSecre>` ... `<SharedSecret>`): in a `<Credential>` after
    `<Sender`, whatever follows its `</Identity>` up to its end (the next `</Credential>`,
    `<Credential>`, `</Sender>` or `</Header>`), when that still holds text outside the
    values already found and outside well-formed tags. From and To credentials hold only an
    Identity and are kept as they are, and so is an intact SharedSecret."""
    spans: list[tuple[int, int]] = []
    search = view.find(b"<sender")
    if search < 0:
        return spans
    while True:
        at = view.find(_CREDENTIAL, search)
        if at < 0:
            return spans
        tag_end = view.find(b">", at)
        if tag_end < 0:
            return spans
        search = start = tag_end + 1
        after = at + len(_CREDENTIAL)
        if after < len(view) and view[after] in _NAME_CHARACTERS:
            continue  # <CredentialMac>, another element
        limit = min(len(view), start + WINDOW)
        ends = [
            found for marker in _CREDENTIAL_ENDS if (found := view.find(marker, start, limit)) >= 0
        ]
        end = min(ends, default=limit)
        identity = view.find(b"</identity", start, end)
        if identity >= 0:
            close = view.find(b">", identity, end)
            start = end if close < 0 else close + 1
        if _loose_text(view, start, end, named):
            spans.append((start, end))


def _loose_text(view: bytes, start: int, end: int, named: list[tuple[int, int]]) -> bool:
    """Whether `view[start:end]` holds anything but white space, well-formed tags and the
    values in `named`."""
    region = bytearray(view[start:end])
    for s_start, s_end in named:
        low, high = max(s_start, start), min(s_end, end)
        if low < high:
            region[low - start : high - start] = b" " * (high - low)
    return bool(_WELL_FORMED_TAG.sub(b"", bytes(region)).strip())


_WELL_FORMED_TAG = re.compile(rb"<[^<>]*>")


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
    limit = name_end + WINDOW
    tag_end = view.find(b">", name_end, limit)
    next_tag = view.find(b"<", name_end, limit)
    start = tag_end + 1 if tag_end >= 0 and (next_tag < 0 or tag_end < next_tag) else name_end
    end = view.find(b"</", start, start + WINDOW)
    return start, len(view) if end < 0 else end


def _value_start_before(view: bytes, tag_start: int) -> int:
    """A closing tag's value starts after the previous `>` (before a CDATA section ending
    there); `WINDOW` back when there is none that close."""
    floor = max(0, tag_start - WINDOW)
    previous = view.rfind(b">", floor, tag_start)
    if previous >= 2 and view[previous - 2 : previous] == b"]]":
        cdata = view.rfind(b"<![cdata[", floor, previous)
        if cdata >= 0:
            previous = view.rfind(b">", floor, cdata)
    return floor if previous < 0 else previous + 1


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
