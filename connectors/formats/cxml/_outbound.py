"""Outbound cXML: the envelope our documents carry and the skeleton every builder fills.

`OutboundEnvelope` says who sends what to whom (payloadID, timestamp, From/To/Sender with the
shared secret, version, deployment mode); `new_document` turns it into the
`cXML > Header > Request > <payload>` tree in DTD order, and `serialize` writes the bytes with a
DOCTYPE naming the payload's family DTD (Fulfill.dtd, InvoiceDetail.dtd) in the envelope's
version, so the `version` attribute never exceeds the DOCTYPE's (cxml.md section 4).

Arguments are checked when the envelope is made, so a bad profile fails before any document is
built; errors are `ValueError` (a programming or configuration mistake, not a partner's).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from lxml import etree

from connectors.formats.cxml._datetime import format_cxml_datetime
from connectors.formats.cxml._envelope import MAX_PAYLOAD_ID_LENGTH, XML_LANG
from connectors.formats.cxml._response import DEFAULT_VERSION

FULFILL_MINIMUM_VERSION = "1.2.050"
"""Oldest Fulfill.dtd we hold; confirmations and ship notices are checked against 1.2.050,
1.2.053, 1.2.063 and 1.2.069 (identical for every element we write), and refused below it."""
INVOICE_MINIMUM_VERSION = "1.2.020"
"""Oldest InvoiceDetail.dtd we hold; invoices are checked against 1.2.020, 1.2.037, 1.2.069."""
FEED_MINIMUM_VERSION = "1.2.036"
"""First cXML.dtd with ProductActivityMessage and with `ItemID/BuyerPartID` and `IdReference`
(both feeds need them); the feeds are checked against 1.2.036, 1.2.050, 1.2.053, 1.2.063 and
1.2.069, and refused below it."""

_VERSION = re.compile(r"\d+\.\d+\.\d+", re.ASCII)
_LANG = re.compile(r"[A-Za-z0-9._:-]+", re.ASCII)  # xml:lang is an NMTOKEN in cXML
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_DEPLOYMENT_MODES = frozenset({"production", "test"})
_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
_BUILT = threading.local()
"""This thread's last `serialize` result and the tree it was written from (see `built_tree`)."""


@dataclass(frozen=True)
class OutboundCredential:
    """A `Credential` we send in From, To or Sender: its `domain` (NetworkID, DUNS...) and
    `identity`, as the partner profile names them."""

    domain: str
    identity: str

    def __post_init__(self) -> None:
        if not self.domain.strip() or not self.identity.strip():
            msg = f"a credential needs a domain and an identity, not {self!r}"
            raise ValueError(msg)


@dataclass(frozen=True)
class OutboundEnvelope:
    """Everything around the payload of a document we send; the secret never shows in `repr`.

    `timestamp` must be aware (the injected clock); `payload_id` should come from
    `new_payload_id`. Raises `ValueError` for values no valid cXML document can carry.
    """

    payload_id: str
    timestamp: datetime
    from_: tuple[OutboundCredential, ...]
    to: tuple[OutboundCredential, ...]
    sender: OutboundCredential
    shared_secret: str = field(repr=False)
    user_agent: str
    version: str = DEFAULT_VERSION
    deployment_mode: Literal["production", "test"] = "production"
    lang: str = "en-US"

    def __post_init__(self) -> None:
        payload_id = self.payload_id
        if not payload_id.strip() or _CONTROL.search(payload_id):
            msg = f"payloadID must be one line of text, not {payload_id!r}"
            raise ValueError(msg)
        if len(payload_id) > MAX_PAYLOAD_ID_LENGTH:
            msg = f"payloadID is longer than {MAX_PAYLOAD_ID_LENGTH} characters"
            raise ValueError(msg)
        if self.timestamp.tzinfo is None or self.timestamp.utcoffset() is None:
            msg = "the envelope timestamp must be aware (cXML requires a time zone)"
            raise ValueError(msg)
        if not self.from_ or not self.to:
            msg = "From and To each need at least one credential"
            raise ValueError(msg)
        if not _VERSION.fullmatch(self.version):
            msg = f"cXML version must look like 1.2.069, not {self.version!r}"
            raise ValueError(msg)
        if self.deployment_mode not in _DEPLOYMENT_MODES:
            msg = f"deployment_mode must be production or test, not {self.deployment_mode!r}"
            raise ValueError(msg)
        if not _LANG.fullmatch(self.lang):
            msg = f"xml:lang must be a language code such as en-US, not {self.lang!r}"
            raise ValueError(msg)


