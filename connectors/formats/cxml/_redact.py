"""Masking the secrets a cXML document carries, for logs and the document store.

Works on bytes, without parsing, so that it also masks documents that are not well-formed (a
refused body still goes to the log): every `<SharedSecret>` value becomes `***`, including one cut
off at the end of a truncated body.

Hand-written with `bytes.find` rather than regular expressions: it runs on every order, and the
expression for "a secret cut off at the end" must look ahead at every byte to the end of the
body (18 us on a 12 KB order, against about 1 us here; the tests check both agree).
"""

from __future__ import annotations

_OPEN = b"<SharedSecret"
_CLOSE = b"</SharedSecret"
_MASK = b"***"
_WORD = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_SPACE = frozenset(b" \t\r\n\f\v")


def mask_shared_secrets(body: bytes) -> bytes:
    """`body` with every SharedSecret value replaced by `***`, also one cut off at the end."""
    if b"SharedSecret" not in body:
        return body
    parts: list[bytes] = []
    position = 0
    search = 0
    while True:
        start = body.find(_OPEN, search)
        if start < 0:
            break
        after = start + len(_OPEN)
        if after < len(body) and body[after] in _WORD:  # <SharedSecrets>: another element
            search = after
            continue
        tag_end = body.find(b">", after)
        if tag_end < 0:  # cut inside the start tag: no value yet
            break
        value_start = tag_end + 1
        close = _closing_tag(body, value_start)
        parts += (body[position:value_start], _MASK)
        if close < 0:  # cut off inside the value: mask to the end
            position = len(body)
            break
        position = search = close
    parts.append(body[position:])
    return b"".join(parts)


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
