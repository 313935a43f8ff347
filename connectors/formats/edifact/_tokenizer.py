"""Bytes to segments, sans I/O: frame interchanges (UNA, UNB), split segments, decode values.

The tokenizer is fed bytes in any chunking and hands out tokens: an `InterchangeStart` when a
UNA/UNB has been read, then `Batch`es (the complete segments of one window of about 64 KiB,
decoded, with byte offsets), and a `FramingProblem` for bytes that cannot be framed. It never
holds more than one window plus one unfinished segment.

Splitting works on bytes: every separator is one ASCII byte and no byte of a UTF-8 or ISO 8859
character is an ASCII byte, so `bytes.split` on the terminator is exact and byte offsets come for
free. When the release byte occurs in a window, pieces that end with an odd number of release
bytes are joined again (`?'` is a quote inside a value, `??'` a released `?` and a terminator).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from itertools import accumulate
from typing import AnyStr

from connectors.formats.edifact._codes import SyntaxErrorCode
from connectors.formats.edifact._errors import (
    EdifactPosition,
    EdifactSyntaxError,
    EdifactUnsupportedError,
)
from connectors.formats.edifact._syntax import (
    REFUSED_SYNTAX_IDENTIFIERS,
    Components,
    ServiceCharacters,
    character_set,
    default_service_characters,
    parse_segment,
)

DEFAULT_WINDOW = 64 * 1024
"""Bytes split at once."""

DEFAULT_MAX_SEGMENT_BYTES = 1024 * 1024
"""A segment longer than this means the declared terminator is not the one used."""

MAX_UNB_BYTES = 4096
"""A UNB that is not terminated within this many bytes is not a UNB."""

_BOM = b"\xef\xbb\xbf"
_BLANKS = b" \t\r\n\x0b\x0c\x00\x1a"
_START = re.compile(rb"(?<![A-Za-z0-9])UN[AB](?![A-Za-z0-9])")
_EBCDIC_STARTS = ("UNA".encode("cp037"), "UNB".encode("cp037"))
_UTF16_STARTS = (b"\xff\xfe", b"\xfe\xff", b"U\x00N\x00", b"\x00U\x00N")


@dataclass(frozen=True, slots=True)
class InterchangeStart:
    """An interchange starts: its service characters and its UNB, parsed."""

    service: ServiceCharacters
    """Separators in force."""
    una: bool
    """True when a UNA advised them."""
    byte_offset: int
    """Offset of the UNA (or the UNB without UNA)."""
    unb_offset: int
    """Offset of `UNB`."""
    unb: tuple[Components, ...]
    """UNB data elements, unescaped."""
    codec: str
    """Codec the segments of this interchange are decoded with."""
    utf8_bom: bool
    """The stream starts with a UTF-8 BOM: values are decoded as UTF-8."""
    una_problem: str | None = None
    """A tolerated UNA oddity (an unusable decimal mark), for the header notes."""


@dataclass(frozen=True, slots=True)
class FramingProblem:
    """Bytes that cannot be framed: garbage, a broken UNA/UNB, a runaway segment.

    `in_interchange` tells whether an interchange was open (its trailer will never come); the
    tokenizer has already moved on to look for the next UNA/UNB.
    """

    error: EdifactSyntaxError
    in_interchange: bool


class Batch:
    """The complete segments of one window: their decoded texts (values still escaped, leading
    blanks stripped), absolute byte offsets, and which ones did not decode.

    Plain lists on purpose: one object per segment would cost more than the splitting itself.
    """

    __slots__ = ("_ends", "_step", "starts", "texts", "undecodable")

    def __init__(
        self,
        texts: list[str],
        starts: list[int],
        step: int,
        *,
        ends: list[int] | None = None,
        undecodable: frozenset[int] = frozenset(),
    ) -> None:
        self.texts = texts
        """Segments without terminator."""
        self.starts = starts
        """Absolute byte offset of each segment's first byte."""
        self.undecodable = undecodable
        """Indexes of segments whose bytes are not valid in the codec (decoded leniently)."""
        self._step = step
        self._ends = ends

    def end(self, index: int) -> int:
        """Absolute byte offset just after segment `index`'s terminator."""
        if self._ends is not None:
            return self._ends[index]
        return self.starts[index] + len(self.texts[index]) + self._step


Token = InterchangeStart | FramingProblem | Batch