def version_key(version: str) -> tuple[int, ...]:
    """`"1.2.069"` as `(1, 2, 69)`, for comparing versions."""
    return tuple(int(part) for part in version.split("."))


def require_version(envelope: OutboundEnvelope, minimum: str, what: str) -> None:
    """`ValueError` when the envelope asks for a version older than `minimum` for `what`."""
    if version_key(envelope.version) < version_key(minimum):
        msg = (
            f"{what} needs cXML {minimum} or later (the oldest DTD it was checked against); "
            f"the envelope asks for {envelope.version}"
        )
        raise ValueError(msg)


def clean(value: str) -> str:
    """`value` with the characters XML 1.0 cannot carry (C0 controls, lone surrogates,
    U+FFFE/U+FFFF) replaced by U+FFFD, so hostile text still gives a well-formed document."""
    return _NOT_XML.sub("\ufffd", value) if _NOT_XML.search(value) else value


def new_document(
    envelope: OutboundEnvelope,
    payload: str,
    *,
    container: Literal["Request", "Message"] = "Request",
) -> tuple[etree._Element, etree._Element]:
    """The `cXML` root with its Header and Request (or Message), and the empty `payload` element
    to fill."""
    root = etree.Element("cXML")
    root.set("payloadID", clean(envelope.payload_id))
    root.set("timestamp", format_cxml_datetime(envelope.timestamp))
    root.set("version", envelope.version)
    root.set(XML_LANG, envelope.lang)
    header = etree.SubElement(root, "Header")
    _credentials(etree.SubElement(header, "From"), envelope.from_)
    _credentials(etree.SubElement(header, "To"), envelope.to)
    sender = etree.SubElement(header, "Sender")
    credential = _credential(sender, envelope.sender)
    etree.SubElement(credential, "SharedSecret").text = clean(envelope.shared_secret)
    etree.SubElement(sender, "UserAgent").text = clean(envelope.user_agent)
    request = etree.SubElement(root, container)
    request.set("deploymentMode", envelope.deployment_mode)
    return root, etree.SubElement(request, payload)


def serialize(root: etree._Element, envelope: OutboundEnvelope, family: str) -> bytes:
    """UTF-8 bytes: XML declaration, `<!DOCTYPE cXML SYSTEM ".../<version>/<family>.dtd">`,
    then the tree, indented."""
    doctype = (
        f'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/{envelope.version}/'
        f'{family}.dtd">\n'
    ).encode("ascii")
    body = _DECLARATION + doctype + etree.tostring(root, encoding="UTF-8", pretty_print=True)
    _BUILT.last = (body, root)
    return body


def built_tree(body: bytes) -> etree._Element | None:
    """The tree `body` was just serialized from by this thread, if `body` is that very object.

    Lets the DTD check of a document we have just rendered look at the tree we built instead of
    parsing our own bytes back (the parse was half the check's cost). Only the last result of
    this thread's `serialize` is kept, and only until asked for; the identity test (`is`, with
    the bytes held here) means any other bytes, even equal ones, are parsed as before.
    """
    last: tuple[bytes, etree._Element] | None = getattr(_BUILT, "last", None)
    if last is None or last[0] is not body:
        return None
    _BUILT.last = None
    return last[1]


def _credentials(parent: etree._Element, credentials: tuple[OutboundCredential, ...]) -> None:
    for credential in credentials:
        _credential(parent, credential)


def _credential(parent: etree._Element, credential: OutboundCredential) -> etree._Element:
    element = etree.SubElement(parent, "Credential")
    element.set("domain", clean(credential.domain))
    etree.SubElement(element, "Identity").text = clean(credential.identity)
    return element
