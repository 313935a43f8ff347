"""`build_response`: the cXML `Response/Status` document we answer every inbound POST with.

Built as a string, not a tree: it runs on every request and has one fixed shape. Every value is
escaped, and characters XML 1.0 cannot carry (C0 controls, lone surrogates, U+FFFE/U+FFFF) are
replaced by U+FFFD, so an error message quoting hostile input still yields a well-formed,
DTD-valid answer. Element and attribute order follow cXML.dtd (1.2.014 to 1.2.069 agree):
`cXML(payloadID, timestamp, version, xml:lang) > Response > Status(code, text, xml:lang)`.
`Status@xml:lang` is optional, but the DTD calls leaving it out deprecated, so we send it.
"""

from __future__ import annotations

import re
from datetime import datetime

from connectors.formats.cxml._datetime import format_cxml_datetime
from connectors.formats.cxml._status import CxmlStatus

DEFAULT_VERSION = "1.2.069"
"""The newest cXML version whose DTDs we hold."""

_VERSION = re.compile(r"\d+\.\d+\.\d+", re.ASCII)
_LANG = re.compile(r"[A-Za-z0-9._:-]+", re.ASCII)  # xml:lang is an NMTOKEN in cXML.dtd
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTRIBUTE = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\t": "&#9;",
        "\n": "&#10;",
        "\r": "&#13;",
    }
)


def build_response(
    status: CxmlStatus,
    *,
    payload_id: str,
    timestamp: datetime,
    version: str = DEFAULT_VERSION,
    lang: str = "en-US",
) -> bytes:
    """The UTF-8 bytes of a cXML Response carrying `status`.

    `timestamp` must be aware (written with its offset, seconds precision); `payload_id` should
    come from `new_payload_id`. Raises `ValueError` for arguments no valid document can carry.
    """
    if not _VERSION.fullmatch(version):
        msg = f"cXML version must look like 1.2.069, not {version!r}"
        raise ValueError(msg)
    if not _LANG.fullmatch(lang):
        msg = f"xml:lang must be a language code such as en-US, not {lang!r}"
        raise ValueError(msg)
    if not payload_id.strip():
        msg = "a Response needs a payloadID"
        raise ValueError(msg)
    if not 100 <= status.code <= 999:
        msg = f"status code must have three digits, not {status.code}"
        raise ValueError(msg)
    opening = f'<Status code="{status.code}" text="{_attribute(status.text)}" xml:lang="{lang}"'
    element = f"{opening}>{_text(status.message)}</Status>" if status.message else f"{opening}/>"
    document = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/{version}/cXML.dtd">\n'
        f'<cXML payloadID="{_attribute(payload_id)}" timestamp="{format_cxml_datetime(timestamp)}"'
        f' version="{version}" xml:lang="{lang}">\n'
        f"  <Response>\n    {element}\n  </Response>\n</cXML>\n"
    )
    return document.encode("utf-8")


def _text(value: str) -> str:
    return _NOT_XML.sub("\ufffd", value).translate(_TEXT)


def _attribute(value: str) -> str:
    return _NOT_XML.sub("\ufffd", value).translate(_ATTRIBUTE)