class Tokenizer:
    """Frames a byte stream into interchanges and segment batches (see the module docstring).

    Call `feed` with any chunks, then `next_token` until it returns `None` (needs more data, or
    everything is consumed after `close`). The reader calls `restart` after a UNZ, or at a
    UNA/UNB where a UNZ was due, so the next interchange is framed with its own separators.
    """

    def __init__(
        self,
        *,
        window: int = DEFAULT_WINDOW,
        max_segment_bytes: int = DEFAULT_MAX_SEGMENT_BYTES,
    ) -> None:
        self._window = window
        self._max_segment = max_segment_bytes
        self._buf = b""
        self._pos = 0
        self._base = 0
        self._pending: list[bytes] = []
        self._eof = False
        self._mode = "start"
        self._utf8_bom = False
        self._framed = False
        self._junk_reported = False
        self._service = ServiceCharacters()
        self._codec = "latin-1"
        self._terminator = b"'"
        self._release: int | None = None
        self._blanks = b""
        self._whitespace = ""

    @property
    def consumed(self) -> int:
        """Absolute offset of the first byte not yet tokenized."""
        return self._base + self._pos

    def feed(self, data: bytes) -> None:
        """Add bytes; nothing is parsed until `next_token`."""
        if self._eof:
            msg = "feed() after close()"
            raise RuntimeError(msg)
        if data:
            self._pending.append(bytes(data))

    def close(self) -> None:
        """No more bytes will come: the last segment may lack its terminator."""
        self._eof = True

    def restart(self, byte_offset: int) -> None:
        """Stop framing the current interchange; look for a UNA/UNB from `byte_offset` on."""
        self._pos = max(byte_offset - self._base, 0)
        self._mode = "seek"
        self._junk_reported = False

    def next_token(self) -> Token | None:
        """The next token, or `None` when more bytes are needed or all are consumed."""
        self._fill()
        while True:
            if self._mode == "segments":
                return self._batch()
            if self._mode == "start":
                if not self._check_start():
                    return None
                self._mode = "seek"
            token, again = self._seek()
            if not again:
                return token

    # -- framing ------------------------------------------------------------------------------

    def _fill(self) -> None:
        if self._pending:
            self._buf = self._buf[self._pos :] + b"".join(self._pending)
            self._base += self._pos
            self._pos = 0
            self._pending.clear()

    def _skip_blanks(self) -> None:
        buf, pos = self._buf, self._pos
        size = len(buf)
        while pos < size and buf[pos] in _BLANKS:
            pos += 1
        self._pos = pos

    def _check_start(self) -> bool:
        """Skip a UTF-8 BOM; refuse UTF-16/32 and EBCDIC with a clear error."""
        buf = self._buf
        if len(buf) < 4 and not self._eof:
            return False
        if buf.startswith(_BOM):
            self._utf8_bom = True
            self._pos = len(_BOM)
        where = EdifactPosition(byte_offset=self.consumed)
        if buf.startswith(_UTF16_STARTS):
            msg = "EDIFACT is sent in an 8-bit encoding; this document is UTF-16 or UTF-32"
            raise EdifactUnsupportedError(msg, position=where)
        self._skip_blanks()
        if self._buf[self._pos : self._pos + 3] in _EBCDIC_STARTS:
            msg = "the interchange is EBCDIC-encoded; convert it to ASCII before sending it"
            raise EdifactUnsupportedError(msg, position=EdifactPosition(byte_offset=self.consumed))
        if self._pos >= len(self._buf) and self._eof:
            msg = "the document is empty: no UNA or UNB"
            raise EdifactSyntaxError(msg, position=EdifactPosition(byte_offset=self.consumed))
        return True

    def _seek(self) -> tuple[Token | None, bool]:
        """Find and frame the next interchange; returns (token, call-again)."""
        self._skip_blanks()
        buf, pos = self._buf, self._pos
        head = buf[pos : pos + 3]
        if head in (b"UNA", b"UNB"):
            return self._frame(), False
        if len(buf) - pos < 3 and not self._eof:
            return None, False
        if pos >= len(buf):
            if self._eof and not self._framed:
                msg = "the document is empty: no UNA or UNB"
                raise EdifactSyntaxError(msg, position=EdifactPosition(byte_offset=self.consumed))
            return None, False
        start = self.consumed
        match = _START.search(buf, pos)
        if match is None:
            if not self._framed:
                if self._eof or len(buf) - pos >= self._max_segment:
                    raise _not_edifact(buf[pos : pos + 24], start)
                return None, False
            self._pos = len(buf) if self._eof else max(pos, len(buf) - 3)
            return self._junk(start), False
        self._pos = match.start()
        problem = self._junk(start)
        return problem, problem is None

    def _junk(self, start: int) -> FramingProblem | None:
        """Report bytes that are not an interchange once (then skip them silently)."""
        if self._junk_reported or self.consumed <= start:
            return None
        self._junk_reported = True
        index = start - self._base
        shown = self._buf[index : index + 24] if index >= 0 else b"..."
        where = "before the first UNA/UNB" if not self._framed else "between interchanges"
        msg = (
            f"{self.consumed - start} bytes {where} at byte {start} are not EDIFACT "
            f"({shown!r}); skipped to the next UNA/UNB"
        )
        error = EdifactSyntaxError(msg, position=EdifactPosition(byte_offset=start))
        return FramingProblem(error, in_interchange=False)

    def _fail(self, message: str, offset: int, code: str, *, skip: int = 3) -> FramingProblem:
        """A UNA/UNB that cannot be read: report it, look for the next one after it."""
        self._pos = offset - self._base + skip
        self._junk_reported = True
        error = EdifactSyntaxError(message, position=EdifactPosition(byte_offset=offset), code=code)
        return FramingProblem(error, in_interchange=False)

    def _frame(self) -> Token | None:
        """Read the UNA (if any) and the UNB at the current position."""
        pos = self._pos
        start = self.consumed
        una = self._buf[pos : pos + 3] == b"UNA"
        service: ServiceCharacters | None = None
        note: str | None = None
        unb = pos
        if una:
            located = self._una(pos, start)
            if not isinstance(located, tuple):
                return located
            service, note, unb = located
        return self._unb(start, unb, service, note, una=una)

    def _una(
        self, pos: int, start: int
    ) -> tuple[ServiceCharacters, str | None, int] | FramingProblem | None:
        """The UNA's service characters, a decimal-mark note and where the UNB starts."""
        buf = self._buf
        if len(buf) - pos < 9:
            return None if not self._eof else self._fail("the data ends inside UNA", start, "13")
        service, note = _parse_una(buf[pos + 3 : pos + 9].decode("latin-1"))
        unb = pos + 9
        while unb < len(buf) and buf[unb] in _BLANKS:
            unb += 1
        if len(buf) - unb < 4 and not self._eof:
            return None
        if service is None:
            # the UNB after an unreadable UNA is not read with guessed separators: skip it too
            skip = unb - pos + 3 if buf[unb : unb + 3] == b"UNB" else 3
            msg = f"UNA {buf[pos : pos + 9]!r} cannot be read: {note}"
            code = SyntaxErrorCode.INVALID_SERVICE_CHARACTER_ADVICE
            return self._fail(msg, start, code, skip=skip)
        if buf[unb : unb + 3] != b"UNB":
            msg = f"the UNA at byte {start} is not followed by a UNB"
            return self._fail(msg, start, SyntaxErrorCode.MISSING)
        return service, note, unb

    def _unb(
        self,
        start: int,
        unb: int,
        service: ServiceCharacters | None,
        note: str | None,
        *,
        una: bool,
    ) -> Token | None:
        buf = self._buf
        if len(buf) - unb < 4:
            return None if not self._eof else self._fail("the data ends inside UNB", start, "13")
        resolved = self._separators(buf[unb + 3], self._base + unb, start, service)
        if isinstance(resolved, FramingProblem):
            self._pos = unb + 3  # skip this UNB too: the next UNA/UNB is searched after it
            return resolved
        service = resolved
        end = self._unb_end(unb, start, service)
        if not isinstance(end, int):
            return end
        terminator = service.terminator.encode("latin-1")
        text = buf[unb:end].decode("latin-1")
        _, elements, _ = parse_segment(text, service)
        identifier = elements[0][0] if elements else ""
        version = elements[0][1] if elements and len(elements[0]) > 1 else ""
        if not una and version.strip() == "4" and service.release is not None:
            service = replace(service, repetition="*")  # the level A/C default from version 4 on
            _, elements, _ = parse_segment(text, service)
        after = end + len(terminator)
        suffix = _suffix(buf[after : after + 2], service)
        if suffix:
            service = replace(service, suffix=suffix)
        codec = "latin-1"
        if self._utf8_bom:
            codec = "utf-8"
        elif identifier not in REFUSED_SYNTAX_IDENTIFIERS:
            codec = character_set(identifier).codec
        self._start_interchange(service, codec)
        self._pos = after
        self._framed = True
        self._junk_reported = False
        return InterchangeStart(
            service=service,
            una=una,
            byte_offset=start,
            unb_offset=self._base + unb,
            unb=elements,
            codec=codec,
            utf8_bom=self._utf8_bom,
            una_problem=note,
        )

    def _separators(
        self, separator: int, unb_offset: int, start: int, service: ServiceCharacters | None
    ) -> ServiceCharacters | FramingProblem:
        """The service characters of an interchange, checked against the byte after `UNB`."""
        shown = bytes([separator])
        if service is not None:
            if separator == ord(service.element):
                return service
            msg = (
                f"UNB at byte {unb_offset} is followed by {shown!r}, not the data element "
                f"separator {service.element!r} the UNA advises"
            )
        elif separator == 0x1D:
            return default_service_characters("3", level_b=True)
        elif separator == ord("+"):
            return default_service_characters("3")
        else:
            msg = (
                f"UNB at byte {unb_offset} is followed by {shown!r}; without a UNA the data "
                "element separator is '+'"
            )
        return self._fail(msg, start, SyntaxErrorCode.INVALID_SERVICE_CHARACTER)

    def _unb_end(
        self, unb: int, start: int, service: ServiceCharacters
    ) -> int | FramingProblem | None:
        """Where the UNB's terminator is (`None`: more bytes needed, also for the line break
        after it, which decides the answer's `suffix`)."""
        buf = self._buf
        terminator = service.terminator.encode("latin-1")
        release = ord(service.release) if service.release is not None else None
        end = _first_terminator(buf, unb, min(len(buf), unb + MAX_UNB_BYTES), terminator, release)
        if end < 0:
            if not self._eof and len(buf) - unb < MAX_UNB_BYTES:
                return None
            msg = (
                f"the UNB at byte {self._base + unb} has no segment terminator "
                f"{service.terminator!r}"
            )
            problem = self._fail(msg, start, SyntaxErrorCode.INVALID_SERVICE_CHARACTER)
            self._pos = unb + 3
            return problem
        if not self._eof and len(buf) - (end + len(terminator)) < 2:
            return None
        return end

    def _start_interchange(self, service: ServiceCharacters, codec: str) -> None:
        self._service = service
        self._codec = codec
        self._terminator = service.terminator.encode("latin-1")
        self._release = ord(service.release) if service.release is not None else None
        self._whitespace = service.whitespace()
        self._blanks = self._whitespace.encode("latin-1")
        self._mode = "segments"

    # -- segments -----------------------------------------------------------------------------

    def _batch(self) -> Batch | FramingProblem | None:
        buf, pos, terminator, release = self._buf, self._pos, self._terminator, self._release
        end = _last_terminator(buf, pos, min(len(buf), pos + self._window), terminator, release)
        if end < 0:
            end = _first_terminator(
                buf, pos, min(len(buf), pos + self._max_segment), terminator, release
            )
        if end >= 0:
            stop = end + len(terminator)
        elif len(buf) - pos >= self._max_segment:
            return self._runaway()
        elif self._eof:
            if not buf[pos:].strip(_BLANKS):
                self._pos = len(buf)
                return None
            end = stop = len(buf)
        else:
            return None
        self._pos = stop
        return self._split(buf[pos:end], self._base + pos)

    def _split(self, region: bytes, base: int) -> Batch:
        """Split a window into segments. ASCII windows (nearly all EDI) are decoded once and
        split as text, offsets from one running sum; others piece by piece, in their codec."""
        step = len(self._terminator)
        if region.isascii():
            service = self._service
            text = region.decode("ascii")
            raw = text.split(service.terminator)
            release = service.release
            if release is not None and release in text:
                raw = _rejoin(raw, service.terminator, release)
            blanks = self._whitespace
            stripped = [piece.lstrip(blanks) for piece in raw] if blanks else raw
            offsets = accumulate((len(piece) + step for piece in raw), initial=base)
            starts = [
                offset + len(piece) - len(kept)
                for offset, piece, kept in zip(offsets, raw, stripped, strict=False)
                if kept
            ]
            return Batch([kept for kept in stripped if kept], starts, step)
        return self._split_bytes(region, base)

    def _split_bytes(self, region: bytes, base: int) -> Batch:
        terminator, release, blanks = self._terminator, self._release, self._blanks
        step = len(terminator)
        pieces = region.split(terminator)
        if release is not None and release in region:
            pieces = _rejoin(pieces, terminator, bytes([release]))
        codec = self._codec
        texts: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        undecodable: set[int] = set()
        offset = base
        for piece in pieces:
            stripped = piece.lstrip(blanks) if blanks else piece
            if stripped:
                try:
                    texts.append(stripped.decode(codec))
                except UnicodeDecodeError:
                    undecodable.add(len(texts))
                    texts.append(_lenient(stripped, codec))
                starts.append(offset + len(piece) - len(stripped))
                ends.append(offset + len(piece) + step)
            offset += len(piece) + step
        return Batch(texts, starts, step, ends=ends, undecodable=frozenset(undecodable))

    def _runaway(self) -> FramingProblem:
        """No terminator within `max_segment_bytes`: give up on this interchange, resync."""
        start = self.consumed
        msg = (
            f"no segment terminator {self._service.terminator!r} within {self._max_segment} "
            f"bytes after byte {start}; the interchange does not use the terminator it declares"
        )
        self._pos += 1
        self._mode = "seek"
        self._junk_reported = True
        code = SyntaxErrorCode.INVALID_SERVICE_CHARACTER
        error = EdifactSyntaxError(msg, position=EdifactPosition(byte_offset=start), code=code)
        return FramingProblem(error, in_interchange=True)


