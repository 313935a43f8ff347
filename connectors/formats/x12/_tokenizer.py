"""Bytes to segments, sans I/O: frame interchanges, decode windows, split segments.

The tokenizer is fed bytes in any chunking and hands out tokens: an `IsaFound` when an
interchange starts, then `Region`s (the complete segments of one window of about 64 KiB, as
stripped strings), and a `FramingProblem` when an interchange cannot be framed. It never holds
more than one window plus one unfinished segment, so memory stays flat whatever the file size.

Segments stay strings here on purpose: splitting every segment into a list of elements costs
about 40 % of the throughput in garbage-collector work alone (lists are GC-tracked, strings are
not), and the envelope checks only need the segment tag. Elements are split by whoever reads a
transaction set.

Tolerance: a UTF-8 BOM and blanks before the first ISA, CR/LF (or any blank) around segments,
empty segments (`~~`), a last segment without terminator, any ISA layout `parse_isa` accepts,
different delimiters per interchange. Refused with a clear error: EBCDIC, UTF-16/32, and data
that does not start with an ISA at all.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from itertools import accumulate

from connectors.formats.x12._delimiters import (
    MAX_ISA_CHARS,
    Delimiters,
    IsaSegment,
    is_fixed_width,
    parse_isa,
)
from connectors.formats.x12._errors import X12Position, X12SyntaxError, X12UnsupportedError

DEFAULT_WINDOW = 64 * 1024
"""Bytes decoded and split at once."""

DEFAULT_MAX_SEGMENT_BYTES = 1024 * 1024
"""A segment longer than this means the declared terminator is not the one used."""

_BOM = b"\xef\xbb\xbf"
_BLANK_BYTES = b" \t\r\n\x0b\x0c\x00\x1a"
_ISA = b"ISA"
_EBCDIC_ISA = "ISA".encode("cp037")
_UTF16_STARTS = (b"\xff\xfe", b"\xfe\xff", b"I\x00S\x00A\x00", b"\x00I\x00S\x00A")
_ISA_PROBE_BYTES = 4 * MAX_ISA_CHARS


@dataclass(frozen=True, slots=True)
class IsaFound:
    """An interchange starts at `byte_offset` with this ISA."""

    isa: IsaSegment
    byte_offset: int
    encoding: str


@dataclass(frozen=True, slots=True)
class FramingProblem:
    """Bytes that cannot be framed: a broken ISA, junk between interchanges, a runaway segment.

    `in_interchange` tells whether an interchange was open (its trailer will never come); the
    tokenizer has already moved on to look for the next ISA.
    """

    error: X12SyntaxError
    in_interchange: bool


class Region:
    """The complete segments decoded from one window, with lazy offset arithmetic.

    `segments[k]` is the k-th non-empty segment, stripped of surrounding blanks. Character and
    byte offsets are computed only when asked for (set starts, errors), never per segment.
    """

    __slots__ = (
        "_ascii",
        "_cumulative",
        "_cursor",
        "_encoding",
        "_index",
        "_raw",
        "_whitespace",
        "byte_start",
        "delimiters",
        "has_undecodable_bytes",
        "segments",
        "text",
    )

    def __init__(
        self,
        data: bytes,
        byte_start: int,
        delimiters: Delimiters,
        encoding: str,
        whitespace: str,
    ) -> None:
        try:
            text = data.decode(encoding)
            self.has_undecodable_bytes = False
        except UnicodeDecodeError:
            text = data.decode(encoding, "surrogateescape")
            self.has_undecodable_bytes = True
        self.text = text
        self.byte_start = byte_start
        self.delimiters = delimiters
        self._encoding = encoding
        self._whitespace = whitespace
        self._ascii = len(text) == len(data)
        self._raw = raw = text.split(delimiters.segment)
        self.segments = segments = [kept for piece in raw if (kept := piece.strip(whitespace))]
        count = len(segments)
        identity = count == len(raw) or (count == len(raw) - 1 and not raw[-1].strip(whitespace))
        self._index: list[int] | None = (
            None if identity else [i for i, piece in enumerate(raw) if piece.strip(whitespace)]
        )
        self._cumulative: list[int] | None = None
        self._cursor = (0, 0)

    def _raw_start(self, k: int) -> tuple[int, int]:
        """(index in the raw split, character offset of that raw piece) of segment `k`."""
        i = k if self._index is None else self._index[k]
        cumulative = self._cumulative
        if cumulative is None:
            cumulative = self._cumulative = list(accumulate(map(len, self._raw)))
        before = cumulative[i - 1] if i else 0
        return i, before + i * len(self.delimiters.segment)

    def char_start(self, k: int) -> int:
        """Character offset in `text` of the first character of segment `k`."""
        i, start = self._raw_start(k)
        piece = self._raw[i]
        return start + len(piece) - len(piece.lstrip(self._whitespace))

    def char_end(self, k: int) -> int:
        """Character offset just after segment `k`'s terminator (or the end of `text`)."""
        i, start = self._raw_start(k)
        end = start + len(self._raw[i]) + len(self.delimiters.segment)
        return min(end, len(self.text))

    def byte_at(self, char_offset: int) -> int:
        """Absolute byte offset of character `char_offset` of `text`."""
        if self._ascii:
            return self.byte_start + char_offset
        last_char, last_byte = self._cursor
        if char_offset < last_char:
            last_char, last_byte = 0, 0
        step = self.text[last_char:char_offset].encode(self._encoding, "surrogateescape")
        self._cursor = (char_offset, last_byte + len(step))
        return self.byte_start + last_byte + len(step)

    def segment_byte(self, k: int) -> int:
        """Absolute byte offset of segment `k`."""
        return self.byte_at(self.char_start(k))


