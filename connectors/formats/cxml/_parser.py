"""The hardened lxml parse: bytes in, a tree out, or a classified `DocumentError`.

Parser settings: no entity substitution, no network, no DTD loading (the DOCTYPE SYSTEM id is
never fetched), libxml2's default limits (`huge_tree=False`), comments and PIs dropped. The
encoding is forced to UTF-8: `_prescan.check_encoding` has already proved the bytes are UTF-8,
so a US-ASCII declaration on a body with UTF-8 characters is read, not refused.

Depth: libxml2 refuses nesting deeper than 256 ("Excessive depth"). We also enforce our own
`MAX_DEPTH` on every document with one precompiled XPath, `boolean(/*/*/.../*)` with
`MAX_DEPTH + 1` steps: libxml2 walks the tree once in C (a few microseconds for a 6 KB order,
under 10% of the parse) and stops descending as soon as a level is empty. No Python-level walk.

Parsers and XPath evaluators hold an internal lock in lxml, so each thread gets its own pair
(created on first use) instead of all threads queueing on one.
"""

from __future__ import annotations

import re
import threading

from lxml import etree

from connectors.core.errors import MalformedDocumentError, UnsafeDocumentError
from connectors.formats.cxml._xml import shorten

MAX_DEPTH = 64
"""Deepest element nesting we accept; real cXML orders stay under 15 levels."""

# libxml2 messages of its safety limits (depth, sizes, entity loops and amplification).
_UNSAFE_MESSAGES = (
    "Excessive depth",
    "XML_PARSE_HUGE",
    "Resource limit",
    "entity reference loop",
    "amplification",
)
_TRAILING_POSITION = re.compile(r",? line \d+, column \d+\s*$")
_GLUED_SECRET_NAME = re.compile(r"(?i)(SharedSecret)[\w.:-]+")
"""A tag name that starts with SharedSecret and goes on: the value glued to a damaged tag."""


class _Tools(threading.local):
    """Per-thread parser and depth probe, built lazily on first use in each thread."""

    parser: etree.XMLParser | None = None
    too_deep: etree.XPath | None = None


_tools = _Tools()


def parse_xml(body: bytes) -> etree._Element:
    """Parse checked bytes into a tree; refuse what libxml2 or the depth limit refuses."""
    parser, too_deep = _thread_tools()
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as error:
        raise _classify(error) from None
    if too_deep(root) is True:
        msg = f"elements are nested deeper than {MAX_DEPTH} levels"
        raise UnsafeDocumentError(msg)
    return root


def _thread_tools() -> tuple[etree.XMLParser, etree.XPath]:
    parser, too_deep = _tools.parser, _tools.too_deep
    if parser is None or too_deep is None:
        parser = etree.XMLParser(
            encoding="utf-8",
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            attribute_defaults=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
            # Not collect_ids=False: in lxml 6 it makes libxml2 try (and fail) to load the
            # external DTD named by the DOCTYPE, refusing every document that has one.
        )
        too_deep = etree.XPath("boolean(/*" + "/*" * MAX_DEPTH + ")")
        _tools.parser, _tools.too_deep = parser, too_deep
    return parser, too_deep


def _classify(error: etree.XMLSyntaxError) -> MalformedDocumentError | UnsafeDocumentError:
    """The refusal, in a sentence that quotes nothing of the document's text.

    libxml2's messages quote the document: the bytes after an unclosed CDATA section on a second
    line, and element, attribute and entity names in the first ("Specification mandates value
    for attribute hunter2pass" when a SharedSecret tag lost its `>`). A partner's secret would
    reach its answer, the document log and our log. So a malformed body is described by
    libxml2's error code in words, with the line and column; the safety limits' messages, which
    quote nothing, are kept.
    """
    text = _TRAILING_POSITION.sub("", str(error.msg or error).strip())
    first_line = text.split("\n", maxsplit=1)[0].strip()
    line, column = error.position
    location = f"line {line}, column {column}"
    if any(marker in first_line for marker in _UNSAFE_MESSAGES):
        message = shorten(_GLUED_SECRET_NAME.sub(r"\1***", first_line), 200)
        return UnsafeDocumentError(f"refused by the XML parser: {message}", location=location)
    return MalformedDocumentError(
        f"not well-formed XML: {_described(int(getattr(error, 'code', 0)))}", location=location
    )


def _described(code: int) -> str:
    """libxml2's error code as words (`ERR_UNDECLARED_ENTITY`: "undeclared entity")."""
    known = _SENTENCES.get(code)
    if known is not None:
        return known
    name = _ERROR_NAMES.get(code)
    if name is None:
        return f"libxml2 error {code}"
    return name.removeprefix("ERR_").replace("_", " ").lower()


_ERROR_NAMES: dict[int, str] = {
    value: name
    for name, value in vars(etree.ErrorTypes).items()
    if name.startswith("ERR_") and isinstance(value, int)
}
_SENTENCES: dict[int, str] = {
    etree.ErrorTypes.ERR_TAG_NAME_MISMATCH: "an end tag does not match its start tag",
    etree.ErrorTypes.ERR_TAG_NOT_FINISHED: "the document ends inside an element",
    etree.ErrorTypes.ERR_DOCUMENT_EMPTY: "the document is empty",
    etree.ErrorTypes.ERR_DOCUMENT_END: "there is content after the root element",
    etree.ErrorTypes.ERR_DOCUMENT_START: "no start tag where the document should begin",
    etree.ErrorTypes.ERR_ATTRIBUTE_WITHOUT_VALUE: "an attribute has no value",
    etree.ErrorTypes.ERR_GT_REQUIRED: "a tag is not closed with >",
    etree.ErrorTypes.ERR_UNDECLARED_ENTITY: "an entity that is not defined",
    etree.ErrorTypes.ERR_NAME_REQUIRED: "a name is missing or invalid where a tag begins",
    etree.ErrorTypes.ERR_CDATA_NOT_FINISHED: "a CDATA section is not closed",
    etree.ErrorTypes.ERR_COMMENT_NOT_FINISHED: "a comment is not closed",
    etree.ErrorTypes.ERR_ATTRIBUTE_REDEFINED: "an attribute appears twice in one tag",
    etree.ErrorTypes.ERR_INVALID_CHAR: "a character XML does not allow",
}
"""Plain sentences for the errors partners make most; the others are their code in words."""
