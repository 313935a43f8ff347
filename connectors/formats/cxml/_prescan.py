"""Byte-level checks that run before the XML parser sees a body: encoding and DOCTYPE safety.

Why before: entity tricks (billion laughs, XXE to `file://` or `http://`) live in a DOCTYPE
internal subset, so refusing it on the raw bytes guarantees no entity is ever declared, let alone
resolved, whatever the parser's settings. Why encoding here: cXML is UTF-8 on every platform we
serve; a UTF-16 body is a sender bug that deserves a sentence, not a libxml2 error code.

Each check is one C-level scan of the bytes (`isascii`, `find`, one decode for non-ASCII bodies).
"""

from __future__ import annotations

import re

from connectors.core.errors import MalformedDocumentError, UnsafeDocumentError

UTF8_BOM = b"\xef\xbb\xbf"
ACCEPTED_ENCODINGS = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})
"""Declared encodings we accept; US-ASCII is a subset of UTF-8, `utf8`/`ascii` are common typos."""

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\x00\x00\xfe\xff", "UTF-32"),  # before UTF-16: the UTF-32 LE BOM starts with FF FE
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)
_XML_DECLARATION = re.compile(
    rb"<\?xml\s[^>]*?\bencoding\s*=\s*[\"']([^\"']{0,40})[\"']", re.ASCII | re.IGNORECASE
)
_DECLARATION_WINDOW = 256
# A DOCTYPE that names an external DTD only: `<!DOCTYPE cXML SYSTEM "...">` or the PUBLIC form.
_EXTERNAL_DOCTYPE = re.compile(
    rb"<!DOCTYPE\s+[^\s\[>]+"
    rb"(?:\s+(?:SYSTEM\s*(?:\"[^\"]*\"|'[^']*')"
    rb"|PUBLIC\s*(?:\"[^\"]*\"|'[^']*')\s*(?:\"[^\"]*\"|'[^']*')))?"
    rb"\s*>"
)


def check_encoding(body: bytes) -> None:
    """Refuse anything but UTF-8 (BOM optional) or US-ASCII, saying what the body is instead."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            raise MalformedDocumentError(_not_utf8(f"this document is {name} (byte order mark)"))
    if b"\x00" in body[:4]:
        # `<` or `<?` encoded in 16 or 32 bits without a byte order mark.
        width = "UTF-32" if body[:4].count(0) == 3 else "UTF-16"
        raise MalformedDocumentError(_not_utf8(f"this document looks like {width} (NUL bytes)"))
    start = len(UTF8_BOM) if body.startswith(UTF8_BOM) else 0
    if body.startswith(b"<?xml", start):
        declared = _XML_DECLARATION.match(body, start, start + _DECLARATION_WINDOW)
        if declared is not None:
            encoding = declared.group(1).decode("ascii", "replace").strip()
            if encoding.lower() not in ACCEPTED_ENCODINGS:
                raise MalformedDocumentError(
                    _not_utf8(f'this document declares encoding="{encoding}"'),
                    location="XML declaration",
                )
    if not body.isascii():
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise MalformedDocumentError(
                _not_utf8(f"byte 0x{body[error.start]:02X} at offset {error.start} is not UTF-8"),
                location=f"byte offset {error.start}",
            ) from None


def check_no_entities(body: bytes) -> None:
    """Refuse entity declarations and DOCTYPE internal subsets before any parser runs.

    The scan is deliberately blunt: `<!ENTITY` anywhere (even inside a comment or CDATA) is
    refused, because no legitimate cXML document contains it and a blunt rule has no bypass.
    """
    position = body.find(b"<!ENTITY")
    if position != -1:
        msg = "entity declarations (<!ENTITY) are not allowed in cXML"
        raise UnsafeDocumentError(msg, location=f"byte offset {position}")
    position = body.find(b"<!DOCTYPE")
    while position != -1:
        if _EXTERNAL_DOCTYPE.match(body, position) is None:
            msg = (
                "a DOCTYPE with an internal subset is not allowed in cXML; "
                'send only <!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/<version>/cXML.dtd">'
            )
            raise UnsafeDocumentError(msg, location=f"byte offset {position}")
        position = body.find(b"<!DOCTYPE", position + 1)


def _not_utf8(detail: str) -> str:
    return f"cXML must be sent as UTF-8; {detail}"