class Tokenizer:
    """Frames a byte stream into interchanges and segment regions (see the module docstring).

    Call `feed` with any chunks, then `next_token` until it returns `None` (needs more data, or
    everything is consumed after `close`). The reader calls `restart` when it meets an IEA (or
    an ISA where an IEA was due), so the next interchange is framed with its own delimiters.
    """

    def __init__(
        self,
        *,
        encoding: str = "utf-8",
        window: int = DEFAULT_WINDOW,
        max_segment_bytes: int = DEFAULT_MAX_SEGMENT_BYTES,
    ) -> None:
        codecs.lookup(encoding)
        self.encoding = encoding
        self._window = window
        self._max_segment = max_segment_bytes
        self._buf = b""
        self._pos = 0
        self._base = 0
        self._pending: list[bytes] = []
        self._eof = False
        self._mode = "start"
        self._delimiters: Delimiters | None = None
        self._terminator = b""
        self._whitespace = ""
        self.interchanges_found = 0

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
        """Stop framing the current interchange; look for an ISA from `byte_offset` on."""
        self._pos = max(byte_offset - self._base, 0)
        self._mode = "seek"

    def next_token(self) -> IsaFound | Region | FramingProblem | None:
        """The next token, or `None` when more bytes are needed or all are consumed."""
        self._fill()
        while True:
            if self._mode == "segments":
                return self._region()
            if self._mode == "start":
                if not self._check_start():
                    return None
                self._mode = "seek"
            token, again = self._seek()
            if not again:
                return token

    def _fill(self) -> None:
        if self._pending:
            self._buf = self._buf[self._pos :] + b"".join(self._pending)
            self._base += self._pos
            self._pos = 0
            self._pending.clear()

    def _skip_blanks(self) -> None:
        buf, pos = self._buf, self._pos
        while pos < len(buf) and buf[pos] in _BLANK_BYTES:
            pos += 1
        self._pos = pos

    def _check_start(self) -> bool:
        """Skip BOM and blanks; refuse EBCDIC, UTF-16/32 and non-X12 with a clear error."""
        if self._base + self._pos == 0 and self._buf[: len(_BOM)] == _BOM:
            self._pos = len(_BOM)
        elif self._base + self._pos == 0 and len(self._buf) < len(_BOM) and not self._eof:
            return False
        head = self._buf[self._pos : self._pos + 8]
        if head.startswith(_UTF16_STARTS):
            msg = "X12 must be sent in an 8-bit encoding; this document is UTF-16 or UTF-32"
            where = X12Position(byte_offset=self.consumed)
            raise X12UnsupportedError(msg, position=where)
        self._skip_blanks()
        head = self._buf[self._pos : self._pos + 3]
        if len(head) < 3 and not self._eof:
            return False
        if head == _EBCDIC_ISA:
            msg = (
                "the interchange is EBCDIC-encoded (ISA in code page 037); convert it to ASCII "
                "before sending it to the hub"
            )
            raise X12UnsupportedError(msg, position=X12Position(byte_offset=self.consumed))
        if head != _ISA:
            shown = self._buf[self._pos : self._pos + 16]
            found = f"found {shown!r}" if shown else "the document is empty"
            msg = f"not an X12 interchange: expected 'ISA' at byte {self.consumed}, {found}"
            raise X12SyntaxError(msg, position=X12Position(byte_offset=self.consumed))
        return True

    def _seek(self) -> tuple[IsaFound | FramingProblem | None, bool]:
        """Find and read the next ISA; returns (token, call-again)."""
        self._skip_blanks()
        buf, pos = self._buf, self._pos
        if buf[pos : pos + 3] == _ISA:
            return self._read_isa(), False
        if len(buf) - pos < 3 and not self._eof:
            return None, False
        start = self.consumed
        found = _next_isa(buf, pos)
        if found < 0:
            if not self._eof:
                self._pos = max(pos, len(buf) - 2)
                return self._junk(start), False
            self._pos = len(buf)
            return self._junk(start), False
        self._pos = found
        problem = self._junk(start)
        return problem, problem is None

    def _junk(self, start: int) -> FramingProblem | None:
        """Report data between interchanges once (not after a broken ISA: already reported)."""
        if self._mode == "resync" or self.consumed <= start:
            return None
        self._mode = "resync"
        msg = (
            f"unexpected data between interchanges at byte {start} ({self._shown(start)}); "
            "skipped to the next ISA"
        )
        error = X12SyntaxError(msg, position=X12Position(byte_offset=start))
        return FramingProblem(error, in_interchange=False)

    def _shown(self, start: int) -> str:
        index = start - self._base
        return repr(self._buf[index : index + 24]) if index >= 0 else "..."

    def _read_isa(self) -> IsaFound | FramingProblem | None:
        pos = self._pos
        probe = self._buf[pos : pos + _ISA_PROBE_BYTES]
        complete = self._eof or len(probe) == _ISA_PROBE_BYTES
        decoder = codecs.getincrementaldecoder(self.encoding)("surrogateescape")
        text = decoder.decode(probe, final=complete)
        try:
            isa = parse_isa(
                text,
                byte_offset=self.consumed,
                complete=complete,
                fixed_width=is_fixed_width(probe),
            )
        except X12SyntaxError as error:
            self._pos = pos + len(_ISA)
            self._mode = "resync"
            return FramingProblem(error, in_interchange=False)
        if isa is None:
            return None
        offset = self.consumed
        length = len(text[: isa.length].encode(self.encoding, "surrogateescape"))
        self._pos = pos + length
        self._start_interchange(isa.delimiters)
        self.interchanges_found += 1
        return IsaFound(isa=isa, byte_offset=offset, encoding=self.encoding)

    def _start_interchange(self, delimiters: Delimiters) -> None:
        self._delimiters = delimiters
        self._terminator = delimiters.segment.encode(self.encoding, "surrogateescape")
        self._whitespace = delimiters.whitespace()
        self._mode = "segments"

    def _region(self) -> Region | FramingProblem | None:
        buf, pos, terminator = self._buf, self._pos, self._terminator
        assert self._delimiters is not None
        end = buf.rfind(terminator, pos, pos + self._window)
        if end < 0:
            end = buf.find(terminator, pos, pos + self._max_segment)
        if end >= 0:
            end += len(terminator)
        elif len(buf) - pos >= self._max_segment:
            return self._runaway()
        elif self._eof:
            if not buf[pos:].strip(_BLANK_BYTES):
                self._pos = len(buf)
                return None
            end = len(buf)
        else:
            return None
        self._pos = end
        return Region(
            buf[pos:end], self._base + pos, self._delimiters, self.encoding, self._whitespace
        )

    def _runaway(self) -> FramingProblem:
        """No terminator within `max_segment_bytes`: give up on this interchange, resync."""
        start = self.consumed
        shown = self._delimiters.segment if self._delimiters else "?"
        msg = (
            f"no segment terminator {shown!r} within {self._max_segment} bytes after byte "
            f"{start}; the interchange does not use the terminator its ISA declares"
        )
        self._pos += 1
        self._mode = "resync"
        error = X12SyntaxError(msg, position=X12Position(byte_offset=start))
        return FramingProblem(error, in_interchange=True)


def _next_isa(buf: bytes, pos: int) -> int:
    """Offset of the next `ISA` that starts a segment (not inside a word), or -1."""
    while True:
        found = buf.find(_ISA, pos)
        if found < 0:
            return -1
        before = buf[found - 1 : found]
        after = buf[found + 3 : found + 4]
        if (found == 0 or not before.isalnum()) and (not after or not after.isalnum()):
            return found
        pos = found + 1