def _parse_una(chars: str) -> tuple[ServiceCharacters | None, str | None]:
    """The six UNA characters as service characters, or `None` and why not. An unusable decimal
    mark is tolerated (`.` is used) and reported as the second value."""
    component, element, decimal = chars[0], chars[1], chars[2]
    release, repetition, terminator = chars[3], chars[4], chars[5]
    note = None
    if decimal not in {".", ","}:
        note = f"UNA advises {decimal!r} as decimal mark; '.' is used"
        decimal = "."
    try:
        service = ServiceCharacters(
            component=component,
            element=element,
            decimal=decimal,
            release=None if release == " " else release,
            repetition=None if repetition == " " else repetition,
            terminator=terminator,
        )
    except ValueError as error:
        return None, str(error)
    return service, note


def _suffix(after: bytes, service: ServiceCharacters) -> str:
    if service.terminator in "\r\n":
        return ""
    if after.startswith(b"\r\n"):
        return "\r\n"
    if after.startswith(b"\n"):
        return "\n"
    return ""


def _escaped(buf: bytes, index: int, release: int | None, floor: int) -> bool:
    """True when the byte at `index` follows an odd number of release bytes."""
    if release is None:
        return False
    count = 0
    index -= 1
    while index >= floor and buf[index] == release:
        count += 1
        index -= 1
    return count % 2 == 1


def _first_terminator(
    buf: bytes, start: int, stop: int, terminator: bytes, release: int | None
) -> int:
    found = buf.find(terminator, start, stop)
    while found >= 0 and _escaped(buf, found, release, start):
        found = buf.find(terminator, found + 1, stop)
    return found


def _last_terminator(
    buf: bytes, start: int, stop: int, terminator: bytes, release: int | None
) -> int:
    found = buf.rfind(terminator, start, stop)
    while found >= 0 and _escaped(buf, found, release, start):
        found = buf.rfind(terminator, start, found)
    return found


def _rejoin(pieces: list[AnyStr], terminator: AnyStr, release: AnyStr) -> list[AnyStr]:
    """Join pieces split at a released terminator (`?'`) back together, in linear time: a
    piece ending in an odd number of release characters continues into the next one."""
    joined: list[AnyStr] = []
    carry: list[AnyStr] = []
    for piece in pieces:
        carry.append(piece)
        if (len(piece) - len(piece.rstrip(release))) % 2 == 1:
            continue
        joined.append(terminator.join(carry) if len(carry) > 1 else piece)
        carry = []
    if carry:
        joined.append(terminator.join(carry))
    return joined


def _lenient(data: bytes, codec: str) -> str:
    """Bytes that are not valid in `codec`, shown as well as possible: UTF-8 when they are UTF-8
    (a UNOA partner sending `Ü`), else ISO 8859-1."""
    if codec != "utf-8":
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    return data.decode("latin-1")


def _not_edifact(head: bytes, offset: int) -> EdifactSyntaxError:
    where = EdifactPosition(byte_offset=offset)
    if head.startswith(b"ISA"):
        msg = "this is an ANSI X12 interchange (ISA), not EDIFACT"
    elif head.lstrip().startswith(b"<"):
        msg = "this is XML, not an EDIFACT interchange"
    else:
        msg = f"not an EDIFACT interchange: no UNA or UNB segment found (starts with {head!r})"
    return EdifactSyntaxError(msg, position=where)
